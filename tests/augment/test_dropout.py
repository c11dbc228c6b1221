"""Channel dropout zeroes exactly the drawn components and rescales the rest by C / n_nonzero."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from zoo.augment import ChannelDropout


@pytest.mark.parametrize("max_drop", [1, 2])
def test_zeroes_exactly_the_drawn_components(stead, max_drop):
    x, y = stead["x"], stead["y"]
    keep = ChannelDropout(max_drop=max_drop).draw(x, y, [5, 6])["keep"].numpy()
    out, yo = ChannelDropout(max_drop=max_drop)(x, y, [5, 6])
    out = out.numpy()
    dropped = out.reshape(8, -1, 3).__abs__().max(axis=1) == 0
    np.testing.assert_array_equal(dropped, keep == 0)
    n_drop = 3 - keep.sum(1)
    assert n_drop.min() >= 1 and n_drop.max() <= max_drop
    factor = 3.0 / keep.sum(1)
    np.testing.assert_allclose(out, x * keep[:, None, :] * factor[:, None, None], rtol=1e-6)
    np.testing.assert_array_equal(yo, y)


def test_both_counts_are_drawn_with_max_drop_two():
    keep = ChannelDropout(max_drop=2).draw(tf.zeros([200, 1, 3]), None, [1, 1])["keep"].numpy()
    assert set((3 - keep.sum(1)).astype(int).tolist()) == {1, 2}


def test_no_rescale_keeps_amplitudes(stead):
    out, _ = ChannelDropout(rescale=False)(stead["x"], stead["y"], [0, 2])
    kept = out.numpy() != 0
    np.testing.assert_array_equal(out.numpy()[kept], stead["x"][kept])


def test_bad_max_drop():
    with pytest.raises(ValueError, match="max_drop"):
        ChannelDropout(max_drop=3)(tf.ones([1, 10, 3]), tf.zeros([1, 10, 1]), [0, 0])
