"""GPD's inference copy: the card's ``inference_model``, used by ``zoo.annotate`` and exports.

In inference mode each batch normalisation is the per-channel affine map ``(z - mean) * s + beta`` with
``s = gamma / sqrt(variance + epsilon)``, so the convolution or dense layer before it becomes one layer
with kernel ``kernel * s`` and bias ``(bias - mean) * s + beta``, and the ReLU after it moves into that
layer (:func:`fold_batch_norm`). The convolutions then run as
:class:`zoo.models.conv_rewrites.MappedConv1D`, into which oneDNN fuses bias and ReLU
(:func:`zoo.models.conv_rewrites.rewrite_convolutions`). Same probabilities to float32 round-off.

Example:
    >>> from zoo.models.gpd.model import build
    >>> [layer.name for layer in inference_model(build()).layers if "batch" in layer.name]
    []
"""

from __future__ import annotations

import keras
import numpy as np

from zoo.models.conv_rewrites import rewrite_convolutions
from zoo.models.gpd.model import FILTERS, build

BATCH_NORM_AFTER = {
    **{f"conv1d_{i}": f"batch_normalization_{i}" for i in range(1, len(FILTERS) + 1)},
    "dense_1": f"batch_normalization_{len(FILTERS) + 1}",
    "dense_2": f"batch_normalization_{len(FILTERS) + 2}",
}
"""The batch normalisation that follows each convolution and hidden dense layer (GPD's layer names)."""


def inference_model(model: keras.Model) -> keras.Model:
    """``model`` (a GPD network, any :func:`~zoo.models.gpd.model.build` arguments) with batch norm
    folded and its convolutions rewritten: a copy with its own weights, for prediction only."""
    return rewrite_convolutions(fold_batch_norm(model))


def fold_batch_norm(model: keras.Model) -> keras.Model:
    """A copy of ``model`` built with ``folded=True`` whose layers hold the folded weights (see the
    module)."""
    folded = build(
        input_samples=model.input_shape[1],
        channels=model.input_shape[2],
        dense_units=model.get_layer("dense_1").units,
        classes=model.get_layer("dense_3").units,
        output_activation=keras.activations.serialize(model.layers[-1].activation),
        folded=True,
    )
    for layer in folded.layers:
        if not layer.weights:
            continue
        source = model.get_layer(layer.name)
        kernel, bias = (w.numpy().astype(np.float64) for w in source.weights)
        if layer.name == "dense_3":
            layer.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
            continue
        bn = model.get_layer(BATCH_NORM_AFTER[layer.name])
        gamma, beta, mean, variance = (w.numpy().astype(np.float64) for w in bn.weights)
        scale = gamma / np.sqrt(variance + bn.epsilon)
        layer.set_weights(
            [(kernel * scale).astype(np.float32), ((bias - mean) * scale + beta).astype(np.float32)]
        )
    return folded
