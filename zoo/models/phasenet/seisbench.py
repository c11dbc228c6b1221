"""SeisBench PhaseNet weight files (``NAME.json[.vN]`` + ``NAME.pt[.vN]``) -> this folder's network.

SeisBench's ``PhaseNet`` is the same U-Net as :func:`zoo.models.phasenet.model.build` on 3001-sample
windows (its explicit paddings of the stride-4 convolutions and the ``[1:-2]`` crop after each
transposed convolution coincide with Keras ``same`` at that length), with ``8 * filter_factor``
root filters, ``in_channels`` inputs in the JSON's ``component_order`` and ``classes`` outputs in the
order of ``phases`` (``"NPS"`` by default; many published files say ``"PSN"``). The weights are not
permuted: the first convolution's input channels stay in ``component_order`` and the softmax channels
in ``phases`` order (:func:`output_labels`).

State-dict keys -> Keras layers (``i`` = 0..4 down, ``j`` = 0..3 up, ``d = 4 - j``):
``inc`` -> ``input_conv``, ``in_bn`` -> ``input_bn``; ``down_branch.i.{0,1,2,3}`` ->
``down_conv1_{i+1}``, ``down_bn1_{i+1}``, ``down_conv3_{i+1}``, ``down_bn3_{i+1}``;
``up_branch.j.{0,1,2,3}`` -> ``up_conv0_d``, ``up_bn0_d``, ``up_conv1_d``, ``up_bn1_d``;
``out`` -> ``output_conv``.

Example:
    >>> from zoo.models.phasenet.model import build
    >>> from zoo.torch_pickle import read_state_dict
    >>> config = build_config({"phases": "NPS", "in_channels": 3})
    >>> config
    {'input_samples': 3001, 'channels': 3, 'classes': 3, 'filters_root': 8}
    >>> model = build(**config)
    >>> assign(model, read_state_dict("tests/seisbench/fixtures/models/phasenet/random.pt"))
    >>> output_labels({"phases": "NPS"})
    ('N', 'P', 'S')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from zoo.models.seisbench_args import ModelArgs
from zoo.models.torch_layouts import Plan

SEISBENCH_CLASS = "PhaseNet"
INPUT_SAMPLES = 3001  # fixed in SeisBench's PhaseNet
_KNOWN = {"in_channels", "classes", "phases", "norm", "filter_factor", "norm_amp_per_comp", "norm_detrend"}


def _args(model_args: Mapping[str, Any] | None) -> tuple[ModelArgs, int, int]:
    args = ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    channels = args.positive_int("in_channels", 3)
    classes = args.positive_int("classes", 3)
    args.labels("phases", "NPS", classes)
    args.components(channels)
    args.positive_number("sampling_rate", 100)
    args.choice("norm", "std", ("std", "peak"))
    args.flag("norm_amp_per_comp")
    args.flag("norm_detrend")
    return args, channels, classes


def build_config(model_args: Mapping[str, Any] | None) -> dict[str, int]:
    """Keyword arguments of :func:`zoo.models.phasenet.model.build` for a SeisBench PhaseNet.

    Raises:
        ValueError: a model_args key this converter does not know, or an unsupported value.
    """
    args, channels, classes = _args(model_args)
    return {
        "input_samples": INPUT_SAMPLES,
        "channels": channels,
        "classes": classes,
        "filters_root": 8 * args.positive_int("filter_factor", 1),
    }


def output_labels(model_args: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The labels of the network's output channels, in order (SeisBench's ``phases``)."""
    args, _, classes = _args(model_args)
    return args.labels("phases", "NPS", classes)


def _layer(model: keras.Model, name: str) -> keras.layers.Layer:
    try:
        return model.get_layer(name)
    except ValueError:
        raise ValueError(
            f"The Keras model has no layer {name!r}: build it with build(**build_config(model_args)) "
            "(not folded)."
        ) from None


def assign(
    model: keras.Model,
    state: Mapping[str, np.ndarray],
    model_args: Mapping[str, Any] | None = None,
    source: str = "the state dict",
) -> None:
    """Assign a SeisBench PhaseNet state dict to ``model`` (built from :func:`build_config`).

    ``model_args`` is not needed (every PhaseNet stores its weights in one layout); ``source`` names
    the state dict in messages.

    Raises:
        ValueError: a missing or unknown key, or a tensor whose shape differs from the network's (the
            model is left unchanged).
    """
    plan = Plan(state, source)
    depth = sum(1 for layer in model.layers if layer.name.startswith("down_conv1_"))
    plan.conv("inc", _layer(model, "input_conv"))
    plan.batch_norm("in_bn", _layer(model, "input_bn"))
    for i in range(depth):
        level = i + 1
        plan.conv(f"down_branch.{i}.0", _layer(model, f"down_conv1_{level}"), bias=False)
        plan.batch_norm(f"down_branch.{i}.1", _layer(model, f"down_bn1_{level}"))
        if i < depth - 1:
            plan.conv(f"down_branch.{i}.2", _layer(model, f"down_conv3_{level}"), bias=False)
            plan.batch_norm(f"down_branch.{i}.3", _layer(model, f"down_bn3_{level}"))
    for j in range(depth - 1):
        level = depth - 1 - j
        plan.conv_transpose(f"up_branch.{j}.0", _layer(model, f"up_conv0_{level}"), bias=False)
        plan.batch_norm(f"up_branch.{j}.1", _layer(model, f"up_bn0_{level}"))
        plan.conv(f"up_branch.{j}.2", _layer(model, f"up_conv1_{level}"), bias=False)
        plan.batch_norm(f"up_branch.{j}.3", _layer(model, f"up_bn1_{level}"))
    plan.conv("out", _layer(model, "output_conv"))
    plan.apply()
