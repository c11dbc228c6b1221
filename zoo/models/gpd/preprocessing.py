"""GPD's preprocessing: the continuous-data filter of ``gpd_predict.py``, window normalisation, output shape.

Example:
    >>> import numpy as np
    >>> postprocess(np.array([[0.1, 0.2, 0.7]], "float32")).shape
    TensorShape([1, 1, 3])
"""

from __future__ import annotations

import obspy
import tensorflow as tf

FREQMIN = 3.0
FREQMAX = 20.0
CORNERS = 4


def normalize(x: tf.Tensor) -> tf.Tensor:
    """Divide each window ``[batch, samples, channels]`` by its maximum absolute value (float32).

    Example:
        >>> import numpy as np
        >>> float(normalize(np.array([[[1.0, -4.0], [2.0, 0.0]]], "float32"))[0, 0, 1])
        -1.0
    """
    x = tf.convert_to_tensor(x, tf.float32)
    peak = tf.reduce_max(tf.abs(x), axis=[1, 2], keepdims=True)
    return x / tf.where(peak > 0, peak, tf.ones_like(peak))


def postprocess(outputs: tf.Tensor) -> tf.Tensor:
    """``[batch, 3]`` class probabilities -> ``[batch, 1, 3]`` (one point per window)."""
    return tf.expand_dims(tf.convert_to_tensor(outputs), axis=1)


def filter_stream(stream: obspy.Stream | obspy.Trace) -> obspy.Stream:
    """GPD's preprocessing of continuous data: linear detrend, causal 3-20 Hz band-pass, 4 corners.

    Works on a copy (the argument is not modified); the result is float64.

    Example:
        >>> import obspy
        >>> filter_stream(obspy.read())[0].stats.processing[-1].startswith("ObsPy")
        True
    """
    if isinstance(stream, obspy.Trace):
        stream = obspy.Stream([stream])
    if not isinstance(stream, obspy.Stream):
        raise TypeError(f"filter_stream expects an ObsPy Stream or Trace, got {type(stream).__name__}.")
    out = stream.copy()
    for trace in out:
        trace.data = trace.data.astype("float64")
    out.detrend("linear")
    out.filter("bandpass", freqmin=FREQMIN, freqmax=FREQMAX, corners=CORNERS, zerophase=False)
    return out
