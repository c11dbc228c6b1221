"""convert_seisbench: SeisBench files -> preset folders that zoo.load builds; nothing written on errors."""

import json
import logging
import os
import shutil
import zipfile

import numpy as np
import pytest

import zoo
from zoo.seisbench.convert import convert_seisbench
from zoo.torch_pickle import read_state_dict


def _text(value: str) -> bytes:
    raw = value.encode()
    return b"X" + len(raw).to_bytes(4, "little") + raw


def _int(value: int) -> bytes:
    return b"J" + int(value).to_bytes(4, "little", signed=True)


def _tuple(items) -> bytes:
    return b"(" + b"".join(items) + b"t"


def torch_save(path, state: dict) -> None:
    """Write ``state`` ({key: float32 array}) as ``torch.save`` (zip format, pickle protocol 2) does:
    an OrderedDict of ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, {})``
    with each storage a persistent id ``('storage', torch.FloatStorage, key, 'cpu', numel)`` whose
    little-endian bytes are the member ``<name>/data/<key>``."""
    empty_dict = b"ccollections\nOrderedDict\n)R"
    pickle = b"\x80\x02" + empty_dict + b"("
    members = {}
    for index, (key, value) in enumerate(state.items()):
        array = np.ascontiguousarray(value, "<f4")
        storage = _tuple(
            [_text("storage"), b"ctorch\nFloatStorage\n", _text(str(index)), _text("cpu"), _int(array.size)]
        )
        strides = [s // 4 for s in array.strides]
        args = [
            storage + b"Q",
            _int(0),
            _tuple(map(_int, array.shape)),
            _tuple(map(_int, strides)),
            b"\x89",
            empty_dict,
        ]
        pickle += _text(key) + b"ctorch._utils\n_rebuild_tensor_v2\n" + _tuple(args) + b"R"
        members[f"archive/data/{index}"] = array.tobytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickle + b"u.")
        archive.writestr("archive/byteorder", "little")
        archive.writestr("archive/version", "3\n")
        for name, raw in members.items():
            archive.writestr(name, raw)


def _copy_pair(seisbench_reference, key, folder, name="weights"):
    """The fixture's files as ``folder/name.pt`` + ``folder/name.json``; returns the .pt path and JSON."""
    pt, js = seisbench_reference.files(key)
    shutil.copy(pt, folder / f"{name}.pt")
    shutil.copy(js, folder / f"{name}.json")
    return folder / f"{name}.pt", json.loads(js.read_text())


@pytest.mark.parametrize(
    ("key", "model"),
    [
        ("phasenet_finetuned", "phasenet"),
        ("eqtransformer_conservative", "EQTransformer"),
        ("gpd_random", None),
        ("cred_random", "cred"),
    ],
)
def test_converted_folder_loads_and_reproduces_seisbench(seisbench_reference, tmp_path, key, model):
    pt, js = seisbench_reference.files(key)
    folder = convert_seisbench(pt, model, tmp_path / "preset")
    loaded = zoo.load(str(folder))
    name = seisbench_reference.model_name(key)
    reference = seisbench_reference.network(name)
    out = seisbench_reference.outputs(loaded, reference["inputs"])
    expected = reference[f"output_{key}"]
    assert np.abs(out - expected).max() <= 1e-4
    assert np.array_equal(
        out, seisbench_reference.outputs(seisbench_reference.convert(key), reference["inputs"])
    )

    metadata = json.loads((folder / "metadata.json").read_text())
    entry = seisbench_reference.manifest["fixtures"][key]
    files = {os.path.basename(k): v["sha256"] for k, v in entry["files"].items()}
    assert metadata["source"]["weights_file"] == pt.name
    assert metadata["source"]["weights_sha256"] == files[pt.name]
    assert metadata["source"]["metadata_sha256"] == files[js.name]
    assert metadata["seisbench"]["model_args"] == entry["json"]["model_args"]
    assert metadata["seisbench"]["default_args"] == entry["json"]["default_args"]
    assert metadata["seisbench"]["weights_docstring"] == entry["json"]["docstring"]
    assert metadata["seisbench"]["seisbench_requirement"] == "0.12.6"
    assert metadata["seisbench"]["output_labels"] == [
        str(label) for label in entry["defaults"]["attributes"]["labels"]
    ]
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == name
    assert config["variant"] == {
        "name": "seisbench",
        "args": {"model_args": entry["json"]["model_args"], "default_args": entry["json"]["default_args"]},
    }
    assert loaded.zoo_variant.name == "seisbench"
    assert list(loaded.zoo_card.annotation.labels) == metadata["seisbench"]["output_labels"]
    assert loaded.zoo_card.waveform.components == "ZNE"
    assert loaded.zoo_card.annotation.segment_ends == "drop" and loaded.zoo_card.trigger.off_fraction == 0.5


@pytest.mark.parametrize(
    ("default_args", "message"),
    [
        ({"stacking": "median"}, "stacking='median' is not supported"),
        ({"overlap": 3001}, "overlap=3001 is not a whole number of samples below 3001"),
        ({"blinding": [1]}, "blinding=\\[1\\] is not supported"),
    ],
)
def test_unsupported_annotate_settings_write_nothing(seisbench_reference, tmp_path, default_args, message):
    pt, metadata = _copy_pair(seisbench_reference, "phasenet_random", tmp_path)
    metadata["default_args"] = default_args
    (tmp_path / "weights.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=message):
        convert_seisbench(pt, "phasenet", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_rewritten_state_dict_converts(seisbench_reference, tmp_path):
    """Positive control for the error cases below: the same state dict written by torch_save works."""
    pt, _ = _copy_pair(seisbench_reference, "cred_random", tmp_path)
    state = {k: v for k, v in read_state_dict(pt).items() if not k.endswith("num_batches_tracked")}
    torch_save(pt, state)
    assert set(read_state_dict(pt)) == set(state)
    folder = convert_seisbench(pt, "cred", tmp_path / "out")
    assert zoo.load(str(folder)).output_shape == (None, 19, 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("fc2.bias"), r"weights\.pt has no entry 'fc2\.bias'"),
        (lambda s: s.update({"fc3.weight": np.ones((1, 64), "f4")}), r"'fc3\.weight' \(1, 64\)"),
        (
            lambda s: s.update({"fc2.weight": np.ones((2, 64), "f4")}),
            r"'fc2\.weight'.*\(2, 64\).*needs \(1, 64\)",
        ),
    ],
    ids=["missing key", "unknown key", "shape mismatch"],
)
def test_bad_weights_write_nothing(seisbench_reference, tmp_path, change, message):
    pt, _ = _copy_pair(seisbench_reference, "cred_random", tmp_path)
    state = dict(read_state_dict(pt))
    change(state)
    torch_save(pt, state)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=message):
        convert_seisbench(pt, "cred", out)
    assert not out.exists()


@pytest.mark.parametrize(
    ("model_args", "message"),
    [
        ({"original_compatible": "v3"}, "original_compatible='v3'"),
        ({"lstm_blocks": 0}, "lstm_blocks=0"),
        (
            {"in_samples": 6000, "original_compatible": "conservative", "filter_factor": 2},
            r"\['filter_factor'\]",
        ),
    ],
)
def test_unsupported_architecture_writes_nothing(seisbench_reference, tmp_path, model_args, message):
    pt, metadata = _copy_pair(seisbench_reference, "eqtransformer_conservative", tmp_path)
    metadata["model_args"].update(model_args)
    (tmp_path / "weights.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=f"EQTransformer model_args.*{message}"):
        convert_seisbench(pt, "eqtransformer", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_json_that_does_not_describe_the_weights_writes_nothing(seisbench_reference, tmp_path):
    pt, metadata = _copy_pair(seisbench_reference, "eqtransformer_conservative", tmp_path)
    metadata["model_args"]["original_compatible"] = False
    (tmp_path / "weights.json").write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=r"no entry 'bi_lstm_stack\.members\.0\.lstm\.weight_ih_l0'"):
        convert_seisbench(pt, "eqtransformer", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_hostile_pickle_is_refused_and_writes_nothing(tmp_path):
    marker = tmp_path / "pwned"
    command = f"touch {marker}".encode()
    payload = b"\x80\x02cposix\nsystem\nX" + len(command).to_bytes(4, "little") + command + b"\x85R."
    with zipfile.ZipFile(tmp_path / "evil.pt", "w") as archive:
        archive.writestr("evil/data.pkl", payload)
    (tmp_path / "evil.json").write_text(json.dumps({"model_args": {}}))
    with pytest.raises(ValueError, match="posix.system"):
        convert_seisbench(tmp_path / "evil.pt", "phasenet", tmp_path / "out")
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_wrong_model_is_named(seisbench_reference, tmp_path):
    pt, _ = seisbench_reference.files("gpd_random")
    with pytest.raises(ValueError, match=r"holds a SeisBench GPD state dict, not PhaseNet; .*model='gpd'"):
        convert_seisbench(pt, "phasenet", tmp_path / "out")
    with pytest.raises(ValueError, match="No SeisBench converter for model 'sbnet'"):
        convert_seisbench(pt, "sbnet", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_existing_preset_is_kept_unless_overwrite(seisbench_reference, tmp_path, caplog):
    pt, _ = seisbench_reference.files("phasenet_random")
    folder = convert_seisbench(pt, "phasenet", tmp_path / "out")
    before = (folder / "model.weights.h5").read_bytes()
    finetuned, _ = seisbench_reference.files("phasenet_finetuned")
    with pytest.raises(ValueError, match="already holds a preset"):
        convert_seisbench(finetuned, "phasenet", folder)
    assert (folder / "model.weights.h5").read_bytes() == before
    with caplog.at_level(logging.INFO, logger="zoo.seisbench.convert"):
        convert_seisbench(finetuned, "phasenet", folder, overwrite=True)
    assert json.loads((folder / "metadata.json").read_text())["source"]["weights_file"] == "finetuned.pt.v3"
    assert "Converted" in caplog.text
