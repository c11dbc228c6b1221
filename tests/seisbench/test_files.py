"""Finding and reading a SeisBench weight file pair."""

import json
import logging
import shutil

import pytest

from zoo.seisbench.files import metadata_path_for, read_metadata, read_weights


@pytest.mark.parametrize(
    ("weights", "metadata"),
    [
        ("instance.pt.v3", "instance.json.v3"),
        ("random.pt", "random.json"),
        ("my.model.pt.v12", "my.model.json.v12"),
        ("tuned.pth", "tuned.json"),
    ],
)
def test_the_json_has_the_same_stem_and_version_suffix(tmp_path, weights, metadata):
    assert metadata_path_for(tmp_path / weights) == tmp_path / metadata


def test_other_names_need_the_json_given():
    with pytest.raises(ValueError, match=r"weights\.h5 is not named like .*metadata_path="):
        metadata_path_for("weights.h5")


def test_read_weights_of_a_versioned_fixture(seisbench_reference):
    pt, js = seisbench_reference.files("phasenet_finetuned")
    weights = read_weights(pt)
    entry = seisbench_reference.manifest["fixtures"]["phasenet_finetuned"]
    assert weights.metadata_path == js
    assert weights.version == "3"
    assert weights.weights_sha256 == entry["files"]["models/phasenet/finetuned.pt.v3"]["sha256"]
    assert weights.metadata_sha256 == entry["files"]["models/phasenet/finetuned.json.v3"]["sha256"]
    assert weights.model_args == entry["json"]["model_args"]
    assert weights.default_args == {}
    assert weights.weights_docstring.startswith("Every tensor of phasenet_random")
    assert weights.seisbench_requirement == "0.12.6"
    assert len(weights.state) == 111


def test_a_json_given_explicitly_and_server_style_fields(seisbench_reference, tmp_path, caplog):
    pt, js = seisbench_reference.files("gpd_random")
    metadata = json.loads(js.read_text())
    metadata.update(version="2", default_args="", seisbench_requirement="0.13.1")
    other = tmp_path / "gpd-metadata.json"
    other.write_text(json.dumps(metadata))
    with caplog.at_level(logging.WARNING, logger="zoo.seisbench.files"):
        weights = read_weights(pt, other)
    assert (weights.version, weights.default_args) == ("2", {})
    assert "asks for SeisBench 0.13.1" in caplog.text


def test_missing_and_broken_files_are_named(seisbench_reference, tmp_path):
    pt, js = seisbench_reference.files("cred_random")
    alone = tmp_path / "alone.pt"
    shutil.copy(pt, alone)
    with pytest.raises(FileNotFoundError, match=r"alone\.json not found"):
        read_weights(alone)
    with pytest.raises(FileNotFoundError, match=r"nothing\.pt not found"):
        read_weights(tmp_path / "nothing.pt", js)
    broken = tmp_path / "broken.json"
    broken.write_text("{model_args: }")
    with pytest.raises(ValueError, match=r"broken\.json is not a SeisBench JSON file"):
        read_metadata(broken)
    broken.write_text(json.dumps({"model_args": [1, 2]}))
    with pytest.raises(ValueError, match="model_args must be a JSON object"):
        read_metadata(broken)
