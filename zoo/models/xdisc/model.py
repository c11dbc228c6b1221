"""A small CNN that classifies receiver-function images as "X-discontinuity present / absent".

Input ``[batch, samples, traces]`` float32: a receiver-function image (see
:mod:`zoo.synth.rf_images`) transposed to the zoo's channels-last convention, i.e. 325 samples
(-5..60 s after P at 5 Hz) by 16 traces ordered by ray parameter. The first layer divides each trace
by its largest absolute value (the direct P), so raw receiver functions of any amplitude scale can
be fed. Output ``[batch, 1]``: probability that an X-discontinuity is present.

Layers named ``features_*`` form the feature extractor (frozen first in fine-tuning) and ``head_*``
the classifier head.

Example:
    >>> model = build()
    >>> model.input_shape, model.output_shape
    ((None, 325, 16), (None, 1))
"""

from __future__ import annotations

import keras
from keras import layers

from zoo.models.xdisc.layers import TracePeakNormalization


def build(
    samples: int = 325,
    traces: int = 16,
    filters: tuple[int, int, int] = (8, 16, 16),
    dense: int = 32,
    dropout: float = 0.3,
) -> keras.Model:
    """Build the classifier (random initialisation).

    Args:
        samples: Samples per trace (325 = 65 s at 5 Hz).
        traces: Traces per image.
        filters: Filters of the three 2-D convolution blocks (time x trace kernels).
        dense: Units of the hidden dense layer.
        dropout: Dropout rate before the hidden dense layer.
    """
    if samples < 24 or traces < 4:
        raise ValueError(f"Need at least 24 samples and 4 traces per image, got {samples} and {traces}.")
    inputs = keras.Input((samples, traces), name="receiver_functions")
    x = TracePeakNormalization(name="normalize")(inputs)
    x = layers.Reshape((samples, traces, 1), name="to_image")(x)
    kernels = ((9, 3), (7, 3), (5, 3))
    pools = ((2, 2), (2, 2), (3, 4))
    for i, (f, k, p) in enumerate(zip(filters, kernels, pools)):
        x = layers.Conv2D(f, k, padding="same", use_bias=False, name=f"features_conv{i + 1}")(x)
        x = layers.BatchNormalization(name=f"features_bn{i + 1}")(x)
        x = layers.ReLU(name=f"features_relu{i + 1}")(x)
        x = layers.MaxPooling2D(p, padding="same", name=f"features_pool{i + 1}")(x)
    x = layers.Flatten(name="head_flatten")(x)
    x = layers.Dropout(dropout, name="head_dropout")(x)
    x = layers.Dense(dense, activation="relu", name="head_dense")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="head_output")(x)
    return keras.Model(inputs, outputs, name="xdisc")
