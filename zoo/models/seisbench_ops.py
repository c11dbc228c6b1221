"""SeisBench's window normalisation (``annotate_batch_pre``) as TensorFlow ops, for the ``seisbench`` variants.

SeisBench normalises each window in float32: remove each channel's mean, optionally a linear trend,
divide by the unbiased (N - 1) standard deviation or by the peak absolute value plus ``eps`` (1e-10;
not a guard against zero), per channel or over all channels and samples jointly, and EQTransformer
then tapers the first and last 6 samples with half a cosine. The models' ``seisbench`` card variants
(``zoo/models/<name>/variants.py``) pick the options from the weight file's ``model_args``.

Example:
    >>> import numpy as np
    >>> x = np.arange(12, dtype="float32").reshape(1, 4, 3)
    >>> y = normalize(x, scale="std")
    >>> [round(float(v), 4) for v in np.std(y[0], axis=0, ddof=1)]
    [1.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import tensorflow as tf


def detrend(x: tf.Tensor) -> tf.Tensor:
    """Remove each channel's mean and linear trend over the samples of ``[batch, samples, channels]``.

    SeisBench's ``torch_detrend``: the slope is fitted against ``linspace(-1, 1, samples)``.

    Example:
        >>> import numpy as np
        >>> float(tf.reduce_max(tf.abs(detrend(np.arange(5, dtype="float32").reshape(1, 5, 1)))))
        0.0
    """
    x = tf.convert_to_tensor(x, tf.float32)
    mean = tf.reduce_mean(x, axis=1, keepdims=True)
    t = tf.reshape(tf.linspace(-1.0, 1.0, tf.shape(x)[1]), [1, -1, 1])
    slope = tf.reduce_sum((x - mean) * t, axis=1, keepdims=True) / tf.reduce_sum(t * t)
    return x - mean - slope * t


def normalize(
    x: Any,
    scale: Literal["std", "peak", "none"] = "std",
    joint: bool = False,
    trend: bool = False,
    taper: int = 0,
    eps: float = 1e-10,
) -> tf.Tensor:
    """Normalise raw windows ``[batch, samples, channels]`` (float32) as SeisBench does.

    Args:
        x: Raw windows in any unit.
        scale: Divide by the unbiased standard deviation (``"std"``), by the peak absolute value
            (``"peak"``), each plus ``eps``; ``"none"``: only remove the mean.
        joint: One divisor over all channels and samples of a window (EQTransformer's and CRED's std,
            GPD's peak) instead of one per channel.
        trend: Also remove a linear trend (SeisBench's ``norm_detrend``).
        taper: Samples of a half-cosine taper at each end (EQTransformer: 6; 0: none).
        eps: Added to the divisor.
    """
    x = tf.convert_to_tensor(x, tf.float32)
    x = x - tf.reduce_mean(x, axis=1, keepdims=True)
    if trend:
        x = detrend(x)
    axes = [1, 2] if joint else [1]
    if scale == "std":
        centred = x - tf.reduce_mean(x, axis=axes, keepdims=True)
        count = tf.cast(tf.reduce_prod(tf.gather(tf.shape(x), axes)), tf.float32)
        std = tf.sqrt(tf.reduce_sum(tf.square(centred), axis=axes, keepdims=True) / (count - 1.0))
        x = x / (std + eps)
    elif scale == "peak":
        x = x / (tf.reduce_max(tf.abs(x), axis=axes, keepdims=True) + eps)
    if taper:
        ramp = tf.constant(0.5 * (1.0 + np.cos(np.linspace(np.pi, 2.0 * np.pi, taper))), tf.float32)
        middle = tf.ones([tf.shape(x)[1] - 2 * taper], tf.float32)
        x = x * tf.reshape(tf.concat([ramp, middle, ramp[::-1]], axis=0), [1, -1, 1])
    return x


def curves(outputs: Any) -> tf.Tensor:
    """The network's output ``[batch, samples, labels]`` as float32 curves, in the network's label order.

    Example:
        >>> curves(np.zeros((1, 3001, 3))).dtype
        tf.float32
    """
    return tf.cast(tf.convert_to_tensor(outputs), tf.float32)
