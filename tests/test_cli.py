"""The `zoo` command line: pick on the example event, list, info, annotate and bad input."""

import logging
import subprocess
import sys

import obspy
import pandas as pd
import pytest

from zoo.cli import main


def test_pick_example_prints_p_and_s_for_rjob(capsys):
    assert main(["pick", "--example"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rjob = [line.split() for line in lines if line.startswith("BW.RJOB")]
    assert {fields[1] for fields in rjob} == {"P", "S"}
    for fields in rjob:
        assert obspy.UTCDateTime(fields[2]).date == obspy.UTCDateTime("2009-08-24").date


def test_list_shows_the_model_table(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split()[:6] == ["name", "task", "presets", "input", "rate", "citation"]
    assert any(row.split()[:2] == ["phasenet", "picker"] and "3000 x ENZ" in row for row in rows)


def test_info_shows_presets_and_hashes(capsys):
    assert main(["info", "phasenet"]) == 0
    assert "9ee2c15dd78fb15de45a55ad64a446f1a0ced152ba4ac5c506d82b9194da85b4" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["max", "max-regressor", "xdisc", "cred", "gpd", "eqtransformer"])
def test_info_works_for_every_kind_of_model(name, capsys):
    assert main(["info", name]) == 0
    assert capsys.readouterr().out.startswith(f"{name}: ")


def test_pick_writes_csv_and_quakeml(tmp_path):
    assert main(["pick", "--example", "--output", str(tmp_path / "p.csv")]) == 0
    assert main(["pick", "--example", "--output", str(tmp_path / "p.xml")]) == 0
    assert (
        len(obspy.read_events(str(tmp_path / "p.xml"))[0].picks)
        == len((tmp_path / "p.csv").read_text().splitlines()) - 1
    )


def test_annotate_writes_miniseed(tmp_path):
    out = tmp_path / "ann.mseed"
    assert main(["annotate", "--example", "--output", str(out)]) == 0
    st = obspy.read(str(out))
    assert sorted(tr.stats.channel for tr in st) == ["EHN", "EHP", "EHS"]
    assert main(["annotate", "--example", "--output", str(out)]) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["pick"],
        ["pick", "/nonexistent.mseed"],
        ["pick", "--example", "--model", "nosuchmodel"],
        ["pick", "--example", "--preset", "nosuchpreset"],
        ["pick", "--example", "--threshold", "P=high"],
        ["pick", "--example", "--threshold", "X=0.3"],
        ["pick", "--example", "--output", "picks.txt"],
        ["pick", "--example", "--batch-size", "0"],
        ["info", "nosuchmodel"],
    ],
)
def test_bad_input_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoo: error: ")


@pytest.mark.parametrize("argv", [[], ["pick", "--no-such-flag"], ["frobnicate"]])
def test_usage_errors_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoo: error: ")


def test_unreadable_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "junk.mseed"
    bad.write_bytes(b"not seismic data at all")
    assert main(["pick", str(bad)]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_pick_example_with_eqtransformer_prints_p_and_s(capsys):
    assert main(["pick", "--example", "--model", "eqtransformer"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    phases = {line.split()[1] for line in lines if line.startswith("BW.RJOB")}
    assert {"P", "S"} <= phases
    picks, detections = (sum(line.split()[1] == kind for line in lines) for kind in ("P", "detection"))
    picks += sum(line.split()[1] == "S" for line in lines)
    assert detections >= 1
    plural = {1: ""}
    assert header.startswith(
        f"{picks} pick{plural.get(picks, 's')}, {detections} detection{plural.get(detections, 's')} by "
    )


def test_evaluate_reproduces_the_ncedc_pick_rates(shared, tmp_path, capsys):
    ncedc = shared / "data" / "ncedc"
    argv = ["evaluate", "--data", str(ncedc / "pred"), "--labels", str(ncedc / "labels.csv")]
    argv += ["--p-column", "pred_itp", "--s-column", "pred_its", "--csv", str(tmp_path / "scores.csv")]
    assert main(argv) == 0
    table = pd.read_csv(tmp_path / "scores.csv", index_col="phase")
    assert (table.loc["P", "tp"], table.loc["S", "tp"]) == (74, 66)
    assert "precision" in capsys.readouterr().out


# --- start-up, help and version -----------------------------------------------------------------


def _run_in_fresh_python(code):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["pick", "--help"]])
def test_help_and_version_do_not_import_tensorflow(argv):
    code = (
        "import sys, zoo, zoo.cli\n"
        f"try:\n    zoo.cli.main({argv!r})\nexcept SystemExit as stop:\n    assert stop.code == 0\n"
        "print('tensorflow' in sys.modules, 'zoo.registry' in sys.modules)\n"
    )
    done = _run_in_fresh_python(code)
    assert done.stdout.strip().splitlines()[-1] == "False False"
    assert done.stderr == ""


def test_import_zoo_is_lazy_and_keeps_its_public_names():
    code = (
        "import sys, zoo\n"
        "assert 'tensorflow' not in sys.modules\n"
        "from zoo import annotate, classify, load\n"
        "assert callable(zoo.export) and zoo.load is load and zoo.weights.__name__ == 'zoo.weights'\n"
        "assert all(hasattr(zoo, name) for name in zoo.__all__)\n"
        "print('tensorflow' in sys.modules)\n"
    )
    assert _run_in_fresh_python(code).stdout.strip() == "True"


def test_tensorflow_start_up_lines_stay_off_the_terminal(shared):
    code = "import sys, zoo.cli\nsys.exit(zoo.cli.main(['info', 'gpd']))\n"
    done = _run_in_fresh_python(code)
    assert done.stdout.startswith("gpd: ")
    assert "oneDNN" not in done.stderr and "absl" not in done.stderr and done.stderr == ""


def test_version_prints_the_package_version(capsys):
    import zoo

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"geozoo {zoo.__version__}"


@pytest.mark.parametrize("command", ["list", "info", "pick", "annotate", "evaluate", "export", "train"])
def test_every_subcommand_prints_its_full_help(command, capsys):
    try:
        status = main([command, "--help"])
    except SystemExit as stop:
        status = stop.code
    assert status == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: zoo {command}") and "--help" in out
    if command == "train":
        from zoo.cli_models import train_recipes

        listed = [
            line.split()[0] for line in out.split("models and their training recipes:")[1].splitlines()[1:]
        ]
        assert listed == list(train_recipes()) == ["eqtransformer", "max", "phasenet", "xdisc"]
        assert "zoo train --model NAME --help" in out


def test_train_without_model_is_one_line(capsys):
    assert main(["train"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs --model" in err[0] and "phasenet" in err[0]


def test_info_shows_a_preset_folder(phasenet, tmp_path, capsys):
    import hashlib

    import zoo

    folder = zoo.save_preset(phasenet, tmp_path / "my-phasenet", metadata={"note": "fine-tuned"})
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{folder}: preset folder of phasenet")
    assert "3000 samples x ENZ at 100 Hz" in out and "note: fine-tuned" in out
    digest = hashlib.sha256((folder / "model.weights.h5").read_bytes()).hexdigest()
    assert f"model.weights.h5  {(folder / 'model.weights.h5').stat().st_size} B  sha256 {digest}" in out
    assert main(["info", str(tmp_path)]) == 2
    assert "not a preset folder" in capsys.readouterr().err


# --- bad input is one line, exit 2, before the work -----------------------------------------------


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoo: error: "), err
    return err[0]


@pytest.mark.parametrize("model, kind", [("xdisc", "is a classifier"), ("max", "is an autoencoder")])
def test_pick_with_a_model_that_takes_no_waveforms_says_which_do(model, kind, capsys):
    assert main(["pick", "not-read.mseed", "--model", model]) == 2
    err = _one_error_line(capsys)
    assert f"{model} {kind}" in err and "not a model of seismic waveforms" in err
    assert "cred, eqtransformer, gpd, phasenet" in err and "No such file" not in err


def test_duplicate_and_unknown_threshold_labels_are_errors(capsys):
    assert main(["pick", "not-read.mseed", "--threshold", "P=0.3,P=0.9"]) == 2
    assert "gives P twice" in _one_error_line(capsys)
    assert main(["pick", "not-read.mseed", "--threshold", "X=0.3"]) == 2
    assert "'X' is not one of phasenet's: P, S" in _one_error_line(capsys)


@pytest.fixture
def no_weights(monkeypatch, tmp_path):
    """No mirror, an empty cache and no network: urllib goes through a proxy that refuses connections."""
    import urllib.request

    monkeypatch.delenv("ZOO_WEIGHTS_MIRROR", raising=False)
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "home"))
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(urllib.request, "_opener", None)  # urllib reads the proxy variables on first use


def test_no_network_and_no_mirror_is_one_line_that_says_what_to_do(no_weights, capsys):
    assert main(["pick", "--example"]) == 2
    err = _one_error_line(capsys)
    assert "Could not download" in err and "ZOO_WEIGHTS_MIRROR" in err


def test_a_mirror_without_the_file_adds_no_warning_line_to_the_error(
    no_weights, tmp_path, monkeypatch, capsys, caplog
):
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(tmp_path / "empty-mirror"))
    (tmp_path / "empty-mirror").mkdir()
    with caplog.at_level(logging.WARNING):
        assert main(["pick", "--example"]) == 2
    assert "Could not download" in _one_error_line(capsys)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["pick", "--example", "--output", "/proc/picks.csv"],
        ["annotate", "--example", "--output", "/proc/ann.mseed"],
        ["evaluate", "--data", "DATA", "--csv", "/proc/scores.csv"],
        ["export", "gpd", "--out", "/proc/serving"],
    ],
)
def test_unwritable_outputs_fail_before_the_model_is_loaded(argv, shared, no_weights, capsys):
    argv = [str(shared / "data" / "stead50") if a == "DATA" else a for a in argv]
    assert main(argv) == 2
    err = _one_error_line(capsys)
    assert "/proc/" in err and "cannot be created in /proc" in err and "download" not in err


def test_outputs_that_are_folders_or_files_in_the_way_fail_first(shared, tmp_path, no_weights, capsys):
    folder = tmp_path / "picks.csv"
    folder.mkdir()
    assert main(["pick", "--example", "--output", str(folder)]) == 2
    assert "is a folder" in _one_error_line(capsys)
    stead50 = str(shared / "data" / "stead50")
    assert main(["evaluate", "--data", stead50, "--pr-curve", str(folder)]) == 2
    assert "--pr-curve" in _one_error_line(capsys)
    file = tmp_path / "serving"
    file.write_text("not a folder")
    assert main(["export", "gpd", "--out", str(file)]) == 2
    assert "--out" in _one_error_line(capsys) and file.read_text() == "not a folder"
    assert main(["train", "--model", "phasenet", "--data", stead50, "--out", str(file)]) == 2
    assert "is a file" in _one_error_line(capsys)
    assert main(["train", "--model", "xdisc", "--stage", "synthetic", "--output", str(folder)]) == 2
    assert "is a folder" in _one_error_line(capsys)


def test_missing_labels_and_corrupt_hdf5_are_one_line(shared, tmp_path, capsys):
    ncedc = shared / "data" / "ncedc"
    assert main(["evaluate", "--data", str(ncedc / "pred"), "--labels", str(tmp_path / "none.csv")]) == 2
    assert "No such labels file" in _one_error_line(capsys)
    broken = tmp_path / "stead"
    broken.mkdir()
    (broken / "metadata.csv").write_bytes((shared / "data" / "stead50" / "metadata.csv").read_bytes())
    (broken / "waveforms.hdf5").write_bytes(
        (shared / "data" / "stead50" / "waveforms.hdf5").read_bytes()[:4096]
    )
    assert main(["evaluate", "--data", str(broken)]) == 2
    err = _one_error_line(capsys)
    assert "Cannot read the records" in err and "truncated" in err


# --- evaluate: bad labels, thresholds ---------------------------------------------------------------


def _labels_copy(shared, tmp_path, edit):
    table = pd.read_csv(shared / "data" / "ncedc" / "labels.csv", dtype=str)
    path = tmp_path / "labels.csv"
    edit(table).to_csv(path, index=False)
    return path


def _evaluate(shared, labels, *extra):
    data = str(shared / "data" / "ncedc" / "pred")
    return main(["evaluate", "--data", data, "--labels", str(labels), "--p-column", "pred_itp",
                 "--s-column", "pred_its", *extra])  # fmt: skip


def test_evaluate_rejects_duplicated_text_and_empty_labels(shared, tmp_path, capsys):
    def duplicated(table):
        return pd.concat([table, table.iloc[[4]]], ignore_index=True)

    assert _evaluate(shared, _labels_copy(shared, tmp_path, duplicated)) == 2
    assert "is listed on line 6 and line 79" in _one_error_line(capsys)

    def text(table):
        table.loc[2, "pred_itp"] = "abc"
        return table

    assert _evaluate(shared, _labels_copy(shared, tmp_path, text)) == 2
    assert "line 4" in (err := _one_error_line(capsys)) and "column pred_itp has 'abc'" in err

    def empty(table):
        table["pred_its"] = ""
        return table

    assert _evaluate(shared, _labels_copy(shared, tmp_path, empty)) == 2
    assert "none of the 77 records has a label for the S arrival" in _one_error_line(capsys)


def test_evaluate_applies_threshold_option(shared, tmp_path, capsys):
    scores = tmp_path / "scores.csv"
    labels = shared / "data" / "ncedc" / "labels.csv"
    assert _evaluate(shared, labels, "--threshold", "P=0.9", "--csv", str(scores)) == 0
    table = pd.read_csv(scores, index_col="phase")
    assert table.loc["P", "tp"] < 74 and table.loc["S", "tp"] == 66
    assert "on 77 labelled records" in capsys.readouterr().out


def test_pick_counts_are_singular_for_one(capsys):
    assert main(["pick", "--example", "--threshold", "S=1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "1 pick by PhaseNet (original)"


def test_a_closed_output_pipe_is_not_an_error():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    code = "import sys, zoo.cli\nsys.exit(zoo.cli.main(['info', 'gpd']))\n"
    child = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    child.stdout.close()  # like `zoo info gpd | head -0`: the reader is gone before anything is written
    err = child.stderr.read()
    assert child.wait(timeout=120) == 141 and err == ""


@pytest.mark.parametrize(
    "argv", [["list"], ["info", "phasenet"], ["info", "xdisc"], ["--help"], ["train", "--help"]]
)
def test_commands_that_need_no_network_run_without_tensorflow(argv):
    code = (
        "import contextlib, io, sys\n"
        "from zoo.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        f"        status = main({argv!r})\n"
        "    except SystemExit as stop:\n"
        "        status = stop.code\n"
        "print(status, 'tensorflow' in sys.modules, 'keras' in sys.modules, len(out.getvalue().splitlines()) > 3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "False", "False", "True"], done.stderr
