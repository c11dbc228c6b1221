"""Run exported SavedModels as a TF Serving client would, in a fresh Python process.

Usage: ``python reload_worker.py VERSION_DIR INPUTS.npz OUT.npz [VERSION_DIR INPUTS.npz OUT.npz ...]``:
one process for several exports, so TensorFlow's import is paid once. INPUTS holds ``waveform`` and
``thresholds``. Nothing from ``zoo`` is imported: only TensorFlow and tensorflow-serving-api.
OUT keys:

- ``direct/<signature>/<output>`` (``picks`` once per threshold: ``direct/picks@<i>/<output>``):
  each signature called on ``waveform`` after ``tf.saved_model.load``;
- ``warmup/<k>/<signature>/<output>``: record ``k`` of the warm-up file run through its signature;
- ``response/<signature>/<output>``: the same call made from a serialised ``PredictRequest``
  (inputs through ``tf.make_ndarray``), answered with a serialised ``PredictResponse`` that is
  parsed back;
- ``model_spec_names``: the model names in the warm-up records;
- ``saved_model_cli``: the text ``saved_model_cli show --all --dir VERSION_DIR`` prints.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.python.tools import saved_model_cli
from tensorflow_serving.apis import predict_pb2, prediction_log_pb2


def run(signature, inputs: dict) -> dict:
    return {k: v.numpy() for k, v in signature(**{k: tf.constant(v) for k, v in inputs.items()}).items()}


def show_all(version_dir: str) -> str:
    """The output of ``saved_model_cli show --all --dir VERSION_DIR``: the console script's own parser
    and ``show`` command (``tensorflow.python.tools.saved_model_cli``), run here because its ``main``
    can parse absl flags only once per process."""
    args = saved_model_cli.create_parser().parse_args(["show", "--all", "--dir", version_dir])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        args.func()
    return printed.getvalue()


def main(version_dir: str, inputs_path: str, out_path: str) -> None:
    loaded = tf.saved_model.load(version_dir)
    given = np.load(inputs_path)
    waveform = given["waveform"]
    out: dict[str, np.ndarray] = {}
    for name, signature in loaded.signatures.items():
        if name == "picks":
            for i, threshold in enumerate(given["thresholds"]):
                for key, value in run(signature, {"waveform": waveform, "threshold": threshold}).items():
                    out[f"direct/picks@{i}/{key}"] = value
        else:
            for key, value in run(signature, {"waveform": waveform}).items():
                out[f"direct/{name}/{key}"] = value

    warmup = Path(version_dir) / "assets.extra" / "tf_serving_warmup_requests"
    names = []
    for k, record in enumerate(tf.data.TFRecordDataset(str(warmup)).as_numpy_iterator()):
        log = prediction_log_pb2.PredictionLog.FromString(record)
        request = log.predict_log.request
        names.append(request.model_spec.name)
        inputs = {key: tf.make_ndarray(proto) for key, proto in request.inputs.items()}
        sig = request.model_spec.signature_name
        for key, value in run(loaded.signatures[sig], inputs).items():
            out[f"warmup/{k}/{sig}/{key}"] = value
    out["model_spec_names"] = np.array(names)

    for name, signature in loaded.signatures.items():
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "served"
        request.model_spec.signature_name = name
        request.inputs["waveform"].CopyFrom(tf.make_tensor_proto(waveform))
        if name == "picks":
            request.inputs["threshold"].CopyFrom(tf.make_tensor_proto(np.float32(given["thresholds"][0])))
        received = predict_pb2.PredictRequest.FromString(request.SerializeToString())
        inputs = {key: tf.make_ndarray(proto) for key, proto in received.inputs.items()}
        response = predict_pb2.PredictResponse()
        response.model_spec.CopyFrom(received.model_spec)
        for key, value in run(signature, inputs).items():
            response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
        parsed = predict_pb2.PredictResponse.FromString(response.SerializeToString())
        for key, proto in parsed.outputs.items():
            out[f"response/{name}/{key}"] = tf.make_ndarray(proto)
    out["saved_model_cli"] = np.array(show_all(version_dir))
    np.savez(out_path, **out)


if __name__ == "__main__":
    given = sys.argv[1:]
    if not given or len(given) % 3:
        sys.exit(
            "usage: reload_worker.py VERSION_DIR INPUTS.npz OUT.npz [VERSION_DIR INPUTS.npz OUT.npz ...]"
        )
    for i in range(0, len(given), 3):
        main(*given[i : i + 3])
