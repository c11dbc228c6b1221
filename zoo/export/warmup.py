"""The TF Serving warm-up file: one recorded ``PredictRequest`` per signature.

TensorFlow Serving replays ``assets.extra/tf_serving_warmup_requests`` (a TFRecord file of
``tensorflow.serving.PredictionLog`` protos) when it loads a model version, so graph optimisation
and kernel set-up happen before the first real request. Each record here asks one signature for
one window of deterministic noise (amplitude about 1000 counts); the ``picks`` record uses the
card's lowest pick threshold.

Needs ``tensorflow-serving-api`` for the protos; it declares the full ``tensorflow`` package as a
dependency, so install it with ``pip install --no-deps tensorflow-serving-api`` next to
``tensorflow-cpu``.

Example:
    >>> import zoo
    >>> from zoo.export.warmup import warmup_requests
    >>> [r.model_spec.signature_name for r in warmup_requests(zoo.card("cred"), "cred", ["serving_default"])]
    ['serving_default']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from zoo.export.signatures import PICKS, THRESHOLD, WAVEFORM
from zoo.registry import ModelCard

WARMUP_FILE = "tf_serving_warmup_requests"
ASSETS_EXTRA = "assets.extra"
_DEFAULT_THRESHOLD = 0.5


def serving_apis():
    """Import ``predict_pb2`` and ``prediction_log_pb2`` with a clear message when missing."""
    try:
        from tensorflow_serving.apis import predict_pb2, prediction_log_pb2
    except ImportError as err:
        raise ImportError(
            "Writing the TF Serving warm-up file needs tensorflow-serving-api; install it without its "
            "TensorFlow dependency: pip install --no-deps tensorflow-serving-api"
        ) from err
    return predict_pb2, prediction_log_pb2


def warmup_window(card: ModelCard, windows: int = 1, seed: int = 0) -> np.ndarray:
    """Deterministic raw-count noise ``[windows, input_samples, channels]`` float32."""
    rng = np.random.default_rng(seed)
    shape = (windows, card.waveform.samples, len(card.waveform.components))
    return (1000.0 * rng.standard_normal(shape)).astype("float32")


def warmup_requests(card: ModelCard, model_name: str, signature_names: Iterable[str]) -> list:
    """One ``PredictRequest`` per signature name, addressed to ``model_name``."""
    predict_pb2, _ = serving_apis()
    threshold = min(
        (card.trigger.thresholds.get(label, _DEFAULT_THRESHOLD) for label in card.trigger.pick_labels),
        default=0.5,
    )
    requests = []
    for name in signature_names:
        request = predict_pb2.PredictRequest()
        request.model_spec.name = model_name
        request.model_spec.signature_name = name
        request.inputs[WAVEFORM].CopyFrom(tf.make_tensor_proto(warmup_window(card)))
        if name == PICKS:
            request.inputs[THRESHOLD].CopyFrom(tf.make_tensor_proto(np.float32(threshold)))
        requests.append(request)
    return requests


def write_warmup(version_dir: Path, card: ModelCard, model_name: str, signature_names: Sequence[str]) -> Path:
    """Write ``<version_dir>/assets.extra/tf_serving_warmup_requests``; returns its path."""
    _, prediction_log_pb2 = serving_apis()
    path = Path(version_dir) / ASSETS_EXTRA / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for request in warmup_requests(card, model_name, signature_names):
            log = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
            writer.write(log.SerializeToString())
    return path
