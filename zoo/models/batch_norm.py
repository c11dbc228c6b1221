"""Batch normalisation folded into the layer before it, for inference copies.

In inference mode batch norm is the per-channel affine map ``(z - mean) * s + beta`` with
``s = gamma / sqrt(variance + epsilon)``, so a convolution or dense layer followed by it equals one
layer with kernel ``kernel * s`` (per output channel) and bias ``(bias - mean) * s + beta``.

Example:
    >>> import keras, numpy as np
    >>> bn = keras.layers.BatchNormalization(epsilon=0.0)
    >>> bn.build((None, 2))
    >>> bn.set_weights([np.array([2.0, 1.0]), np.zeros(2), np.array([1.0, 0.0]), np.array([4.0, 1.0])])
    >>> kernel, bias = folded_weights(np.ones((3, 2)), np.zeros(2), bn)
    >>> kernel[0].tolist(), bias.tolist()
    ([1.0, 1.0], [-1.0, 0.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np


def folded_weights(kernel: np.ndarray, bias: np.ndarray, bn: Any, channel_axis: int = -1) -> list[np.ndarray]:
    """``[kernel, bias]`` (float32) of the layer with ``kernel`` and ``bias`` followed by the batch
    norm layer ``bn`` (weights gamma, beta, moving mean, moving variance), computed in float64;
    ``channel_axis``: the kernel's output-channel axis (1 for a transposed convolution)."""
    gamma, beta, mean, variance = (w.numpy().astype(np.float64) for w in bn.weights)
    scale = gamma / np.sqrt(variance + bn.epsilon)
    shape = [1] * kernel.ndim
    shape[channel_axis] = -1
    folded_kernel = np.asarray(kernel, np.float64) * scale.reshape(shape)
    folded_bias = (np.asarray(bias, np.float64) - mean) * scale + beta
    return [folded_kernel.astype(np.float32), folded_bias.astype(np.float32)]
