"""Every registered model exported for TF Serving and used as a server would use it.

One export per model (module-scoped), two real STEAD windows in raw counts. One fresh Python process
(``reload_worker.py``, no ``zoo`` import) takes every export in turn: it reloads the SavedModel with
``tf.saved_model.load``, runs every signature, replays the warm-up file, answers a ``PredictRequest``
with a ``PredictResponse`` and records what ``saved_model_cli show --all`` prints (the console
script's parser and command, run in that process). The results are compared here with the Keras
path ``card.annotation.postprocess(model(card.waveform.normalize(x)))``. A single process for all four
models pays TensorFlow's import once instead of eight times (a worker and ``saved_model_cli`` per
model); each export is still read only from its files, by code that never saw the Keras model.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TOLERANCE = 1e-5
WORKER = Path(__file__).with_name("reload_worker.py")

# The documented serving interface of each model: window, outputs of serving_default with their
# shapes, the annotate_window output shape and the pick labels (None: no picks signature).
EXPECTED = {
    "phasenet": {
        "window": (3000, 3),
        "outputs": {"P": (-1, 3000), "S": (-1, 3000), "noise": (-1, 3000)},
        "annotations": (-1, 3000, 3),
        "picks": ("P", "S"),
    },
    "eqtransformer": {
        "window": (6000, 3),
        "outputs": {"detection": (-1, 6000), "P": (-1, 6000), "S": (-1, 6000)},
        "annotations": (-1, 6000, 3),
        "picks": ("P", "S"),
    },
    "cred": {
        "window": (6000, 3),
        "outputs": {"detection": (-1, 38)},
        "annotations": (-1, 38, 1),
        "picks": None,
    },
    "gpd": {
        "window": (400, 3),
        "outputs": {"P": (-1,), "S": (-1,), "noise": (-1,)},
        "annotations": (-1, 1, 3),
        "picks": ("P", "S"),
    },
}


def raw_windows(shared: Path, name: str) -> np.ndarray:
    """Two real STEAD windows in raw counts for ``name``."""
    reference = shared / "reference"
    if name == "gpd":
        # GPD's reference inputs are normalised windows; GPD's normalisation is scale-free.
        return (2.0e4 * np.load(reference / "gpd_original_stead50.npz")["x"][:2]).astype("float32")
    file = {"phasenet": "phasenet", "eqtransformer": "eqt", "cred": "cred"}[name]
    return np.load(reference / f"{file}_original_stead50.npz")["raw"][:2].astype("float32")


def parse_cli(text: str) -> dict:
    """``saved_model_cli show --all`` text -> {signature: {"inputs", "outputs", "method"}}."""
    found: dict = {}
    for block in re.split(r"\nsignature_def\['", text)[1:]:
        name = block.split("'", 1)[0]
        half = {"inputs": {}, "outputs": {}}
        for kind, key, dtype, shape in re.findall(
            r"(inputs|outputs)\['([^']+)'\] tensor_info:\s+dtype: (\w+)\s+shape: ([^\n]+)", block
        ):
            half[kind][key] = (dtype, tuple(int(v) for v in re.findall(r"-?\d+", shape)))
        method = re.search(r"Method name is: ([^\n]*)", block)
        found[name] = {**half, "method": method.group(1).strip() if method else None}
    return found


@pytest.fixture(scope="module")
def served(shared, tmp_path_factory, pretrained) -> dict:
    """Export every model, then reload all exports in one fresh process (see the module docstring)."""
    from zoo.export import export

    prepared = {}
    for name in sorted(EXPECTED):
        model = pretrained(name)
        card = model.zoo_card
        x = raw_windows(shared, name)
        curves = np.asarray(card.annotation.postprocess(model(card.waveform.normalize(x), training=False)))
        first_pick = card.trigger.pick_labels[0] if card.trigger.pick_labels else None
        thresholds = np.array([0.0, card.trigger.thresholds.get(first_pick, 0.5), 1.0], "float32")
        base = tmp_path_factory.mktemp(f"export_{name}") / name
        version_dir = export(model, base, version=1)
        np.savez(version_dir.parent / "inputs.npz", waveform=x, thresholds=thresholds)
        prepared[name] = {
            "name": name,
            "model": model,
            "card": card,
            "x": x,
            "curves": curves,
            "thresholds": thresholds,
            "dir": version_dir,
        }
    files = [
        (e["dir"], e["dir"].parent / "inputs.npz", e["dir"].parent / "results.npz") for e in prepared.values()
    ]
    worker = subprocess.run(
        [sys.executable, str(WORKER), *(str(path) for group in files for path in group)],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    for entry, (_, _, results) in zip(prepared.values(), files):
        got = dict(np.load(results))
        entry["cli"] = parse_cli(str(got.pop("saved_model_cli")))
        entry["got"] = got
    return prepared


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def exported(request, served) -> dict:
    """One model's export: its Keras curves, version folder, worker results and saved_model_cli listing."""
    return served[request.param]


def test_version_folder_has_the_serving_layout(exported):
    folder = exported["dir"]
    assert folder.name == "1"
    assert (folder / "saved_model.pb").is_file()
    assert (folder / "variables" / "variables.index").is_file()
    assert (folder / "assets.extra" / "tf_serving_warmup_requests").is_file()
    assert sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".")) == []
    meta = json.loads((folder / "assets.extra" / "zoo_model.json").read_text())
    assert meta["outputs"] == dict(
        zip(exported["card"].annotation.labels, EXPECTED[exported["name"]]["outputs"])
    )
    assert meta["sampling_rate_hz"] == 100.0
    assert meta["network"].startswith(
        "inference_model" if exported["name"] in ("phasenet", "eqtransformer", "gpd") else "model"
    )
    assert (meta["stream_filter"] is not None) == (exported["name"] == "gpd")


def test_serving_default_matches_keras(exported):
    expected = EXPECTED[exported["name"]]["outputs"]
    got = {k.split("/")[2]: v for k, v in exported["got"].items() if k.startswith("direct/serving_default/")}
    assert list(got) and set(got) == set(expected)
    curves = exported["curves"]
    for k, name in enumerate(expected):
        keras = curves[:, 0, k] if exported["card"].annotation.output_kind == "point" else curves[:, :, k]
        assert got[name].shape == keras.shape
        assert np.max(np.abs(got[name] - keras)) <= TOLERANCE, name


def test_annotate_window_matches_keras(exported):
    got = exported["got"]["direct/annotate_window/annotations"]
    assert got.shape == exported["curves"].shape
    assert np.max(np.abs(got - exported["curves"])) <= TOLERANCE


def test_picks_match_peaks_of_keras_curves(exported):
    card, got, curves = exported["card"], exported["got"], exported["curves"]
    picks = EXPECTED[exported["name"]]["picks"]
    if picks is None:
        assert not any(k.startswith("direct/picks") for k in got)
        return
    found_any = False
    for i, threshold in enumerate(exported["thresholds"]):
        for label in picks:
            curve = curves[:, :, card.annotation.labels.index(label)]
            peak = curve.max(axis=1)
            sample = got[f"direct/picks@{i}/{label}_sample"]
            probability = got[f"direct/picks@{i}/{label}_probability"]
            above = peak >= threshold
            np.testing.assert_array_equal(sample >= 0, above)
            np.testing.assert_allclose(probability, np.where(above, peak, 0.0), atol=TOLERANCE)
            found_any |= bool(above.any())
            for w in np.flatnonzero(above):
                if card.annotation.output_kind == "point":
                    assert sample[w] == card.waveform.samples // 2
                else:
                    assert curve[w, sample[w] // card.annotation.output_step] >= peak[w] - TOLERANCE
    assert found_any
    assert not any(got[f"direct/picks@2/{label}_sample"].max() >= 0 for label in picks)


def test_saved_model_cli_lists_documented_signatures(exported):
    expected = EXPECTED[exported["name"]]
    listed = {k: v for k, v in exported["cli"].items() if not k.startswith("__")}
    names = {"serving_default", "annotate_window"} | ({"picks"} if expected["picks"] else set())
    assert set(listed) == names
    window = ("DT_FLOAT", (-1, *expected["window"]))
    for sig in listed.values():
        assert sig["method"] == "tensorflow/serving/predict"
        assert sig["inputs"]["waveform"] == window
    assert listed["serving_default"]["inputs"] == {"waveform": window}
    assert listed["serving_default"]["outputs"] == {
        k: ("DT_FLOAT", s) for k, s in expected["outputs"].items()
    }
    assert listed["annotate_window"]["outputs"] == {"annotations": ("DT_FLOAT", expected["annotations"])}
    if expected["picks"]:
        assert listed["picks"]["inputs"]["threshold"] == ("DT_FLOAT", ())
        outputs = {}
        for label in expected["picks"]:
            outputs[f"{label}_sample"] = ("DT_INT32", (-1,))
            outputs[f"{label}_probability"] = ("DT_FLOAT", (-1,))
        assert listed["picks"]["outputs"] == outputs


def test_warmup_records_run_through_their_signatures(exported):
    got = exported["got"]
    assert list(got["model_spec_names"]) == [exported["name"]] * len(got["model_spec_names"])
    replayed = {}
    for key, value in got.items():
        if key.startswith("warmup/"):
            _, k, sig, output = key.split("/")
            replayed.setdefault(sig, {})[output] = value
    signatures = {k for k in exported["cli"] if not k.startswith("__")}
    assert set(replayed) == signatures
    assert len(got["model_spec_names"]) == len(signatures)
    for sig, outputs in replayed.items():
        direct = {k.split("/")[2]: v for k, v in got.items() if k.startswith(f"direct/{sig}/")}
        if sig == "picks":
            direct = {k.split("/")[2]: v for k, v in got.items() if k.startswith("direct/picks@0/")}
        assert set(outputs) == set(direct)
        for output, value in outputs.items():
            assert value.shape == (1, *direct[output].shape[1:])
            assert np.all(np.isfinite(value))


def test_predict_response_round_trips(exported):
    got = exported["got"]
    responses = {k[len("response/") :]: v for k, v in got.items() if k.startswith("response/")}
    assert {k.split("/")[0] for k in responses} == {k for k in exported["cli"] if not k.startswith("__")}
    for key, value in responses.items():
        sig, output = key.split("/")
        direct = got[f"direct/picks@0/{output}" if sig == "picks" else f"direct/{key}"]
        assert value.dtype == direct.dtype
        np.testing.assert_array_equal(value, direct)


def test_existing_version_is_never_overwritten(exported):
    from zoo.export import export

    pb = exported["dir"] / "saved_model.pb"
    before = pb.read_bytes()
    with pytest.raises(FileExistsError, match="never overwritten"):
        export(exported["model"], exported["dir"].parent, version=1)
    assert pb.read_bytes() == before
