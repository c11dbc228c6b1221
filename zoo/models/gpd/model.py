"""Generalized Phase Detection, GPD (Ross et al. 2018), exactly as in the published ``model_pol.json``.

The published JSON (Keras 2.2.2) wraps the network in a 3-way multi-GPU split (three ``Lambda``
slices of the batch fed through one shared ``Sequential`` and concatenated). Only the inner
``Sequential`` is the network; this port rebuilds it and drops the wrapper, which changes nothing
in the arithmetic.

Layout (layer names as in the file; ``same`` padding, batch norm epsilon 1e-3, momentum 0.99):

- four blocks ``conv1d_i`` -> ``batch_normalization_i`` -> ``activation_i`` (ReLU) ->
  ``max_pooling1d_i`` (2, stride 2) with 32, 64, 128, 256 filters and kernels 21, 15, 11, 9:
  400 -> 200 -> 100 -> 50 -> 25 samples;
- ``flatten_1`` (6400) -> ``dense_1`` (200) -> ``batch_normalization_5`` -> ReLU -> ``dense_2``
  (200) -> ``batch_normalization_6`` -> ReLU -> ``dense_3`` (3) -> ``activation_7`` (softmax).

Input: a 4-s window ``[batch, 400, 3]`` at 100 Hz, components N, E, Z, band-passed 3-20 Hz and
divided by its maximum absolute value (see the card). Output: ``[batch, 3]`` probabilities in the
network's class order P, S, noise.

Bad input: a window of the wrong length or channel count raises ``ValueError`` from Keras' input
check (``expected shape=(None, 400, 3)``) on a direct call and on a first ``predict``; after a
``predict`` with another shape Keras may retrace with unknown shapes, and TensorFlow then raises an
``InvalidArgumentError`` from ``dense_1`` (matrix sizes) or ``conv1d_1`` (depth). NaN samples give
NaN probabilities; ``zoo.annotate`` never passes NaN to the network.

Example:
    >>> from zoo.models.gpd.model import build
    >>> build().output_shape
    (None, 3)
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers

CLASSES = ("P", "S", "N")
FILTERS = (32, 64, 128, 256)
KERNELS = (21, 15, 11, 9)


def build(
    input_samples: int = 400,
    channels: int = 3,
    dense_units: int = 200,
    classes: int = 3,
    output_activation: str = "softmax",
    folded: bool = False,
) -> keras.Model:
    """Build GPD with random weights.

    Args:
        input_samples: Window length in samples (400 = 4 s at 100 Hz for the published weights).
        channels: Number of components (3: N, E, Z).
        dense_units: Units of the two hidden dense layers (200).
        classes: Number of output classes (3: P, S, noise).
        output_activation: ``"softmax"`` over the classes, or ``"sigmoid"`` (SeisBench's choice for a
            single class).
        folded: Leave out the batch normalisations and put each ReLU into the convolution or dense
            layer before it: the layout of the inference copy (:mod:`zoo.models.gpd.inference`), which
            folds batch norm into those layers' weights. Layer names are the same.

    Returns:
        A ``keras.Model`` named ``"gpd"`` mapping ``[batch, input_samples, channels]`` to
        probabilities ``[batch, classes]``.
    """
    if output_activation not in ("softmax", "sigmoid"):
        raise ValueError(f"output_activation must be 'softmax' or 'sigmoid', got {output_activation!r}.")
    inputs = keras.Input((input_samples, channels), name="waveform")
    x = inputs
    inner = "relu" if folded else None

    def normalised(x: Any, name: str) -> Any:
        if folded:
            return x
        x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=f"batch_normalization_{name}")(x)
        return layers.Activation("relu", name=f"activation_{name}")(x)

    for i, (filters, kernel) in enumerate(zip(FILTERS, KERNELS), start=1):
        x = layers.Conv1D(filters, kernel, padding="same", activation=inner, name=f"conv1d_{i}")(x)
        x = normalised(x, str(i))
        x = layers.MaxPooling1D(2, strides=2, padding="valid", name=f"max_pooling1d_{i}")(x)
    x = layers.Flatten(name="flatten_1")(x)
    for i in (1, 2):
        x = layers.Dense(dense_units, activation=inner, name=f"dense_{i}")(x)
        x = normalised(x, str(4 + i))
    x = layers.Dense(classes, name="dense_3")(x)
    outputs = layers.Activation(output_activation, name="activation_7")(x)
    return keras.Model(inputs, outputs, name="gpd")
