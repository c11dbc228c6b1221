"""CRED's Keras 3 network against the architecture stored in the published Keras 2.3.1 file."""

from __future__ import annotations

import json

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.models.cred.model import build

_KEYS = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "activation",
    "units",
    "rate",
    "epsilon",
    "momentum",
    "target_shape",
    "merge_mode",
    "return_sequences",
)


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return build()


@pytest.fixture(scope="module")
def published(shared) -> list[dict]:
    with h5py.File(shared / "weights" / "cred" / "final_model.h5", "r") as fh:
        return json.loads(fh.attrs["model_config"])["config"]["layers"]


def _inner(config: dict) -> dict:
    """The wrapped layer's config for Bidirectional/TimeDistributed, else the config itself."""
    return config["layer"]["config"] if "layer" in config else config


def test_layers_match_published_file(model: keras.Model, published: list[dict]) -> None:
    ours = {layer.name: layer for layer in model.layers}
    for entry in published[1:]:
        name = entry["config"]["name"]
        layer = ours[name]
        assert type(layer).__name__ == entry["class_name"], name
        theirs, mine = _inner(entry["config"]), _inner(layer.get_config())
        for key in _KEYS:
            if key in theirs:
                expected = theirs[key]
                got = list(mine[key]) if isinstance(mine[key], tuple) else mine[key]
                assert got == expected, (name, key)
    extra = set(ours) - {e["config"]["name"] for e in published}
    assert extra == {"waveform", "stft"}


def test_residual_and_recurrent_wiring(model: keras.Model, published: list[dict]) -> None:
    """Every layer takes the same inputs as in the file (the input layer is now the STFT)."""
    for entry in published[1:]:
        node = model.get_layer(entry["config"]["name"])._inbound_nodes[0]
        got = sorted(t._keras_history.operation.name for t in node.input_tensors)
        expected = sorted("stft" if n[0] == "input" else n[0] for n in entry["inbound_nodes"][0])
        assert got == expected, entry["config"]["name"]


def test_size_and_shapes(model: keras.Model) -> None:
    assert model.count_params() == 292_641
    assert model.input_shape == (None, 6000, 3)
    assert model.get_layer("stft").output.shape == (None, 151, 41, 3)
    assert model.output_shape == (None, 38, 1)


def test_keras_file_round_trip(model: keras.Model, tmp_path) -> None:
    x = np.random.default_rng(0).standard_normal((2, 6000, 3)).astype("float32")
    path = tmp_path / "cred.keras"
    model.save(path)
    clone = keras.saving.load_model(path)
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 5999, 3), (1, 6000, 2)])
def test_wrong_window_shape_is_a_clear_error(model: keras.Model, shape: tuple[int, ...]) -> None:
    bad = np.zeros(shape, "float32")
    with pytest.raises(ValueError, match=r"expected shape=\(None, 6000, 3\)"):
        model(bad)
    model.predict(np.zeros((1, 6000, 3), "float32"), verbose=0)
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError), match=r"6000, ?3"):
        model.predict(bad, verbose=0)


def test_explicit_strided_padding_replaces_same_padding() -> None:
    model = build(input_samples=3000, strided_padding=[[[4, 4], [4, 4]], [[2, 2], [2, 2]]])
    assert model.get_layer("conv2d_1_padding").output.shape == (None, 84, 49, 3)
    assert model.get_layer("conv2d_1").output.shape == (None, 38, 21, 8)
    assert model.get_layer("conv2d_4_padding").output.shape == (None, 42, 25, 8)
    assert model.output_shape == (None, 19, 1)
    assert model.count_params() == build().count_params()
    with pytest.raises(ValueError, match="one padding for each of the 2 strided convolutions"):
        build(strided_padding=[[[4, 4], [4, 4]]])
