"""The `zoo` command line: pick on the example event, list, info, annotate and bad input."""

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
    phases = {line.split()[1] for line in capsys.readouterr().out.splitlines() if line.startswith("BW.RJOB")}
    assert {"P", "S"} <= phases


def test_evaluate_reproduces_the_ncedc_pick_rates(shared, tmp_path, capsys):
    ncedc = shared / "data" / "ncedc"
    argv = ["evaluate", "--data", str(ncedc / "pred"), "--labels", str(ncedc / "labels.csv")]
    argv += ["--p-column", "pred_itp", "--s-column", "pred_its", "--csv", str(tmp_path / "scores.csv")]
    assert main(argv) == 0
    table = pd.read_csv(tmp_path / "scores.csv", index_col="phase")
    assert (table.loc["P", "tp"], table.loc["S", "tp"]) == (74, 66)
    assert "precision" in capsys.readouterr().out
