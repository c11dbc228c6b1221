"""BlueDisc: the conditional shape discriminator of Huang et al. (2025), arXiv 2511.06731.

The discriminator judges whether a set of phase-label curves is a plausible target for a waveform:
its input is the label curves ``[batch, samples, label_channels]`` concatenated along channels with the
network-normalised waveform ``[batch, samples, waveform_channels]`` (labels first), and its output one
logit per window (positive = "a real target label").

Network (as in the authors' public implementation, ``module/discriminator.py`` of BlueDisc):

====  ==========================================================================
1     zero-pad 1 sample each side, Conv1D 64 filters, kernel 11, stride 2, no bias
      BatchNormalization, LeakyReLU(0.1)
2     zero-pad 1, Conv1D 64, kernel 11, stride 2, no bias, BatchNormalization, LeakyReLU(0.1)
3     zero-pad 1, Conv1D 128, kernel 5, stride 2, no bias, BatchNormalization, LeakyReLU(0.1)
4     Flatten, Dense(1) (with bias) -> logit
====  ==========================================================================

Each convolution stage maps ``L`` samples to ``(L + 2 - k) // 2 + 1`` samples, so a 3000-sample PhaseNet
window gives 1496, 744 and 371 samples and 128 x 371 = 47,488 flattened features (the authors' 3001-sample
windows give 47,616). Parameter count for ``label_channels=3, waveform_channels=3, samples=3000``:
``11*6*64 + 11*64*64 + 5*64*128 + 4*(64+64+128) + 47,488 + 1 = 138,753`` (of which 512 are batch-norm
moving statistics, not trained).

Differences from the PyTorch original: channels-last layout; the zero padding is an explicit
``ZeroPadding1D`` layer; PyTorch's batch-norm momentum 0.1 and epsilon 1e-5 are written as Keras
``momentum=0.9, epsilon=1e-5``; the initialisers reproduce PyTorch's defaults (uniform in
``±1/sqrt(fan_in)`` for kernels and for the dense bias). No published weights exist: the discriminator
is trained from scratch together with the picker (:class:`zoo.train.ShapeAdversarial`), so it is a
training component, not a registered model.

Example:
    >>> import numpy as np
    >>> d = build(samples=400)
    >>> d([np.zeros((2, 400, 3), "float32"), np.zeros((2, 400, 3), "float32")]).shape
    TensorShape([2, 1])
"""

from __future__ import annotations

import math

import keras

FILTERS = (64, 64, 128)
KERNELS = (11, 11, 5)
STRIDE = 2
PADDING = 1
LEAKY_SLOPE = 0.1


def conv_output_samples(samples: int) -> int:
    """Samples left after the three padded, strided convolutions (3000 -> 371).

    Example:
        >>> conv_output_samples(3000), conv_output_samples(3001)
        (371, 372)
    """
    for kernel in KERNELS:
        samples = (samples + 2 * PADDING - kernel) // STRIDE + 1
    return samples


def _torch_uniform() -> keras.initializers.Initializer:
    """PyTorch's default kernel initialiser (kaiming uniform, a=sqrt(5)): U(±1/sqrt(fan_in))."""
    return keras.initializers.VarianceScaling(scale=1.0 / 3.0, mode="fan_in", distribution="uniform")


def build(label_channels: int = 3, waveform_channels: int = 3, samples: int = 3000) -> keras.Model:
    """Build the BlueDisc shape discriminator with random weights.

    Args:
        label_channels: Number of label curves (3 for PhaseNet's P, S, N or EQTransformer's
            Detection, P, S).
        waveform_channels: Components of the conditioning waveform (3).
        samples: Window length in samples (3000 = 30 s at 100 Hz for PhaseNet; at least 31).

    Returns:
        A ``keras.Model`` with inputs ``[labels [B, samples, label_channels], waveform [B, samples,
        waveform_channels]]`` and output ``[B, 1]`` logits.
    """
    for name, value in (("label_channels", label_channels), ("waveform_channels", waveform_channels)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if not isinstance(samples, int) or conv_output_samples(samples) < 1:
        raise ValueError(f"samples must be an integer window length of at least 31 samples, got {samples!r}.")
    labels = keras.Input((samples, label_channels), name="labels")
    waveform = keras.Input((samples, waveform_channels), name="waveform")
    x = keras.layers.Concatenate(axis=-1, name="pair")([labels, waveform])
    for i, (filters, kernel) in enumerate(zip(FILTERS, KERNELS, strict=True), start=1):
        x = keras.layers.ZeroPadding1D(PADDING, name=f"pad{i}")(x)
        x = keras.layers.Conv1D(
            filters,
            kernel,
            strides=STRIDE,
            use_bias=False,
            kernel_initializer=_torch_uniform(),
            name=f"conv{i}",
        )(x)
        x = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"bn{i}")(x)
        x = keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"leaky{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    features = FILTERS[-1] * conv_output_samples(samples)
    bound = 1.0 / math.sqrt(features)
    logit = keras.layers.Dense(
        1,
        kernel_initializer=_torch_uniform(),
        bias_initializer=keras.initializers.RandomUniform(-bound, bound),
        name="logit",
    )(x)
    return keras.Model([labels, waveform], logit, name="shape_discriminator")
