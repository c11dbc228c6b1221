"""Zero masking zeroes the drawn stretch and the phase labels inside it."""

from __future__ import annotations

import numpy as np

from zoo.augment import ZeroMask


def test_zero_mask_zeroes_drawn_stretch_and_its_labels(stead):
    x, y = stead["x"][:, :3000], stead["y"][:, :3000]
    mask = ZeroMask(sampling_rate=100.0, duration=(5.0, 10.0))
    start, length = (v.numpy() for v in mask.draw(x, y, [2, 2]).values())
    xo, yo = ZeroMask(duration=(5.0, 10.0))(x, y, [2, 2])
    xo, yo = xo.numpy(), yo.numpy()
    for b in range(8):
        sl = slice(start[b], start[b] + length[b])
        assert 500 <= length[b] <= 1000
        assert np.all(xo[b, sl] == 0) and np.all(yo[b, sl, :2] == 0) and np.all(yo[b, sl, 2] == 1)
        np.testing.assert_array_equal(xo[b, : start[b]], x[b, : start[b]])
