"""EQTransformer's inference copy: the card's ``inference_model``, used by ``zoo.annotate`` and exports.

Two rewrites, each giving the network's outputs to float32 round-off (about 1e-6):

- the decoders' ``UpSampling1D`` + ``Conv1D`` pairs and the 8 -> 1 output heads as the faster
  convolutions of :func:`zoo.models.conv_rewrites.rewrite_convolutions`;
- the middle (from the last residual unit's output through the BiLSTMs and transformer blocks to the
  encoding and the two LSTM + local-attention heads, all on 47 time steps) compiled by XLA as one
  :class:`zoo.models.compiled_block.CompiledBlock` (44 -> 20 ms per 64 windows on 2 cores).

Example:
    >>> from zoo.models.eqtransformer.model import build
    >>> [type(layer).__name__ for layer in inference_model(build()).layers if "Compiled" in type(layer).__name__]
    ['CompiledBlock']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from zoo.models.compiled_block import compile_block
from zoo.models.conv_rewrites import rewrite_convolutions
from zoo.models.eqtransformer.layers import EqtLayerNormalization, SeqSelfAttention
from zoo.models.label_curves import ending_in_curves


def middle(model: keras.Model) -> tuple[str, tuple[str, ...]]:
    """``(first, outputs)``: the layer whose output enters the first BiLSTM, and the layers that end the
    middle: the encoding (the last layer normalisation) and the phase heads' local attentions."""
    bilstm = next(layer for layer in model.layers if isinstance(layer, keras.layers.Bidirectional))
    encoding = [layer.name for layer in model.layers if isinstance(layer, EqtLayerNormalization)][-1]
    heads = [
        layer.name
        for layer in model.layers
        if isinstance(layer, SeqSelfAttention) and layer.attention_width is not None
    ]
    return bilstm.input._keras_history.operation.name, (encoding, *heads)


def inference_model(model: keras.Model, postprocess: Callable[[Any], Any] | None = None) -> keras.Model:
    """``model``'s decoder convolutions rewritten and its middle compiled by XLA (same weights), ending
    in ``postprocess`` of its three outputs if given (:func:`~zoo.models.label_curves.ending_in_curves`)."""
    first, outputs = middle(model)
    network = compile_block(rewrite_convolutions(model), first, outputs)
    return network if postprocess is None else ending_in_curves(network, postprocess)
