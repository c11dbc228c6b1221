"""SeisBench EQTransformer weight files (``NAME.json[.vN]`` + ``NAME.pt[.vN]``) -> this folder's network.

SeisBench has three EQTransformer architectures, chosen by ``model_args["original_compatible"]``:

============================  ===========================  =================  =======  ==========
``original_compatible``       LSTM state-dict keys         LSTM gates         attn eps decoder crop
============================  ===========================  =================  =======  ==========
``False`` (default)           ``nn.LSTM`` everywhere       sigmoid            1e-5     "trailing"
``"conservative"``            ``CustomLSTM`` everywhere    hard sigmoid       1e-7     "original"
``"non-conservative"``/True   ``CustomLSTM`` in the stack, sigmoid            1e-7     "original"
                              ``nn.LSTM`` in the pick heads
============================  ===========================  =================  =======  ==========

plus ``lstm_blocks`` BiLSTM blocks (3 by default), ``in_samples`` (6000; other lengths only with
``original_compatible=False``) and ``in_channels``. :func:`build_config` maps these to
:func:`zoo.models.eqtransformer.model.build`'s arguments; :func:`assign` reads the variant back from the
built network (gates and decoder crop), so a state dict of another variant fails on its keys.
Output channels are ``Detection`` then ``phases`` (``"PS"``): SeisBench's pick head ``c`` is
the Keras head built as ``picker_P`` (c = 0) or ``picker_S`` (c = 1), whatever the letters.

Keras layers are matched to state-dict modules in build order (the Keras-2 style automatic names
``conv1d_N``, ``batch_normalization_N``, ... count up as the network is built): encoder convolutions,
then the residual stack (``norm1``, ``conv1``, ``norm2``, ``conv2`` per block), the BiLSTM blocks
(``lstm``, ``conv``, ``norm``), the transformers (``attention``, ``norm1``, ``ff``, ``norm2``), the
detection decoder and each pick head (``lstm``, ``attention``, decoder, final convolution).

Example:
    >>> from zoo.models.eqtransformer.model import build
    >>> from zoo.torch_pickle import read_state_dict
    >>> config = build_config({"original_compatible": "conservative", "lstm_blocks": 3})
    >>> config["lstm_recurrent_activation"], config["attention_epsilon"], config["decoder_crop"]
    ('hard_sigmoid', 1e-07, 'original')
    >>> model = build(**config)
    >>> state = read_state_dict("tests/seisbench/fixtures/models/eqtransformer/conservative.pt.v1")
    >>> assign(model, state, {"original_compatible": "conservative"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from zoo.models.eqtransformer.layers import keras2_hard_sigmoid
from zoo.models.seisbench_args import ModelArgs
from zoo.models.torch_layouts import Plan, lstm_keys

SEISBENCH_CLASS = "EQTransformer"
VARIANTS = ("default", "conservative", "non-conservative")
_KNOWN = {
    "in_channels",
    "in_samples",
    "classes",
    "phases",
    "lstm_blocks",
    "drop_rate",
    "original_compatible",
    "norm",
    "norm_amp_per_comp",
    "norm_detrend",
}
# variant -> (LSTM gates, attention epsilon, decoder crop, BiLSTM key style, pick-LSTM key style)
_ARCHITECTURES = {
    "default": ("sigmoid", 1e-5, "trailing", "torch", "torch"),
    "conservative": ("hard_sigmoid", 1e-7, "original", "cells", "cells"),
    "non-conservative": ("sigmoid", 1e-7, "original", "cells", "torch"),
}
# original_compatible -> variant (SeisBench reads None like False and True as "non-conservative")
_COMPATIBLE = {
    False: "default",
    None: "default",
    True: "non-conservative",
    "conservative": "conservative",
    "non-conservative": "non-conservative",
}
_ENCODER_LEVELS = 7
_RESIDUAL_BLOCKS = 7
_PICK_HEADS = 2


def variant(model_args: Mapping[str, Any] | None) -> str:
    """The architecture variant (``"default"``, ``"conservative"``, ``"non-conservative"``) of a file.

    Raises:
        ValueError: an ``original_compatible`` value SeisBench does not define.
    """
    args = ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    return _COMPATIBLE[args.choice("original_compatible", False, tuple(_COMPATIBLE))]


def build_config(model_args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :func:`zoo.models.eqtransformer.model.build` for a SeisBench EQTransformer.

    Raises:
        ValueError: an unknown key, an unsupported ``original_compatible`` (architecture version),
            ``classes`` other than 2, or another unsupported value, naming it.
    """
    args = ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    name = variant(model_args)
    gates, epsilon, crop, _, _ = _ARCHITECTURES[name]
    channels = args.positive_int("in_channels", 3)
    samples = args.positive_int("in_samples", 6000)
    if name != "default" and samples != 6000:
        raise ValueError(
            f"EQTransformer model_args in_samples={samples} is not supported with original_compatible="
            f"{args.args.get('original_compatible')!r} (SeisBench allows 6000 only)."
        )
    if samples < 2**_ENCODER_LEVELS:
        raise ValueError(f"EQTransformer model_args in_samples={samples} is too short (at least 128).")
    classes = args.choice("classes", 2, (_PICK_HEADS,))
    args.labels("phases", "PS", classes)
    args.components(channels)
    args.positive_number("sampling_rate", 100)
    args.choice("norm", "std", ("std", "peak"))
    args.flag("norm_amp_per_comp")
    args.flag("norm_detrend")
    drop_rate = args.number("drop_rate", 0.1, high=1.0, zero=True)
    return {
        "bilstm_blocks": args.positive_int("lstm_blocks", 3),
        "drop_rate": drop_rate,
        "lstm_recurrent_activation": gates,
        "input_samples": samples,
        "channels": channels,
        "attention_epsilon": epsilon,
        "decoder_crop": crop,
    }


def output_labels(model_args: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The labels of the network's outputs, in order: ``Detection``, then ``phases``."""
    args = ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    return ("Detection", *args.labels("phases", "PS", args.choice("classes", 2, (_PICK_HEADS,))))


def _numbered(model: keras.Model, kind: str) -> list[keras.layers.Layer]:
    """Layers named ``<kind>_<n>``, in order of ``n`` (build order)."""
    pattern = re.compile(rf"{kind}_(\d+)")
    found = [(int(m.group(1)), layer) for layer in model.layers if (m := pattern.fullmatch(layer.name))]
    return [layer for _, layer in sorted(found, key=lambda item: item[0])]


def _built_variant(model: keras.Model) -> str:
    """Which SeisBench architecture ``model`` was built as (from its gates, crop and attention eps)."""
    lstms = _numbered(model, "lstm")
    crops = {tuple(layer.cropping) for layer in _numbered(model, "cropping1d")}
    if not lstms:
        raise ValueError(f"Model {model.name!r} is not an EQTransformer built by zoo.models.eqtransformer.")
    hard = lstms[0].cell.recurrent_activation is keras2_hard_sigmoid
    epsilon = model.get_layer("attentionD0").epsilon
    for name, (gates, eps, crop, _, _) in _ARCHITECTURES.items():
        if (
            (gates == "hard_sigmoid") == hard
            and np.isclose(eps, epsilon)
            and ((1, 1) in crops) == (crop == "original")
        ):
            return name
    raise ValueError(
        f"Model {model.name!r} (hard-sigmoid gates {hard}, attention eps {epsilon}, crops {sorted(crops)}) is "
        "none of SeisBench's EQTransformer architectures; build it with build(**build_config(model_args))."
    )


def _transformer(plan: Plan, prefix: str, attention: keras.layers.Layer, norms: list, ff) -> None:
    for key in ("Wx", "Wt", "bh", "Wa", "ba"):
        plan.same(f"{prefix}.attention.{key}", getattr(attention, key))
    plan.column(f"{prefix}.norm1.gamma", norms[0].gamma)
    plan.column(f"{prefix}.norm1.beta", norms[0].beta)
    for key, variable in (("lin1.weight", ff.W1), ("lin2.weight", ff.W2)):
        plan.put(variable, plan.take(f"{prefix}.ff.{key}", tuple(reversed(variable.shape))).T)
    plan.same(f"{prefix}.ff.lin1.bias", ff.b1)
    plan.same(f"{prefix}.ff.lin2.bias", ff.b2)
    plan.column(f"{prefix}.norm2.gamma", norms[1].gamma)
    plan.column(f"{prefix}.norm2.beta", norms[1].beta)


def assign(
    model: keras.Model,
    state: Mapping[str, np.ndarray],
    model_args: Mapping[str, Any] | None = None,
    source: str = "the state dict",
) -> None:
    """Assign a SeisBench EQTransformer state dict to ``model`` (built from :func:`build_config`).

    ``model_args`` (the file's JSON, ``None``: SeisBench's defaults) says which architecture the state
    dict is; ``model`` must have been built as that architecture. ``source`` names it in messages.

    Raises:
        ValueError: the model was built as another architecture, a missing or unknown key, or a tensor
            whose shape differs from the network's (the model is left unchanged).
    """
    expected, built = variant(model_args), _built_variant(model)
    if expected != built:
        raise ValueError(
            f"{source} is SeisBench's {expected!r} EQTransformer, but the Keras model was built as the "
            f"{built!r} one; build it with build(**build_config(model_args))."
        )
    _, _, _, stack_style, pick_style = _ARCHITECTURES[built]
    plan = Plan(state, source)
    convs = iter(_numbered(model, "conv1d"))
    norms = iter(_numbered(model, "batch_normalization"))
    for i in range(_ENCODER_LEVELS):
        plan.conv(f"encoder.convs.{i}", next(convs))
    for i in range(_RESIDUAL_BLOCKS):
        prefix = f"res_cnn_stack.members.{i}"
        plan.batch_norm(f"{prefix}.norm1", next(norms))
        plan.conv(f"{prefix}.conv1", next(convs))
        plan.batch_norm(f"{prefix}.norm2", next(norms))
        plan.conv(f"{prefix}.conv2", next(convs))
    for i, bidirectional in enumerate(_numbered(model, "bidirectional")):
        prefix = f"bi_lstm_stack.members.{i}"
        plan.bidirectional(f"{prefix}.lstm", bidirectional, stack_style)
        plan.conv(f"{prefix}.conv", next(convs))
        plan.batch_norm(f"{prefix}.norm", next(norms))
    layer_norms = _numbered(model, "layer_normalization")
    feed_forwards = _numbered(model, "feed_forward")
    for i, (prefix, attention) in enumerate(
        (("transformer_d0", "attentionD0"), ("transformer_d", "attentionD"))
    ):
        _transformer(
            plan, prefix, model.get_layer(attention), layer_norms[2 * i : 2 * i + 2], feed_forwards[i]
        )
    for i in range(_ENCODER_LEVELS):
        plan.conv(f"decoder_d.convs.{i}", next(convs))
    plan.conv("conv_d", model.get_layer("detector"))
    for c, (lstm, head) in enumerate(zip(_numbered(model, "lstm"), ("P", "S"))):
        plan.lstm(lstm_keys(f"pick_lstms.{c}", pick_style), lstm)
        attention = model.get_layer(f"attention{head}")
        for key in ("Wx", "Wt", "bh", "Wa", "ba"):
            plan.same(f"pick_attentions.{c}.{key}", getattr(attention, key))
        for i in range(_ENCODER_LEVELS):
            plan.conv(f"pick_decoders.{c}.convs.{i}", next(convs))
        plan.conv(f"pick_convs.{c}", model.get_layer(f"picker_{head}"))
    plan.apply()
