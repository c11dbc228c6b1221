"""status and collect read a run folder back: CSV like `zoo pick --output`, Parquet, QuakeML."""

from __future__ import annotations

import obspy
import pandas as pd
import pytest

import zoo
import zoo.archive
from zoo.archive import output
from zoo.waveforms.picklist import Pick, PickList


@pytest.fixture
def run_folder(tmp_path, phasenet):
    """A run folder with three finished tasks (one without picks), one failure and one task left.

    Trace ids are spelled as ``zoo.classify`` spells them (BW.RJOB's, renamed).
    """
    spelled = zoo.classify(phasenet, obspy.read())[0].trace_id
    pasc = spelled.replace("BW.RJOB", "CI.PASC")
    folder = output.RunFolder(str(tmp_path / "run"))
    folder.write_json(
        output.RUN_FILE, {"geozoo": "0.1.0", "config": {"model": "phasenet", "preset": "original"}}
    )
    t = obspy.UTCDateTime(2019, 7, 4)
    picks = {
        "year=2019/doy=185/CI.PASC..HH": [Pick(pasc, "S", t + 86399.5, 0.6, t + 86399.4, t + 86399.6)],
        "year=2019/doy=186/CI.PASC..HH": [
            Pick(pasc, "P", t + 86400.25, 0.9, t + 86400.2, t + 86400.3),
            Pick(pasc, "S", t + 86405.0, 0.5, t + 86404.9, t + 86405.1),
        ],
        "year=2019/doy=185/CI.WCS2..HH": [],
    }
    for name, found in picks.items():
        table = output.picks_table(found, "phasenet", "original", "abc", {"data_seconds": 3600.0})
        folder.write_bytes(f"{output.PICKS}/{name}.parquet", output.parquet_bytes(table))
    folder.write_json(f"{output.FAILED}/year=2019/doy=186/CI.WCS2..HH.json", {"error": "ValueError: corrupt"})
    import pyarrow as pa

    names = [*picks, "year=2019/doy=186/CI.WCS2..HH", "year=2019/doy=187/CI.PASC..HH"]
    folder.write_bytes(output.TASKS_FILE, output.parquet_bytes(pa.table({"task": names})))
    return tmp_path / "run", [p for found in picks.values() for p in found]


def test_status_counts_tasks_hours_and_picks(run_folder):
    state = zoo.archive.status(run_folder[0])
    assert (state.tasks, state.done, state.failed, state.left) == (5, 3, 1, 1)
    assert (state.data_hours, state.picks) == (3.0, 3)
    assert state.errors == {"year=2019/doy=186/CI.WCS2..HH": "ValueError: corrupt"}


def test_csv_has_the_columns_and_values_of_zoo_pick(run_folder, tmp_path):
    out, picks = run_folder
    path = zoo.archive.collect(out, tmp_path / "picks.csv")
    expected = tmp_path / "expected.csv"
    PickList(picks).to_csv(expected)
    assert path.read_text() == expected.read_text()
    assert list(pd.read_csv(path).columns) == [
        "trace_id",
        "phase",
        "time",
        "probability",
        "start_time",
        "end_time",
        "channel",
    ]


def test_parquet_and_quakeml_hold_every_pick_in_time_order(run_folder, tmp_path):
    out, picks = run_folder
    table = pd.read_parquet(zoo.archive.collect(out, tmp_path / "picks.parquet"))
    assert table["time"].is_monotonic_increasing and len(table) == 3
    assert set(table["weights_sha256"]) == {"abc"}
    catalog = obspy.read_events(str(zoo.archive.collect(out, tmp_path / "picks.xml")))
    assert sorted(p.time for p in catalog[0].picks) == sorted(p.time for p in picks)


def test_collect_refuses_to_overwrite_and_unknown_types(run_folder, tmp_path):
    out, _ = run_folder
    (tmp_path / "picks.csv").write_text("mine")
    with pytest.raises(FileExistsError, match="overwrite"):
        zoo.archive.collect(out, tmp_path / "picks.csv")
    assert (tmp_path / "picks.csv").read_text() == "mine"
    with pytest.raises(ValueError, match=r"\.csv, \.parquet or \.xml"):
        zoo.archive.collect(out, tmp_path / "picks.json")
    with pytest.raises(ValueError, match="not a zoo archive run folder"):
        zoo.archive.status(tmp_path)
