"""GPD's inference copy: the card's ``inference_model``, used by ``zoo.annotate`` and exports.

Each batch normalisation is folded into the convolution or dense layer before it
(:func:`zoo.models.batch_norm.folded_weights`) and the ReLU after it moves into that layer
(:func:`fold_batch_norm`). The convolutions then run as
:class:`zoo.models.conv_rewrites.MappedConv1D`, into which oneDNN fuses bias and ReLU
(:func:`zoo.models.conv_rewrites.rewrite_convolutions`). Same probabilities to float32 round-off.

Example:
    >>> from zoo.models.gpd.model import build
    >>> [layer.name for layer in inference_model(build()).layers if "batch" in layer.name]
    []
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from zoo.models.batch_norm import folded_weights
from zoo.models.conv_rewrites import rewrite_convolutions
from zoo.models.gpd.model import FILTERS, build
from zoo.models.label_curves import ending_in_curves

BATCH_NORM_AFTER = {
    **{f"conv1d_{i}": f"batch_normalization_{i}" for i in range(1, len(FILTERS) + 1)},
    "dense_1": f"batch_normalization_{len(FILTERS) + 1}",
    "dense_2": f"batch_normalization_{len(FILTERS) + 2}",
}
"""The batch normalisation that follows each convolution and hidden dense layer (GPD's layer names)."""


def inference_model(model: keras.Model, postprocess: Callable[[Any], Any] | None = None) -> keras.Model:
    """``model`` (a GPD network, any :func:`~zoo.models.gpd.model.build` arguments) with batch norm
    folded and its convolutions rewritten: a copy with its own weights, for prediction only; ending in
    ``postprocess`` if given (:func:`~zoo.models.label_curves.ending_in_curves`)."""
    network = rewrite_convolutions(fold_batch_norm(model))
    return network if postprocess is None else ending_in_curves(network, postprocess)


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
        weights = model.get_layer(layer.name).get_weights()
        if layer.name in BATCH_NORM_AFTER:
            weights = folded_weights(*weights, model.get_layer(BATCH_NORM_AFTER[layer.name]))
        layer.set_weights(weights)
    return folded
