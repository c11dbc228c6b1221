"""The model travels by reference (name, preset or folder, weights sha256) and is built once per process."""

from __future__ import annotations

import hashlib
import pickle

import pytest

import zoo
from zoo.archive.worker import ModelPlugin, ModelSpec, loads, model_for


def test_single_file_presets_travel_with_that_file_digest_and_others_with_a_manifest_digest():
    eqt = ModelSpec.resolve("eqtransformer")
    assert eqt.weights_sha256 == "07b3ffc8065164ece44a367b145b0db66e25586d89269ec4d8c340c34966d452"
    files = zoo.card("phasenet").preset("original").files
    manifest = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    assert ModelSpec.resolve("phasenet").weights_sha256 == hashlib.sha256(manifest.encode()).hexdigest()


def test_the_plugin_pickles_without_the_model():
    plugin = ModelPlugin(ModelSpec.resolve("phasenet"), tf_threads=1)
    data = pickle.dumps(plugin)
    assert len(data) < 2000  # the weights are megabytes
    assert pickle.loads(data).spec == plugin.spec


def test_model_is_built_once_per_process(phasenet):
    spec = ModelSpec.resolve("phasenet")
    first = model_for(spec)
    assert model_for(spec) is first and loads()[spec.key] == 1


def test_preset_folder_travels_by_path_and_refuses_changed_weights(phasenet, tmp_path):
    folder = zoo.save_preset(phasenet, tmp_path / "my-phasenet")
    spec = ModelSpec.resolve(str(folder))
    assert (spec.name, spec.preset, spec.card) == (str(folder.resolve()), str(folder.resolve()), "phasenet")
    assert spec.load().zoo_card.name == "phasenet"
    with pytest.raises(ValueError, match="preset folder"):
        ModelSpec.resolve(str(folder), preset="original")
    (folder / "model.weights.h5").write_bytes((folder / "model.weights.h5").read_bytes() + b"\0")
    with pytest.raises(ValueError, match="the preset folder changed"):
        spec.load()
