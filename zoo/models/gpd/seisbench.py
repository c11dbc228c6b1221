"""SeisBench GPD weight files (``NAME.json[.vN]`` + ``NAME.pt[.vN]``) -> this folder's network.

SeisBench's ``GPD`` has the layout of :func:`zoo.models.gpd.model.build` (same kernels, ``same``
paddings, batch-norm epsilon 1e-3, 400-sample windows) with ``in_channels`` inputs in the JSON's
``component_order`` and ``classes`` outputs (softmax; sigmoid for a single class) in the order of
``phases`` (``None``: the class indices ``"0"``, ``"1"``, ...; :func:`output_labels`). Its
``forward`` first divides each window by ``max |x| + eps`` over channels and samples; that is
normalisation, which the card applies (not part of the Keras network).

One layout differs: PyTorch flattens the ``[256 channels, 25 samples]`` feature map channel by channel
(index ``c * 25 + t``), Keras' ``Flatten`` of ``[25, 256]`` sample by sample (``t * 256 + c``).
Unless ``original_compatible`` is true (SeisBench then permutes before flattening, as Keras does),
the rows of ``fc1``'s kernel are reordered accordingly.

State-dict keys -> Keras layers: ``conv1..4`` -> ``conv1d_1..4``, ``bn1..4`` ->
``batch_normalization_1..4``, ``fc1``/``fc2``/``fc3`` -> ``dense_1``/``dense_2``/``dense_3``,
``bn5``/``bn6`` -> ``batch_normalization_5``/``6``.

Example:
    >>> from zoo.models.gpd.model import build
    >>> from zoo.torch_pickle import read_state_dict
    >>> args = {"phases": "PSN", "original_compatible": False}
    >>> model = build(**build_config(args))
    >>> assign(model, read_state_dict("tests/seisbench/fixtures/models/gpd/random.pt"), args)
    >>> output_labels(args)
    ('P', 'S', 'N')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from zoo.models.gpd.model import FILTERS
from zoo.models.seisbench_args import ModelArgs
from zoo.models.torch_layouts import Plan

SEISBENCH_CLASS = "GPD"
INPUT_SAMPLES = 400  # fixed in SeisBench's GPD
_KNOWN = {"in_channels", "classes", "phases", "eps", "pred_sample", "original_compatible"}


def _args(model_args: Mapping[str, Any] | None) -> tuple[ModelArgs, int, int]:
    args = ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    channels = args.positive_int("in_channels", 3)
    classes = args.positive_int("classes", 3)
    args.labels("phases", None, classes)
    args.components(channels)
    args.positive_number("sampling_rate", 100)
    args.number("eps", 1e-10, zero=True)
    args.flag("original_compatible")
    pred_sample = args.args.get("pred_sample", 200)
    if (
        isinstance(pred_sample, bool)
        or not isinstance(pred_sample, int)
        or not 0 <= pred_sample < INPUT_SAMPLES
    ):
        raise ValueError(
            f"GPD model_args pred_sample={pred_sample!r} is not supported; expected a sample index 0..399."
        )
    return args, channels, classes


def build_config(model_args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :func:`zoo.models.gpd.model.build` for a SeisBench GPD.

    Raises:
        ValueError: a model_args key this converter does not know, or an unsupported value.
    """
    _, channels, classes = _args(model_args)
    return {
        "input_samples": INPUT_SAMPLES,
        "channels": channels,
        "classes": classes,
        "output_activation": "sigmoid" if classes == 1 else "softmax",
    }


def output_labels(model_args: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The labels of the network's output classes, in order (``phases``, or ``"0"``, ``"1"``, ...)."""
    args, _, classes = _args(model_args)
    return args.labels("phases", None, classes)


def _torch_flatten_rows(kernel: np.ndarray, channels: int) -> np.ndarray:
    """Reorder the ``[channels * positions, units]`` kernel rows from ``c * positions + t`` to
    ``t * channels + c``."""
    positions = kernel.shape[0] // channels
    return kernel.reshape(channels, positions, -1).transpose(1, 0, 2).reshape(kernel.shape)


def assign(
    model: keras.Model,
    state: Mapping[str, np.ndarray],
    model_args: Mapping[str, Any] | None = None,
    source: str = "the state dict",
) -> None:
    """Assign a SeisBench GPD state dict to ``model`` (built from :func:`build_config`).

    ``model_args`` (the file's JSON; ``None``: SeisBench's defaults) gives ``original_compatible``,
    which decides the order of ``fc1``'s input rows; ``source`` names the state dict in messages.

    Raises:
        ValueError: a missing or unknown key, or a tensor whose shape differs from the network's (the
            model is left unchanged).
    """
    args, _, _ = _args(model_args)
    plan = Plan(state, source)
    for i in range(1, len(FILTERS) + 1):
        plan.conv(f"conv{i}", model.get_layer(f"conv1d_{i}"))
        plan.batch_norm(f"bn{i}", model.get_layer(f"batch_normalization_{i}"))
    permute = None
    if not args.flag("original_compatible"):
        channels = FILTERS[-1]
        permute = lambda kernel: _torch_flatten_rows(kernel, channels)  # noqa: E731
    plan.dense("fc1", model.get_layer("dense_1"), permute=permute)
    plan.batch_norm("bn5", model.get_layer("batch_normalization_5"))
    plan.dense("fc2", model.get_layer("dense_2"))
    plan.batch_norm("bn6", model.get_layer("batch_normalization_6"))
    plan.dense("fc3", model.get_layer("dense_3"))
    plan.apply()
