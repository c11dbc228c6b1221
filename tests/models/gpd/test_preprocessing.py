"""GPD preprocessing: window normalisation, output shape, the stream filter's input check."""

from __future__ import annotations

import numpy as np
import obspy
import pytest

from zoo.models.gpd.preprocessing import filter_stream, normalize, postprocess


def test_normalize_by_window_peak() -> None:
    x = np.zeros((2, 400, 3), "float32")
    x[0, 5, 2] = -8.0
    x[0, 6, 0] = 2.0
    out = normalize(x).numpy()
    assert out[0, 5, 2] == -1.0 and out[0, 6, 0] == 0.25
    assert np.all(out[1] == 0) and np.isfinite(out).all()


def test_postprocess_shape() -> None:
    assert postprocess(np.ones((5, 3), "float32")).shape == (5, 1, 3)


def test_filter_rejects_non_streams() -> None:
    with pytest.raises(TypeError, match="ObsPy Stream or Trace"):
        filter_stream(np.zeros(10))
    assert len(filter_stream(obspy.read()[0])) == 1
