"""Window-level pick precision, recall and F1 as a streaming Keras metric (used to pick checkpoints).

For one phase channel and one window: the label's arrival is the argmax of the label curve if its
maximum exceeds 0.5; the pick is the argmax of the predicted curve if its maximum reaches
``threshold``. A pick within ``tolerance`` samples of the arrival is a true positive; any other pick is
a false positive; an arrival without a true positive is a false negative. This is the one-pick-per-window
reading of :func:`zoo.metrics.pick_scores`, cheap enough to run inside the compiled test step.

Example:
    >>> import numpy as np
    >>> m = WindowPickF1(channel=0, threshold=0.5, tolerance=10, name="P_f1")
    >>> y = np.zeros((2, 100, 1), "float32"); y[0, 40, 0] = y[1, 60, 0] = 1.0
    >>> p = np.zeros((2, 100, 1), "float32"); p[0, 45, 0] = 0.9; p[1, 90, 0] = 0.9
    >>> m.update_state(y, p)
    >>> round(float(m.result()), 3)
    0.5
"""

from __future__ import annotations

import keras
import tensorflow as tf


def window_pick_counts(
    y: tf.Tensor, curves: tf.Tensor, channel: int, threshold: float, tolerance: int
) -> tf.Tensor:
    """``[tp, fp, fn]`` (float32) over a batch of ``[B, T, K]`` label and predicted curves."""
    truth, pred = y[..., channel], curves[..., channel]
    has_label = tf.reduce_max(truth, axis=1) > 0.5
    has_pick = tf.reduce_max(pred, axis=1) >= threshold
    distance = tf.abs(tf.argmax(truth, axis=1) - tf.argmax(pred, axis=1))
    hit = has_label & has_pick & (distance <= tolerance)
    count = lambda b: tf.reduce_sum(tf.cast(b, tf.float32))  # noqa: E731
    return tf.stack([count(hit), count(has_pick & ~hit), count(has_label & ~hit)])


@keras.saving.register_keras_serializable(package="zoo")
class WindowPickF1(keras.metrics.Metric):
    """F1 of one pick channel (see the module docstring).

    Args:
        channel: index of the phase channel in the label curves.
        threshold: pick threshold on the predicted curve.
        tolerance: largest ``|pick - arrival|`` in samples that counts as a hit.
    """

    def __init__(self, channel: int, threshold: float, tolerance: int, name: str = "pick_f1", **kwargs):
        super().__init__(name=name, **kwargs)
        self.channel, self.threshold, self.tolerance = int(channel), float(threshold), int(tolerance)
        self.counts = self.add_variable(shape=(3,), initializer="zeros", name="counts")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
        self.counts.assign_add(
            window_pick_counts(y_true, y_pred, self.channel, self.threshold, self.tolerance)
        )

    def result(self):
        tp, fp, fn = self.counts[0], self.counts[1], self.counts[2]
        return tf.math.divide_no_nan(2.0 * tp, 2.0 * tp + fp + fn)

    def reset_state(self):
        self.counts.assign(tf.zeros(3))

    def get_config(self):
        config = super().get_config()
        config.update(channel=self.channel, threshold=self.threshold, tolerance=self.tolerance)
        return config
