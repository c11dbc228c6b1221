"""Rebalancing evens out classes."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from zoo.augment.rebalance import balanced_weights, column_classes, rebalance


def test_balanced_weights_by_magnitude_bin():
    mags = np.array([1.0] * 90 + [3.5] * 10)
    classes = column_classes(mags, [2.0])
    w = balanced_weights(classes)
    assert np.isclose(w[classes == 0].sum(), 0.5) and np.isclose(w[classes == 1].sum(), 0.5)


def test_rebalance_evens_out_a_skewed_dataset():
    ds = tf.data.Dataset.from_tensor_slices(tf.constant([0] * 90 + [1] * 10, tf.int32)).repeat()
    out = rebalance(ds, lambda c: c, 2, initial=[0.9, 0.1], seed=3)
    share = float(np.mean([int(v) for v in out.take(400)]))
    assert 0.4 < share < 0.6
