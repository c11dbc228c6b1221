"""Two-stage xdisc recipe: freezing, fine-tuning, station decisions, evaluation bins, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

import zoo
from zoo.cli import main
from zoo.train import receiver_functions as tr


def test_binned_accuracy_counts_edges_once():
    correct = np.array([1, 0, 1, 1], bool)
    values = np.array([20.0, 39.9, 40.0, 200.0])
    assert tr._binned_accuracy(correct, values, (20.0, 40.0, 200.0)) == {"20-40": 0.5, "40-200": 1.0}


def test_finetune_with_frozen_features_changes_only_the_head():
    model = zoo.load("xdisc", pretrained=False)
    before = {w.path: w.numpy().copy() for w in model.weights}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 325, 16)).astype("float32")
    y = (rng.random(16) > 0.5).astype("float32")
    tr.finetune(model, x, y, freeze_layers="features", epochs=1, batch_size=8)
    for w in model.weights:
        changed = not np.array_equal(before[w.path], w.numpy())
        assert changed == w.path.startswith("head_dense") or w.path.startswith("head_output"), w.path
    with pytest.raises(ValueError, match="freeze must be one of"):
        tr.freeze(model, "everything")
    with pytest.raises(ValueError, match="as many labels"):
        tr.finetune(model, x, y[:3])


def test_cli_synthetic_stage_trains_and_reports_metrics(tmp_path, capsys):
    out = tmp_path / "w.weights.h5"
    argv = ["train", "--model", "xdisc", "--stage", "synthetic", "--n-per-model", "16", "--epochs", "1"]
    assert main(argv + ["--n-eval", "20", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    metrics = json.loads(printed[printed.index("\n{") + 1 :])  # after Keras' per-epoch lines
    assert metrics["reference"] == "prem" and metrics["n"] == 20
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert out.is_file()
    model = zoo.load("xdisc", pretrained=False)
    model.load_weights(out)
    assert main(argv + ["--n-eval", "20", "--output", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["train", "--model", "xdisc", "--stage", "finetune"]) == 2
    assert "--data" in capsys.readouterr().err


def test_cli_finetune_stage_reads_real_format_data(tmp_path, capsys):
    import obspy

    from zoo.synth.receiver_functions import synthesize

    for station, x_depth in (("AAA", 300.0), ("BBB", None)):
        ray_p = np.linspace(0.04, 0.08, 16)
        rf = synthesize("prem", ray_p, t_start=-10.0, t_end=70.0, x_depth=x_depth, x_dvs=0.05)
        for i, (p, data) in enumerate(zip(ray_p, rf)):
            trace = obspy.Trace(
                data.astype("float32"), header={"station": station, "network": "XX", "sampling_rate": 10}
            )
            trace.stats.sac = obspy.core.AttribDict({"user0": p, "a": 10.0, "b": 0.0})
            trace.write(str(tmp_path / f"{station}{i}.sac"), format="SAC")
    labels = tmp_path / "labels.csv"
    labels.write_text("station,label\nAAA,present\nBBB,absent\n")
    out = tmp_path / "ft.weights.h5"
    argv = [
        "train",
        "--model",
        "xdisc",
        "--stage",
        "finetune",
        "--data",
        str(tmp_path),
        "--labels",
        str(labels),
    ]
    assert main(argv + ["--epochs", "2", "--output", str(out)]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["train_accuracy"] == 1.0  # noise-free stations the shipped model already separates
    tuned = zoo.load("xdisc", pretrained=False)
    tuned.load_weights(out)
    shipped = zoo.load("xdisc")
    for layer in ("features_conv1", "head_dense"):
        same = np.array_equal(
            tuned.get_layer(layer).get_weights()[0], shipped.get_layer(layer).get_weights()[0]
        )
        assert same == layer.startswith("features"), layer
