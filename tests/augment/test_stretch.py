"""Time stretch moves labels with the data."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from zoo.augment import TimeStretch


def test_time_stretch_moves_labels_with_data(stead):
    x, y = stead["x"][:, :3000], stead["y"][:, :3000]
    f = TimeStretch().draw(x, y, [8, 8])["factor"].numpy()
    xo, yo = TimeStretch()(x, y, [8, 8])
    for ch, arrivals in ((0, stead["p"]), (1, stead["s"])):
        expect = arrivals * f
        inside = expect < 2999
        got = yo.numpy()[:, :, ch].argmax(1)
        assert np.all(np.abs(got - expect)[inside] <= 1.0)
    xs, _ = TimeStretch().apply(x, y, {"factor": tf.ones([8])})
    np.testing.assert_allclose(xs, x, atol=1e-7)
