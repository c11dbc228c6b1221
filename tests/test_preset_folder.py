"""Preset folders: save, load back with zoo.load(path), never overwrite silently."""

import json

import numpy as np
import pytest

import zoo
from zoo.preset_folder import read_metadata, save_preset


def test_round_trip_gives_identical_outputs_and_keeps_provenance(tmp_path):
    model = zoo.load("eqtransformer", pretrained="conservative")
    path = save_preset(model, tmp_path / "eqt", metadata={"data": "test"})
    again = zoo.load(str(path))
    x = np.random.default_rng(0).normal(size=(1, 6000, 3)).astype("float32")
    for a, b in zip(again(x, training=False), model(x, training=False)):
        np.testing.assert_array_equal(a, b)
    assert json.loads((path / "config.json").read_text())["model"] == "eqtransformer"
    assert again.zoo_config == model.zoo_config
    meta = read_metadata(path)
    assert meta["parent_preset"] == "conservative" and meta["data"] == "test"


def test_existing_presets_and_other_files_are_kept(tmp_path):
    model = zoo.load("phasenet", pretrained=False)
    path = save_preset(model, tmp_path / "p")
    (path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="already holds a preset"):
        save_preset(model, path)
    save_preset(model, path, overwrite=True, metadata={"round": 2})
    assert (path / "notes.txt").read_text() == "mine" and read_metadata(path)["round"] == 2
    assert sorted(p.name for p in path.iterdir()) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
        "notes.txt",
    ]


def test_a_folder_without_config_is_not_a_model(tmp_path):
    with pytest.raises(ValueError, match="Unknown model"):
        zoo.load(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"model": "phasenet", "config": {}}))
    with pytest.raises(ValueError, match="model.weights.h5"):
        zoo.load(str(tmp_path))
