"""The run folder: Parquet round trip to the nanosecond, atomic writes, one listing for resume."""

from __future__ import annotations

import obspy
import pyarrow.parquet as pq

from zoo.archive import output
from zoo.waveforms.picklist import Pick


def _picks() -> list[Pick]:
    t = obspy.UTCDateTime("2019-07-04T23:59:59.123456789")
    return [
        Pick("CI.PASC..HH", "P", t, 0.91, t - 0.2, t + 0.3),
        Pick("CI.PASC..HH", "S", t + 7.5, 0.42, t + 7.4, t + 7.6),
    ]


def test_picks_survive_parquet_to_the_nanosecond(tmp_path):
    table = output.picks_table(_picks(), "phasenet", "original", "abc", {"data_seconds": 86400.0})
    folder = output.RunFolder(str(tmp_path))
    folder.write_bytes("picks/year=2019/doy=185/CI.PASC..HH.parquet", output.parquet_bytes(table))
    path = tmp_path / "picks/year=2019/doy=185/CI.PASC..HH.parquet"
    back = pq.read_table(path, partitioning=None)
    assert back.schema.remove_metadata() == output.SCHEMA
    assert output.rows_to_picks(back) == _picks()
    assert back.column("model").to_pylist() == ["phasenet"] * 2
    assert output.task_metadata(pq.read_metadata(path))["data_seconds"] == 86400.0


def test_no_picks_still_writes_a_file_with_the_schema(tmp_path):
    data = output.parquet_bytes(output.picks_table([], "phasenet", "original", "abc"))
    (tmp_path / "empty.parquet").write_bytes(data)
    back = pq.read_table(tmp_path / "empty.parquet")
    assert back.num_rows == 0 and back.schema.remove_metadata() == output.SCHEMA


def test_listing_finds_done_and_failed_tasks_and_ignores_temporary_files(tmp_path):
    folder = output.RunFolder(str(tmp_path))
    folder.write_bytes("picks/year=2019/doy=185/CI.PASC..HH.parquet", b"x")
    folder.write_bytes("picks/year=2019/doy=185/CI.PASC..HH.T010000.parquet", b"x")
    folder.write_json("failed/year=2019/doy=186/CI.WCS2.00.HH.json", {"error": "boom"})
    (tmp_path / "picks/year=2019/doy=185/.CI.X..HH.parquet.1234.tmp").write_bytes(b"half")
    assert folder.listing() == {
        "picks": {"year=2019/doy=185/CI.PASC..HH", "year=2019/doy=185/CI.PASC..HH.T010000"},
        "failed": {"year=2019/doy=186/CI.WCS2.00.HH"},
    }
    assert sorted(p.name for p in (tmp_path / "picks/year=2019/doy=185").iterdir())[0].startswith(".CI.X")
    assert len(list((tmp_path / "failed").rglob("*"))) == 3  # two folders and the record, no temporary file


def test_write_is_atomic_on_memory_filesystems_too():
    folder = output.RunFolder("memory://zoo-output-test")
    try:
        folder.write_json("run.json", {"a": 1})
        folder.write_json("run.json", {"a": 2})
        assert folder.read_json("run.json") == {"a": 2}
        assert folder.fs.ls(folder.root, detail=False) == [folder.path("run.json")]
    finally:
        folder.fs.rm(folder.root, recursive=True)
