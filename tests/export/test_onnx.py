"""ONNX export: every picker and detector through tf2onnx and onnxruntime against Keras; the checks."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

onnxruntime = pytest.importorskip(
    "onnxruntime",
    reason="onnxruntime is not installed (optional extra 'onnx': pip install tf2onnx onnxruntime)",
)


@pytest.fixture(scope="module")
def phasenet_onnx(tmp_path_factory, pretrained):
    from zoo.export import export

    model = pretrained("phasenet")
    return model, export(model, tmp_path_factory.mktemp("onnx") / "phasenet", version=1, format="onnx")


def test_phasenet_onnx_matches_keras_on_real_windows(phasenet_onnx, shared):
    from zoo.export.onnx import OPSET, keras_outputs

    model, path = phasenet_onnx
    assert path.name == "model.onnx" and path.parent.name == "1"
    x = np.load(shared / "reference" / "phasenet_original_stead50.npz")["raw"][:2].astype("float32")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["waveform"]
    assert session.get_inputs()[0].shape[1:] == [3000, 3]
    names = [o.name for o in session.get_outputs()]
    assert names == ["P", "S", "noise"]
    got = dict(zip(names, session.run(names, {"waveform": x})))
    expected = keras_outputs(model, model.zoo_card, x)
    for name in names:
        assert got[name].shape == (2, 3000)
        assert np.max(np.abs(got[name] - expected[name])) <= 1e-4, name
    assert expected["P"].max() > 0.5  # real arrivals, not a flat curve
    meta = session.get_modelmeta().custom_metadata_map
    assert meta["opset"] == str(OPSET)
    assert json.loads(meta["outputs"]) == {"P": "P", "S": "S", "N": "noise"}


def _toy_picker(layer):
    """A GPD-shaped network of ``layer`` and an average: one window of 400 samples -> 3 probabilities.
    Its normalisation brings the export's warm-up counts (1000 x unit noise) to unit scale, as a card's
    does. On raw counts its outputs reached about 190 and float32 round-off alone put ONNX up to 1.1e-4 from
    Keras, over the 1e-4 check (1 of 4 random initialisations; unit scale: at most 1.6e-7)."""
    import keras

    import zoo

    inputs = keras.Input((400, 3))
    network = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(layer(inputs)))
    network.zoo_card = zoo.card("gpd").replace(
        waveform={"normalize": lambda x: x / 1000.0},
        annotation={"postprocess": lambda y: y[:, None, :], "inference_model": None},
    )
    return network


def test_export_refuses_an_onnx_model_that_differs_from_keras(monkeypatch, tmp_path):
    import keras

    from zoo.export import onnx as onnx_export

    monkeypatch.setattr(onnx_export, "TOLERANCE", -1.0)
    with pytest.raises(ValueError, match="differs from Keras"):
        onnx_export.export_onnx(_toy_picker(keras.layers.Dense(3)), tmp_path / "toy", version=1)
    assert not (tmp_path / "toy").exists()


def test_a_failing_tf2onnx_optimizer_is_undone_as_tf2onnx_would(monkeypatch, tmp_path):
    """The conversion runs without tf2onnx's graph copies; when an optimizer fails it runs again with them."""
    import keras
    import tf2onnx.optimizer
    from tf2onnx.optimizer.identity_optimizer import IdentityOptimizer

    from zoo.export import onnx as onnx_export

    calls = []

    class Failing(IdentityOptimizer):
        def _optimize(self, graph):
            calls.append(onnx_export.CATCH_ERRORS in os.environ)
            raise RuntimeError("an optimizer's own bug")

    optimizers = {**tf2onnx.optimizer._optimizers, "remove_identity": Failing}
    monkeypatch.setattr(tf2onnx.optimizer, "_optimizers", optimizers)
    monkeypatch.delenv(onnx_export.CATCH_ERRORS, raising=False)
    path = onnx_export.export_onnx(_toy_picker(keras.layers.Dense(3)), tmp_path / "toy", version=1)
    assert path.is_file()
    assert calls[:2] == [True, False]  # first without tf2onnx's copies, then as its default
    assert onnx_export.CATCH_ERRORS not in os.environ


ORIGINAL_OUTPUTS = {
    "cred": ("cred", {"detection": "y"}),
    "eqtransformer": ("eqt", {"detection": "detector", "P": "picker_P", "S": "picker_S"}),
}
"""Each model's reference file and the original implementation's output behind each ONNX output."""


@pytest.mark.parametrize("name", sorted(ORIGINAL_OUTPUTS))
def test_cred_and_eqtransformer_export_quietly_and_match_the_original(name, shared, tmp_path, capfd):
    """From raw counts to the original implementation's outputs (the export itself checked Keras)."""
    from zoo.cli import main

    reference, outputs = ORIGINAL_OUTPUTS[name]
    capfd.readouterr()  # TensorFlow's own start-up lines of this process, printed once, before the export
    assert main(["export", name, "--format", "onnx", "--out", str(tmp_path), "--version", "1"]) == 0
    out, err = capfd.readouterr()
    path = tmp_path / name / "1" / "model.onnx"
    assert out.splitlines()[0].startswith(f"wrote {path} ") and len(out.splitlines()) == 3
    assert err == ""  # no converter output on the terminal
    original = np.load(shared / "reference" / f"{reference}_original_stead50.npz")
    x = original["raw"][:2].astype("float32")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["waveform"]
    names = [o.name for o in session.get_outputs()]
    assert sorted(names) == sorted(outputs)
    got = dict(zip(names, session.run(names, {"waveform": x})))
    for output, key in outputs.items():
        expected = original[key][:2].reshape(got[output].shape)
        assert np.max(np.abs(got[output] - expected)) <= 1e-4, output
    assert max(float(v.max()) for v in got.values()) > 0.5  # real events, not flat curves


def test_unsupported_operations_are_named_in_words_and_nothing_is_written(tmp_path, capfd):
    import keras
    import tensorflow as tf

    from zoo.export.onnx import export_onnx

    class Jitter(keras.layers.Layer):
        def call(self, x):
            return x + tf.random.stateless_uniform(tf.shape(x), seed=[1, 2])

    network = _toy_picker(Jitter())
    with pytest.raises(ValueError, match=r"StatelessRandomUniformV2 x1 \(random numbers"):
        export_onnx(network, tmp_path / "jitter", version=1)
    assert not (tmp_path / "jitter").exists()
    assert "ERROR" not in capfd.readouterr().err
