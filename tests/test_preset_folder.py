"""Preset folders: save, load back with zoo.load(path), never overwrite silently."""

import hashlib
import json

import numpy as np
import pytest

import zoo
from zoo import weights
from zoo.cli import main
from zoo.preset_folder import read_metadata, save_preset, verify_preset_folder


def test_round_trip_gives_identical_outputs_and_keeps_provenance(tmp_path, pretrained):
    model = pretrained("eqtransformer", "conservative")
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


@pytest.fixture
def saved(tmp_path):
    """A PhaseNet preset folder with the published weights; the verification memo is cleared."""
    weights._verified.clear()
    path = save_preset(zoo.load("phasenet"), tmp_path / "pn")
    yield path
    weights._verified.clear()


def test_checksums_of_config_and_weights_are_recorded(saved):
    files = read_metadata(saved)["files"]
    assert sorted(files) == ["config.json", "model.weights.h5"]
    for name, entry in files.items():
        content = (saved / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    assert verify_preset_folder(saved) is True


def test_flipped_bytes_in_the_weights_are_an_error_naming_file_and_both_hashes(saved, capsys):
    """The reproduction of the issue: 64 flipped bytes inside the weights gave spurious picks, exit 0."""
    weights_file = saved / "model.weights.h5"
    data = bytearray(weights_file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    weights_file.write_bytes(bytes(data))
    recorded = read_metadata(saved)["files"]["model.weights.h5"]["sha256"]
    actual = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(ValueError) as err:
        zoo.load(str(saved))
    message = str(err.value)
    assert str(weights_file) in message and recorded in message and actual in message
    assert "ZOO_WEIGHTS_MIRROR" not in message
    assert main(["pick", "--example", "--model", str(saved)]) == 2
    assert recorded in capsys.readouterr().err


def test_truncated_weights_give_the_same_clear_error(saved):
    weights_file = saved / "model.weights.h5"
    data = weights_file.read_bytes()
    weights_file.write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match=r"model\.weights\.h5 has sha256 [0-9a-f]{64}, expected .*truncated"):
        zoo.load(str(saved))


def test_an_edited_config_is_an_error(saved):
    config = saved / "config.json"
    config.write_text(config.read_text().replace('"config": {}', '"config": {"input_samples": 6000}'))
    with pytest.raises(ValueError, match=r"config\.json has sha256"):
        zoo.load(str(saved))


def test_a_folder_without_checksums_loads_with_a_warning(saved, caplog):
    metadata = read_metadata(saved)
    del metadata["files"]
    (saved / "metadata.json").write_text(json.dumps(metadata))
    with caplog.at_level("WARNING", logger="zoo.preset_folder"):
        model = zoo.load(str(saved))
    assert model.zoo_card.name == "phasenet"
    (message,) = [r.getMessage() for r in caplog.records if r.name == "zoo.preset_folder"]
    assert str(saved) in message and "NOT verified" in message
    save_preset(model, saved, overwrite=True)  # saving again adds the checksums
    assert verify_preset_folder(saved) is True
