"""ONNX export of the ``serving_default`` signature through tf2onnx, checked with onnxruntime.

The ONNX graph has one input ``waveform`` (float32 ``[windows, samples, channels]``, raw counts,
normalisation inside) and the same named outputs as the SavedModel's ``serving_default``
(:mod:`zoo.export.signatures`). It is written as ``<base>/<version>/model.onnx`` (the layout
Triton's ONNX backend reads) in opset :data:`OPSET`, with the card facts of ``zoo_model.json`` in
the model's ``metadata_props``.

The graph is converted in memory, run with onnxruntime on two windows of noise and compared with
the Keras path ``card.annotation.postprocess(model(card.waveform.normalize(x)))``; only then is anything written. A
conversion that fails, a graph onnxruntime cannot run, or a difference above :data:`TOLERANCE` is a
``ValueError`` that says what went wrong in words, and no file or folder is created.

How the graph is prepared (:func:`onnx_graph`):

- Dropout layers are identity at inference, so they are left out of the converted network (a
  clone that shares every other layer). This matters for EQTransformer, whose spatial dropout
  computes random numbers at inference too (its Monte-Carlo switch), and those random ops have no
  ONNX conversion; with the switch on, the check against Keras refuses the export.
- The signature function is frozen before conversion, so constants that a layer keeps outside its
  weights (CRED's STFT bases) become graph constants instead of extra graph inputs.
- tf2onnx's messages (and TensorFlow's deprecation notices and native log lines while freezing) go
  to this module's log at INFO (``zoo --verbose``), not to the terminal.

Verified here (tf2onnx 1.17.0, onnx 1.23, onnxruntime 1.31, TensorFlow 2.21): PhaseNet, GPD,
CRED and EQTransformer convert and match Keras to better than 1e-6.

Needs the optional extra ``onnx``: ``pip install tf2onnx onnxruntime``.

Example:
    >>> import tempfile, zoo
    >>> from zoo.export.onnx import export_onnx
    >>> export_onnx(zoo.load("gpd"), tempfile.mkdtemp() + "/gpd", version=1).name
    'model.onnx'
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.export.layout import check_version, staged_version
from zoo.export.savedmodel import serving_network
from zoo.export.signatures import SERVING_DEFAULT, WAVEFORM, output_names, signatures
from zoo.export.warmup import warmup_window
from zoo.registry import ModelCard, waveform_card
from zoo.runtime import native_stderr_logged

logger = logging.getLogger(__name__)

OPSET = 17
TOLERANCE = 1e-4
ONNX_FILE = "model.onnx"
CATCH_ERRORS = "TF2ONNX_CATCH_ERRORS"
_ENVIRONMENT = threading.Lock()
"""Held while :data:`CATCH_ERRORS` is set for one conversion."""

_OP_WORDS = {
    "StatelessRandomUniformV2": "random numbers (dropout active at inference)",
    "StatelessRandomNormalV2": "random numbers",
    "RandomUniform": "random numbers",
    "RandomStandardNormal": "random numbers",
}
"""TensorFlow operations without an ONNX conversion, said in words for the error message."""


def _modules():
    try:
        import onnxruntime
        import tf2onnx
    except ImportError as err:
        raise ImportError(
            "ONNX export needs the optional extra 'onnx': pip install tf2onnx onnxruntime"
        ) from err
    return tf2onnx, onnxruntime


def check_onnx_installed() -> None:
    """Raise ``ImportError`` with the install command unless tf2onnx and onnxruntime import."""
    _modules()


def keras_outputs(model: Any, card: ModelCard, x: np.ndarray) -> dict[str, np.ndarray]:
    """The Keras path ``card.annotation.postprocess(model(card.waveform.normalize(x)))`` split into named outputs."""
    curves = np.asarray(card.annotation.postprocess(model(card.waveform.normalize(x), training=False)))
    point = card.annotation.output_kind == "point"
    return {name: curves[:, 0, k] if point else curves[:, :, k] for k, name in enumerate(output_names(card))}


def run_onnx(model: str | os.PathLike | bytes, x: np.ndarray) -> dict[str, np.ndarray]:
    """Run an ONNX model (a file, or its serialised bytes) with onnxruntime on raw windows ``x``."""
    _, onnxruntime = _modules()
    source = model if isinstance(model, bytes) else str(model)
    session = onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]
    if inputs != [WAVEFORM]:
        raise ValueError(
            f"The ONNX graph needs inputs {inputs}; only {WAVEFORM!r} can be fed (the extra inputs are "
            "values the network computes outside its weights that the converter did not fold in)."
        )
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, {WAVEFORM: np.asarray(x, np.float32)})))


def _is_dropout(layer: Any) -> bool:
    return isinstance(layer, keras.layers.Dropout) or "Dropout" in type(layer).__name__


def without_dropout(network: Any) -> Any:
    """``network`` with every dropout layer replaced by an identity (other layers shared), or itself.

    Dropout is the identity at inference; leaving it out keeps random-number ops out of the graph.
    Only functional and sequential networks are rebuilt (nested ones too); others are returned as
    they are.
    """

    def replace(layer: Any) -> Any:
        if _is_dropout(layer):
            return keras.layers.Identity(name=layer.name)
        if isinstance(layer, keras.Model) and _has_dropout(layer):
            return keras.models.clone_model(layer, clone_function=replace)
        return layer

    if not _has_dropout(network):
        return network
    try:
        return keras.models.clone_model(network, clone_function=replace)
    except ValueError:  # a subclassed model cannot be cloned layer by layer
        return network


def _has_dropout(network: Any) -> bool:
    stack = list(getattr(network, "layers", []))
    while stack:
        layer = stack.pop()
        if _is_dropout(layer):
            return True
        stack.extend(getattr(layer, "layers", []))
    return False


class _ConverterLog(logging.Handler):
    """Re-log converter records at INFO under this module; remember what could not be converted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reset()

    def reset(self) -> None:
        """Forget what a conversion reported (before converting again)."""
        self.unsupported: collections.Counter[str] = collections.Counter()
        self.failed: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.msg == "Tensorflow op [%s: %s] is not supported" and len(record.args or ()) == 2:
            self.unsupported[str(record.args[1])] += 1
        elif record.levelno >= logging.ERROR and str(record.msg).startswith("Failed to convert node"):
            self.failed.append(message.split("\n")[0])
        if record.levelno >= logging.INFO:
            logger.info("%s: %s", record.name, message)


@contextlib.contextmanager
def _converter_log() -> Iterator[_ConverterLog]:
    handler = _ConverterLog()
    saved = []
    for name in ("tf2onnx", "tensorflow"):
        source = logging.getLogger(name)
        saved.append((source, source.handlers[:], source.propagate, source.level))
        source.handlers = [handler]
        source.propagate = False
        source.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        for source, handlers, propagate, level in saved:
            source.handlers = handlers
            source.propagate = propagate
            source.setLevel(level)


def _unsupported_in_words(counts: collections.Counter[str]) -> str:
    return "; ".join(
        f"{op} x{n}" + (f" ({_OP_WORDS[op]})" if op in _OP_WORDS else "") for op, n in sorted(counts.items())
    )


def onnx_graph(network: Any, card: ModelCard, finish: Callable[[Any], Any]) -> Any:
    """The ONNX ``ModelProto`` of the ``serving_default`` signature of ``network`` (not checked), whose
    outputs ``finish`` makes label curves of (:func:`~zoo.export.savedmodel.serving_network`).

    Raises:
        ValueError: tf2onnx cannot convert some operations; the message names them in words.
    """
    tf2onnx, _ = _modules()
    from tf2onnx import tf_loader
    from tf2onnx.convert import tensor_names_from_structed

    function, specs = signatures(without_dropout(network), card, finish, check_inputs=False)[SERVING_DEFAULT]
    with _converter_log() as log, native_stderr_logged(lambda line: logger.info("tensorflow: %s", line)):
        concrete = tf.function(function, input_signature=specs).get_concrete_function()
        inputs = [concrete.inputs[0].name]
        outputs = [t.name for t in concrete.outputs]
        frozen = tf_loader.from_function(concrete, inputs, outputs)
        proto = _converted(
            tf2onnx,
            log,
            frozen,
            name=card.name,
            input_names=inputs,
            output_names=outputs,
            opset=OPSET,
            tensors_to_rename=tensor_names_from_structed(concrete, inputs, outputs),
        )
    if log.unsupported or log.failed:
        what = _unsupported_in_words(log.unsupported) or "; ".join(log.failed[:3])
        raise ValueError(
            f"{card.name} cannot be exported to ONNX: TensorFlow operations without an ONNX conversion "
            f"(opset {OPSET}): {what}. Nothing was written."
        )
    return proto


def _converted(tf2onnx: Any, log: _ConverterLog, frozen: Any, **options: Any) -> Any:
    """tf2onnx's ``from_graph_def`` without its defensive graph copies, and with them if that fails.

    By default tf2onnx deep-copies the whole graph before each of its graph optimizers so that one
    that fails can be undone; for EQTransformer those copies were 13 of 38 s. Setting
    ``TF2ONNX_CATCH_ERRORS`` turns them off (tf2onnx 1.17 reads only whether the variable is set, and
    a value of ``FALSE`` means off under either reading). If an optimizer then fails, the conversion
    runs again as tf2onnx's default. A value the user set is left as it is. The variable is
    process-wide, so conversions from several threads take turns.
    """
    with _ENVIRONMENT:
        if CATCH_ERRORS in os.environ:
            return tf2onnx.convert.from_graph_def(frozen, **options)[0]
        os.environ[CATCH_ERRORS] = "FALSE"
        try:
            return tf2onnx.convert.from_graph_def(frozen, **options)[0]
        except Exception:  # an optimizer's own failure, which tf2onnx's default would have undone
            logger.info("A tf2onnx optimizer failed; converting again with its graph copies", exc_info=True)
            log.reset()
        finally:
            del os.environ[CATCH_ERRORS]
        return tf2onnx.convert.from_graph_def(frozen, **options)[0]


def export_onnx(model: Any, base: str | os.PathLike, version: int | None = None) -> Path:
    """Convert ``model`` (from ``zoo.load``) to ``<base>/<version>/model.onnx`` and check it.

    Args:
        model: A model returned by ``zoo.load(...)``.
        base: The model folder, e.g. ``serving/phasenet``.
        version: Positive integer version folder; ``None`` takes the next free number.

    Returns:
        The path of the ONNX file.

    Raises:
        ValueError: The model cannot be converted, the ONNX model cannot be run, or it differs from
            Keras by more than :data:`TOLERANCE`; nothing is written.
        FileExistsError: The version folder exists.
    """
    card = waveform_card(model, "zoo.export")
    base = Path(base)
    version = check_version(base, version)
    network, finish, description = serving_network(model, card)
    x = warmup_window(card, windows=2, seed=1)
    expected = keras_outputs(model, card, x)
    proto = onnx_graph(network, card, finish)
    meta = {"model": card.name, "network": description, "opset": str(OPSET)}
    meta.update(
        sampling_rate_hz=str(card.waveform.sampling_rate),
        components=card.waveform.components,
        input_samples=str(card.waveform.samples),
        outputs=json.dumps(dict(zip(card.annotation.labels, output_names(card)))),
    )
    for key, value in meta.items():
        proto.metadata_props.add(key=key, value=value)
    content = proto.SerializeToString()
    try:
        got = run_onnx(content, x)
    except Exception as err:  # onnxruntime raises its own types for graphs it cannot load or run
        message = " ".join(str(err).split())
        raise ValueError(
            f"The ONNX export of {card.name!r} cannot be run by onnxruntime ({message}); nothing was written."
        ) from err
    worst = _worst_difference(expected, got)
    if worst > TOLERANCE:
        raise ValueError(
            f"The ONNX export of {card.name!r} differs from Keras by {worst:.3g} (> {TOLERANCE:g}); "
            "nothing was written."
        )
    with staged_version(base, version) as tmp:
        (tmp / ONNX_FILE).write_bytes(content)
    logger.info("Exported %s to ONNX opset %d; max |ONNX - Keras| = %.3g", card.name, OPSET, worst)
    return base / str(version) / ONNX_FILE


def _worst_difference(expected: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> float:
    if set(got) != set(expected):
        raise ValueError(f"The ONNX graph has outputs {sorted(got)}, expected {sorted(expected)}.")
    return max(float(np.max(np.abs(got[k] - v))) for k, v in expected.items())
