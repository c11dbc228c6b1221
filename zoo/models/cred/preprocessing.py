"""CRED's window normalisation (demean, divide by the signed maximum) and output curve, as TensorFlow ops.

See :mod:`zoo.models.cred` for why the signed maximum and the guard against constant channels.

Example:
    >>> import numpy as np
    >>> postprocess(np.zeros((1, 38, 1), "float32")).shape
    TensorShape([1, 38, 1])
"""

from __future__ import annotations

import tensorflow as tf

_TINY = 1e-6


def normalize(x: tf.Tensor) -> tf.Tensor:
    """Demean each channel and divide by its signed maximum; ``[batch, samples, channels]`` float32.

    Example:
        >>> import numpy as np
        >>> float(normalize(np.array([[[1.0], [3.0], [2.0]]], "float32"))[0, 1, 0])
        1.0
    """
    x = tf.convert_to_tensor(x, tf.float32)
    raw_peak = tf.reduce_max(tf.abs(x), axis=1, keepdims=True)
    x = x - tf.reduce_mean(x, axis=1, keepdims=True)
    peak = tf.reduce_max(x, axis=1, keepdims=True)
    return x / tf.where(peak > _TINY * raw_peak, peak, tf.ones_like(peak))


def postprocess(outputs: tf.Tensor) -> tf.Tensor:
    """The network output ``[batch, 38, 1]`` already is the ``Detection`` curve."""
    return tf.convert_to_tensor(outputs)
