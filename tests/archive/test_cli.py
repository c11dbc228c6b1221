"""`zoo archive pick | status | collect` on the command line: resume, status, collect and bad input."""

from __future__ import annotations

import pandas as pd
import pytest

import zoo.archive
from zoo.cli import main


@pytest.fixture(scope="module")
def finished_run(archive, tmp_path_factory):
    """A run folder of one station over the archive's first hour, picked in-process (Dask threads),
    with the probability traces saved."""
    from distributed import Client

    out = tmp_path_factory.mktemp("cli") / "run"
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        zoo.archive.pick(
            f"sds://{archive.root}",
            "XX.CCC..HH?",
            archive.start,
            archive.start + 3600,
            out=str(out),
            client=client,
            progress=False,
            save_annotations=True,
        )
    return out


def _args(archive, out, *extra):
    return [
        "archive",
        "pick",
        f"sds://{archive.root}",
        "--stations",
        "XX.CCC..HH?",
        "--start",
        str(archive.start),
        "--end",
        str(archive.start + 3600),
        "--out",
        str(out),
        "--no-progress",
        "--save-annotations",
        *extra,
    ]


def test_rerun_on_the_command_line_resumes_without_starting_a_cluster(archive, finished_run, capsys):
    assert main(_args(archive, finished_run)) == 0
    assert "0 tasks done, 0 failed, 1 already done of 1" in capsys.readouterr().out


def test_status_and_collect(finished_run, tmp_path, capsys):
    assert main(["archive", "status", str(finished_run)]) == 0
    out = capsys.readouterr().out
    assert "1 done, 0 failed, 0 left of 1" in out and "1.0 h picked" in out
    target = tmp_path / "picks.csv"
    assert main(["archive", "collect", str(finished_run), "--output", str(target)]) == 0
    picks = pd.read_csv(target)
    assert len(picks) == len(zoo.archive.read_picks(finished_run)) > 0
    assert main(["archive", "collect", str(finished_run), "--output", str(target)]) == 2
    assert "exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--chunk", "7h"], "divide a day"),
        (["--threshold", "P=0.5"], "another configuration"),
        (["--model", "nosuchmodel"], "Unknown model"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(archive, finished_run, extra, message, capsys):
    assert main(_args(archive, finished_run, *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_start_that_is_not_a_time(archive, tmp_path, capsys):
    args = _args(archive, tmp_path / "run")
    args[args.index("--start") + 1] = "yesterday-ish"
    assert main(args) == 2
    assert "Cannot read the start time 'yesterday-ish'" in capsys.readouterr().err


def test_saved_annotations_cover_the_chunk_and_peak_at_the_picks(archive, finished_run):
    import obspy

    from zoo.archive import output

    (path,) = (finished_run / output.ANNOTATIONS).rglob("*.mseed")
    assert path.name == "XX.CCC..HH.mseed"
    traces = obspy.read(str(path))
    assert sorted({tr.stats.channel for tr in traces}) == ["HHN", "HHP", "HHS"]
    for tr in traces:
        assert tr.stats.starttime == archive.start and tr.stats.endtime < archive.start + 3600
        assert 0 <= tr.data.min() and tr.data.max() <= 1
    for pick in output.rows_to_picks(zoo.archive.read_picks(finished_run)):
        curve = traces.select(channel=f"HH{pick.phase}")[0]
        i = round((pick.time - curve.stats.starttime) * curve.stats.sampling_rate)
        assert curve.data[i] == pytest.approx(pick.probability, abs=1e-6)
