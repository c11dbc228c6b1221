"""xdisc's trace-peak normalisation: every trace scaled to peak 1, silent traces left at zero."""

import numpy as np

from zoo.models.xdisc.layers import TracePeakNormalization


def test_each_trace_is_divided_by_its_peak_absolute_value():
    x = np.zeros((2, 5, 3), "float32")
    x[0, :, 0] = [1.0, -4.0, 2.0, 0.0, 0.5]
    x[1, :, 2] = [0.0, 0.0, 3.0, 0.0, 0.0]
    y = TracePeakNormalization()(x).numpy()
    np.testing.assert_allclose(y[0, :, 0], x[0, :, 0] / 4.0)
    np.testing.assert_allclose(y[1, :, 2], [0.0, 0.0, 1.0, 0.0, 0.0])
    assert not np.any(y[0, :, 1]) and np.isfinite(y).all()
