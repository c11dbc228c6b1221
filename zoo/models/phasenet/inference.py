"""PhaseNet's inference copy: the card's ``inference_model``, used by ``zoo.annotate`` and exports.

Batch norm folded into the convolutions and the softmax computed from logit differences
(:func:`zoo.models.phasenet.model.fold_batch_norm`), then its convolutions as
:class:`zoo.models.conv_rewrites.MappedConv1D` (the strided transposed convolutions as polyphase
convolutions, the stride-4 ones with their stride, on AVX-512 CPUs the 8-filter convolutions at 3000
samples on pairs of samples), into which oneDNN fuses bias and ReLU
(:func:`zoo.models.conv_rewrites.rewrite_convolutions`), and there the 8-filter skip convolution on pairs
of samples too (:func:`pair_skip_convolutions`). Same probabilities to float32 round-off (about 5e-7).
Given the card's ``postprocess`` (PhaseNet's own: the labels' order P, S, N), the output convolution and
the softmax run as one XLA-compiled :class:`~zoo.models.phasenet.layers.CompiledSoftmax` that puts out that
order itself (:func:`labelled`), so annotation makes no pass over the curves to reorder them; another
post-processing (a SeisBench file's variant) runs after the network as a
:class:`~zoo.models.label_curves.LabelCurves` layer.

Example:
    >>> from zoo.models.phasenet.model import build
    >>> [layer.name for layer in inference_model(build()).layers if layer.name.endswith("_transposed")]
    ['up_conv0_4_transposed', 'up_conv0_3_transposed', 'up_conv0_2_transposed', 'up_conv0_1_transposed']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from zoo.lazy import resolved
from zoo.models.conv_rewrites import PAIRED_FILTERS, blocked_kernel, pairs_fill_a_vector, rewrite_convolutions
from zoo.models.label_curves import ending_in_curves
from zoo.models.phasenet import preprocessing
from zoo.models.phasenet.layers import CompiledSoftmax, SkipConv1D, SoftmaxOfDifferences
from zoo.models.phasenet.model import fold_batch_norm


def inference_model(
    model: keras.Model, postprocess: Callable[[Any], Any] | None = None, paired: bool | None = None
) -> keras.Model:
    """``model`` with batch norm folded and its convolutions rewritten (a copy with its own weights),
    computing ``postprocess`` of its outputs if given (:func:`labelled`); ``paired``: its 8-filter
    convolutions at 3000 samples on pairs of samples (``None``: where
    :func:`~zoo.models.conv_rewrites.pairs_fill_a_vector`)."""
    paired = pairs_fill_a_vector() if paired is None else paired
    rewritten = rewrite_convolutions(fold_batch_norm(model), paired=paired)
    network = pair_skip_convolutions(rewritten) if paired else rewritten
    return network if postprocess is None else labelled(network, postprocess)


def labelled(network: keras.Model, postprocess: Callable[[Any], Any]) -> keras.Model:
    """``network`` (a folded PhaseNet) computing ``postprocess`` of its outputs: for PhaseNet's own
    post-processing its output convolution and softmax as one
    :class:`~zoo.models.phasenet.layers.CompiledSoftmax` that puts out the labels' order
    (:data:`~zoo.models.phasenet.preprocessing.LABEL_ORDER`; every other layer is the network's own),
    for any other one that function after the network."""
    differences, softmax = network.layers[-2:]
    if resolved(postprocess) is not preprocessing.postprocess or not isinstance(
        softmax, SoftmaxOfDifferences
    ):
        return ending_in_curves(network, postprocess)
    order = tuple(softmax.order[c] for c in preprocessing.LABEL_ORDER)
    head = CompiledSoftmax(softmax.classes, order=order, name=softmax.name)
    kernel, bias = differences.get_weights()
    head.build((None, None, kernel.shape[1]))
    head.set_weights([kernel[0], bias])

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if layer is differences:
            return args[0]
        return (head if layer is softmax else layer)(*args, **kwargs)

    return keras.models.clone_model(network, clone_function=lambda layer: layer, call_function=call)


def pair_skip_convolutions(model: keras.Model) -> keras.Model:
    """``model`` with each 8-filter :class:`SkipConv1D` over an even length read in pairs of samples
    (``block=2``, kernel mapped now); every other layer is the model's own. PhaseNet's at 3000 samples:
    16 + 8 channels -> 8 filters, 4.18 -> 3.49 ms per 64 windows on an AMD EPYC."""

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        skip = args[0]
        if not (
            isinstance(layer, SkipConv1D)
            and layer.block == 1
            and layer.filters == PAIRED_FILTERS
            and skip.shape[1] is not None
            and skip.shape[1] % 2 == 0
        ):
            return layer(*args, **kwargs)
        config = {**layer.get_config(), "block": 2, "name": f"{layer.name}_paired"}
        new = SkipConv1D.from_config(config)
        new.build(tuple(skip.shape), tuple(args[1].shape))
        channels = skip.shape[-1]
        kernel = layer.kernel.numpy()
        mapped = [blocked_kernel(kernel[:, :channels], 2), blocked_kernel(kernel[:, channels:], 2)]
        weights = [np.concatenate(mapped, axis=1)]
        if layer.use_bias:
            weights.append(np.tile(layer.bias.numpy(), 2))
        new.set_weights(weights)
        return new(*args, **kwargs)

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
