"""SeisBench CRED weight files (``NAME.json[.vN]`` + ``NAME.pt[.vN]``) -> this folder's network.

SeisBench's ``CRED`` has the layout of :func:`zoo.models.cred.model.build` but takes ``in_samples``
= 3000 samples by default (76 STFT frames -> 19 output steps per window) and pads its two stride-2
convolutions symmetrically (PyTorch ``padding=4`` and ``padding=2``), which is not Keras ``same`` for
an even number of frames; :func:`build_config` therefore gives explicit paddings
(``strided_padding``). With ``original_compatible`` SeisBench pads the second one by 1 frame more on
the left and drops the first output frame, i.e. pads ``(1, 2)`` in time like Keras ``same``.
SeisBench's STFT (``torch.stft``, ``center=True``, scaled by 1/40) equals geozoo's
:class:`~zoo.models.cred.stft.STFTMagnitude` when ``in_samples`` is a multiple of the 40-sample hop.
The Keras network takes the normalised waveform (SeisBench's network takes the spectrogram).

State-dict keys -> Keras layers: ``conv1`` -> ``conv2d_1``; ``cnn_block1.norms.{0,1}`` /
``.convs.{0,1}`` -> ``batch_normalization_1``/``2``, ``conv2d_2``/``3``; ``conv2`` -> ``conv2d_4``;
``cnn_block2`` -> ``batch_normalization_3``/``4``, ``conv2d_5``/``6``; ``lstm_block.lstms.{0,1}``
-> ``bidirectional_1``/``2``; ``lstm`` -> ``lstm_3``; ``norm1`` -> ``batch_normalization_5``;
``fc1`` -> ``time_distributed_1``; ``norm2`` -> ``batch_normalization_6``; ``fc2`` ->
``time_distributed_2``.

Example:
    >>> from zoo.models.cred.model import build
    >>> from zoo.torch_pickle import read_state_dict
    >>> config = build_config({"in_samples": 3000})
    >>> config["strided_padding"]
    [[[4, 4], [4, 4]], [[2, 2], [2, 2]]]
    >>> model = build(**config)
    >>> model.output_shape
    (None, 19, 1)
    >>> assign(model, read_state_dict("tests/seisbench/fixtures/models/cred/random.pt"))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from zoo.models.seisbench_args import ModelArgs
from zoo.models.torch_layouts import Plan, lstm_keys

SEISBENCH_CLASS = "CRED"
FRAME_STEP = 40  # SeisBench's STFT hop in samples
_KNOWN = {"in_samples", "in_channels", "original_compatible"}


def build_config(model_args: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :func:`zoo.models.cred.model.build` for a SeisBench CRED.

    Raises:
        ValueError: a model_args key this converter does not know, or an unsupported value (e.g. an
            ``in_samples`` that is not a multiple of 40).
    """
    args = ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    samples = args.positive_int("in_samples", 3000)
    if samples % FRAME_STEP or samples < 4 * FRAME_STEP:
        raise ValueError(
            f"CRED model_args in_samples={samples} is not supported: geozoo's STFT matches SeisBench's only "
            f"for a multiple of {FRAME_STEP} samples (at least {4 * FRAME_STEP})."
        )
    channels = args.positive_int("in_channels", 3)
    args.components(channels)
    args.positive_number("sampling_rate", 100)
    time_padding = [1, 2] if args.flag("original_compatible") else [2, 2]
    return {
        "input_samples": samples,
        "channels": channels,
        "strided_padding": [[[4, 4], [4, 4]], [time_padding, [2, 2]]],
    }


def output_labels(model_args: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The label of the network's one output channel."""
    ModelArgs(model_args, SEISBENCH_CLASS, _KNOWN)
    return ("Detection",)


def assign(
    model: keras.Model,
    state: Mapping[str, np.ndarray],
    model_args: Mapping[str, Any] | None = None,
    source: str = "the state dict",
) -> None:
    """Assign a SeisBench CRED state dict to ``model`` (built from :func:`build_config`).

    ``model_args`` is not needed (the paddings are in the built network); ``source`` names the state
    dict in messages.

    Raises:
        ValueError: a missing or unknown key, or a tensor whose shape differs from the network's (the
            model is left unchanged).
    """
    plan = Plan(state, source)
    plan.conv("conv1", model.get_layer("conv2d_1"))
    plan.conv("conv2", model.get_layer("conv2d_4"))
    for block, (bn, conv) in enumerate(((1, 2), (3, 5)), start=1):
        for i in range(2):
            plan.batch_norm(f"cnn_block{block}.norms.{i}", model.get_layer(f"batch_normalization_{bn + i}"))
            plan.conv(f"cnn_block{block}.convs.{i}", model.get_layer(f"conv2d_{conv + i}"))
    for i in range(2):
        plan.bidirectional(f"lstm_block.lstms.{i}", model.get_layer(f"bidirectional_{i + 1}"), "torch")
    plan.lstm(lstm_keys("lstm", "torch"), model.get_layer("lstm_3"))
    plan.batch_norm("norm1", model.get_layer("batch_normalization_5"))
    plan.dense("fc1", model.get_layer("time_distributed_1").layer)
    plan.batch_norm("norm2", model.get_layer("batch_normalization_6"))
    plan.dense("fc2", model.get_layer("time_distributed_2").layer)
    plan.apply()
