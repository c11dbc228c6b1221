"""`zoo train --model phasenet ...` and `zoo evaluate --model <preset folder>` on real records."""

import pandas as pd
import pytest

import zoo.preset_folder
from zoo.cli import main
from zoo.train.pickers import parse_augment, parse_p_position


def test_augment_spec_names_probabilities_and_errors():
    steps = parse_augment("dropout:0.7, superpose, polarity_flip").steps
    assert [(s.name, s.p) for s in steps] == [
        ("channel_dropout", 0.7),
        ("superpose", 0.3),
        ("polarity_flip", 1.0),
    ]
    with pytest.raises(ValueError, match="unknown augmentation 'nosie'"):
        parse_augment("nosie")
    with pytest.raises(ValueError, match="probability"):
        parse_augment("noise:high")
    assert parse_p_position("random") is None and parse_p_position("10-15") == (10.0, 15.0)
    assert parse_p_position("7.5") == 7.5


def test_train_then_evaluate_the_preset_folder(shared, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", "--model", "phasenet", "--data", str(shared / "data/ncedc/train"), "--out", str(out)]
    argv += [
        "--epochs",
        "1",
        "--steps-per-epoch",
        "2",
        "--batch-size",
        "4",
        "--lr",
        "1e-5",
        "--augment",
        "noise",
    ]
    assert main(argv) == 0
    assert f"preset folder {out}" in capsys.readouterr().out
    assert main(argv) == 2
    assert "resume" in capsys.readouterr().err
    csv = tmp_path / "scores.csv"
    argv = [
        "evaluate",
        "--model",
        str(out),
        "--data",
        str(shared / "data/ncedc/pred"),
        "--p-column",
        "pred_itp",
    ]
    assert main(argv + ["--s-column", "pred_its", "--csv", str(csv)]) == 0
    scores = pd.read_csv(csv, index_col="phase")
    assert list(scores.index) == ["P", "S"] and scores.loc["P", "tp"] + scores.loc["P", "fn"] == 77
    assert scores.loc["P", "recall"] > 0.9  # 2 steps at lr 1e-5 leave the original picker nearly as it was


def test_adversarial_shape_training_from_the_command_line(shared, tmp_path):
    out = tmp_path / "gan"
    argv = ["train", "--model", "phasenet", "--data", str(shared / "data/stead50"), "--out", str(out)]
    argv += ["--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "4", "--lr", "1e-5"]
    assert main(argv + ["--adversarial-shape", "--lambda-data", "100", "--shape-history", "1"]) == 0
    training = zoo.preset_folder.read_metadata(out)["training"]
    assert training["trainer"] == "ShapeAdversarial"
    assert (out / "training" / "shape_history.png").stat().st_size > 10_000
    assert "d_loss" in pd.read_csv(out / "training" / "history.csv").columns
