"""EQTransformer network: structure against the published files, normalisation, input checks, MC switch."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from zoo.models.eqtransformer.layers import (
    EqtLayerNormalization,
    MCSpatialDropout1D,
    SeqSelfAttention,
    keras2_hard_sigmoid,
    mc_dropout,
    mc_dropout_layers,
)
from zoo.models.eqtransformer.model import build
from zoo.models.eqtransformer.presets import PRESETS

FILES = {"original": "EqT_original_model.h5", "conservative": "EqT_model_conservative.h5"}


def _published_layers(shared: Path, preset: str) -> dict[str, dict]:
    with h5py.File(shared / "weights" / "eqtransformer" / FILES[preset], "r") as fh:
        config = json.loads(fh.attrs["model_config"])
    return {layer["name"]: layer for layer in config["config"]["layers"]}


@pytest.fixture(scope="module", params=sorted(FILES))
def built(request: pytest.FixtureRequest) -> tuple[str, object]:
    return request.param, build(**PRESETS[request.param]["config"])


def test_layer_names_classes_and_wiring_match_published_file(built, shared: Path) -> None:
    preset, model = built
    published = _published_layers(shared, preset)
    ours = {layer.name: layer for layer in model.layers}
    assert set(ours) == set(published)
    kinds = {"SpatialDropout1D": "MCSpatialDropout1D", "LayerNormalization": "EqtLayerNormalization"}
    for name, layer in published.items():
        assert type(ours[name]).__name__ == kinds.get(layer["class_name"], layer["class_name"]), name
        parents = sorted(inbound[0] for node in layer["inbound_nodes"] for inbound in node)
        ours_parents = sorted(
            t._keras_history.operation.name for node in ours[name]._inbound_nodes for t in node.input_tensors
        )
        assert ours_parents == parents, name


def test_constants_match_published_config(built, shared: Path) -> None:
    preset, model = built
    for name, layer in _published_layers(shared, preset).items():
        cfg, ours = layer["config"], model.get_layer(name)
        if layer["class_name"] == "Conv1D":
            assert (ours.filters, ours.kernel_size, ours.padding) == (
                cfg["filters"],
                tuple(cfg["kernel_size"]),
                cfg["padding"],
            )
            assert (ours.kernel_regularizer is None) == (cfg["kernel_regularizer"] is None)
        elif layer["class_name"] == "SpatialDropout1D":
            assert ours.rate == pytest.approx(cfg["rate"])
        elif layer["class_name"] == "LayerNormalization":
            assert ours.epsilon == pytest.approx(cfg["epsilon"], rel=1e-6)
        elif layer["class_name"] == "BatchNormalization":
            assert ours.epsilon == pytest.approx(cfg["epsilon"])
        elif layer["class_name"] == "SeqSelfAttention":
            assert (ours.units, ours.attention_width) == (cfg["units"], cfg.get("attention_width"))
        elif layer["class_name"] == "Cropping1D":
            assert tuple(ours.cropping) == tuple(cfg["cropping"])
        elif layer["class_name"] in ("LSTM", "Bidirectional"):
            lstm_cfg = cfg if layer["class_name"] == "LSTM" else cfg["layer"]["config"]
            cell = ours.cell if layer["class_name"] == "LSTM" else ours.forward_layer.cell
            assert cell.units == lstm_cfg["units"]
            expected = keras2_hard_sigmoid if lstm_cfg["recurrent_activation"] == "hard_sigmoid" else None
            if expected is not None:
                assert cell.recurrent_activation is expected


def test_parameter_counts_match_published_files(built) -> None:
    preset, model = built
    assert model.count_params() == PRESETS[preset]["metadata"]["parameters"]
    assert model.output_names == ["detector", "picker_P", "picker_S"]


def test_keras2_hard_sigmoid_uses_slope_one_fifth() -> None:
    x = np.array([-3.0, -2.5, 0.0, 1.0, 2.5, 4.0], np.float32)
    np.testing.assert_allclose(keras2_hard_sigmoid(x), np.clip(0.2 * x + 0.5, 0, 1), atol=1e-7)


def test_local_attention_only_mixes_neighbours() -> None:
    keras.utils.set_random_seed(0)
    layer = SeqSelfAttention(units=4, attention_width=3)
    x = np.random.default_rng(0).normal(size=(1, 9, 2)).astype(np.float32)
    base = layer(x).numpy()
    changed = x.copy()
    changed[0, 6] += 1.0
    diff = np.abs(layer(changed).numpy() - base).max(axis=-1)[0]
    # Rows outside the window change only through the row maximum and the 1e-7 in the normaliser.
    assert np.all(diff[[0, 1, 2, 3, 4, 8]] < 1e-5)
    assert np.all(diff[[5, 6, 7]] > 1e-3)


def test_layer_normalization_matches_numpy() -> None:
    x = np.random.default_rng(1).normal(size=(2, 5, 16)).astype(np.float32)
    layer = EqtLayerNormalization()
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-14)
    np.testing.assert_allclose(layer(x).numpy(), expected, atol=1e-5)


def test_mc_switch_is_not_a_weight(built) -> None:
    _, model = built
    dropouts = mc_dropout_layers(model)
    assert len(dropouts) == 14 and all(isinstance(d, MCSpatialDropout1D) for d in dropouts)
    assert not any("mc_active" in w.path for w in model.weights)
    with mc_dropout(model):
        assert all(layer.mc_active.numpy() for layer in dropouts)
    assert not any(layer.mc_active.numpy() for layer in dropouts)


def test_spatial_dropout_drops_whole_channels_in_training() -> None:
    layer = MCSpatialDropout1D(0.5, seed=1)
    out = layer(np.ones((4, 50, 32), np.float32), training=True).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert np.all(out.min(axis=1) == out.max(axis=1))
    assert 0 < np.count_nonzero(out[:, 0]) < out[:, 0].size


def test_invalid_build_options() -> None:
    with pytest.raises(ValueError, match="bilstm_blocks"):
        build(bilstm_blocks=0)
    with pytest.raises(ValueError, match="recurrent_activation"):
        build(lstm_recurrent_activation="tanh")


def test_seisbench_variant_options_build_other_window_lengths_and_crops():
    model = build(input_samples=3001, channels=4, attention_epsilon=1e-5, decoder_crop="trailing")
    assert model.input_shape == (None, 3001, 4)
    assert [tuple(o.shape) for o in model.outputs] == [(None, 3001, 1)] * 3
    crops = [layer.cropping for layer in model.layers if layer.name.startswith("cropping1d")]
    assert crops == [(0, 1)] * 3 * 4  # 3001, 1501, 751 and 47 are odd; in each of the 3 decoders
    assert {
        model.get_layer(n).epsilon for n in ("attentionD0", "attentionD", "attentionP", "attentionS")
    } == {1e-5}
    with pytest.raises(ValueError, match="fits 6000 samples only"):
        build(input_samples=3001)


def test_default_build_keeps_the_original_crop_and_epsilon():
    model = build()
    assert [layer.cropping for layer in model.layers if layer.name.startswith("cropping1d")] == [(1, 1)] * 3
    assert model.get_layer("attentionP").get_config()["epsilon"] == 1e-7
