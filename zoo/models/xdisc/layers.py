"""xdisc's custom layer: each receiver-function trace divided by its peak (the direct P).

Example:
    >>> import numpy as np
    >>> TracePeakNormalization()(np.array([[[2.0, -1.0], [4.0, 0.5]]], "float32")).numpy()[0, :, 0].tolist()
    [0.5, 1.0]
"""

from __future__ import annotations

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="zoo")
class TracePeakNormalization(layers.Layer):
    """Divide every trace (channel) of ``[batch, samples, traces]`` by its peak absolute value."""

    def call(self, x):
        peak = ops.max(ops.abs(x), axis=1, keepdims=True)
        return x / ops.where(peak > 0, peak, ops.ones_like(peak))
