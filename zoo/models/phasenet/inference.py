"""PhaseNet's inference copy: the card's ``inference_model``, used by ``zoo.annotate`` and exports.

Batch norm folded into the convolutions and the softmax computed from logit differences
(:func:`zoo.models.phasenet.model.fold_batch_norm`), then its convolutions as
:class:`zoo.models.conv_rewrites.MappedConv1D` (the strided transposed convolutions as polyphase
convolutions), into which oneDNN fuses bias and ReLU
(:func:`zoo.models.conv_rewrites.rewrite_convolutions`). Same probabilities to float32 round-off
(about 3e-7).

Example:
    >>> from zoo.models.phasenet.model import build
    >>> [layer.name for layer in inference_model(build()).layers if layer.name.endswith("_transposed")]
    ['up_conv0_4_transposed', 'up_conv0_3_transposed', 'up_conv0_2_transposed', 'up_conv0_1_transposed']
"""

from __future__ import annotations

import keras

from zoo.models.conv_rewrites import rewrite_convolutions
from zoo.models.phasenet.model import fold_batch_norm


def inference_model(model: keras.Model) -> keras.Model:
    """``model`` with batch norm folded and its convolutions rewritten (a copy with its own weights)."""
    return rewrite_convolutions(fold_batch_norm(model))
