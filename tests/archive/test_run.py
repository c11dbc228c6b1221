"""zoo.archive.pick on a real LocalCluster: equality with zoo.classify, one model load per worker, resume,
refusal of a changed configuration, failures recorded, a template source like SDS.

One 2-process LocalCluster serves the whole module (each worker pays TensorFlow's import once).
"""

from __future__ import annotations

import os
import shutil

import obspy
import pytest
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import SchedulerPlugin

import zoo
import zoo.archive
from zoo.archive import output
from zoo.archive.worker import loads


@pytest.fixture(scope="module")
def client(phasenet):
    """Two worker processes, one thread each (the converted weights are cached first by ``phasenet``)."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def _pick_sds(archive, out, client, **options):
    """``zoo.archive.pick`` over the whole test archive (SDS source) into ``out``, without a progress bar."""
    return zoo.archive.pick(
        f"sds://{archive.root}",
        archive.stations,
        archive.start,
        archive.end,
        out=str(out),
        client=client,
        progress=False,
        **options,
    )


@pytest.fixture(scope="module")
def sds_run(archive, client, tmp_path_factory):
    """``(run folder, summary)`` of one run over the whole test archive in one-hour chunks."""
    out = tmp_path_factory.mktemp("runs") / "sds"
    return out, _pick_sds(archive, out, client, chunk="1h")


def _by_station(picks) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in sorted(picks, key=lambda p: (p.time, p.phase)):
        out.setdefault(p.trace_id.split(".")[1], []).append(p)
    return out


def test_picks_equal_classify_on_each_continuous_stream(archive, sds_run, phasenet):
    out, summary = sds_run
    assert summary.failed == 0 and summary.done == summary.tasks > 0
    found = _by_station(output.rows_to_picks(zoo.archive.read_picks(out)))
    near_midnight = 0
    for station in archive.streams:
        stream = obspy.Stream()
        for path in archive.day_files(station):
            stream += obspy.read(str(path))
        reference = _by_station(zoo.classify(phasenet, stream.merge()))[station]
        mine = found[station]
        assert len(mine) == len(reference), station
        for a, b in zip(reference, mine):
            assert (a.trace_id, a.phase) == (b.trace_id, b.phase)
            assert abs(a.time - b.time) <= 0.01
            assert a.probability == pytest.approx(b.probability, abs=1e-4)
            midnight = obspy.UTCDateTime(a.time.date)
            near_midnight += min(a.time - midnight, midnight + 86400 - a.time) < 10
    assert near_midnight >= 6


def test_model_is_loaded_once_per_worker_process(sds_run, client):
    _, summary = sds_run
    assert summary.done > 2 * len(summary.loads)
    assert len(summary.loads) == 2 and set(summary.loads.values()) == {1}
    per_worker = client.run(loads)
    assert len(per_worker) == 2
    assert all(list(counts.values()) == [1] for counts in per_worker.values())
    assert all(pid != os.getpid() for pid in summary.loads)


def test_rerun_skips_every_finished_task(archive, sds_run, client):
    out, first = sds_run
    files = sorted((out / output.PICKS).rglob("*.parquet"))
    stamps = [f.stat().st_mtime_ns for f in files]
    again = _pick_sds(archive, out, client, chunk="1h")
    assert (again.skipped, again.done, again.failed) == (first.tasks, 0, 0)
    assert [f.stat().st_mtime_ns for f in files] == stamps


def test_changed_threshold_on_the_same_folder_is_refused(archive, sds_run, client):
    out, _ = sds_run
    before = (out / output.RUN_FILE).read_text()
    with pytest.raises(ValueError, match=r"another configuration \(thresholds: .*'P': 0\.3.*'P': 0\.5"):
        _pick_sds(archive, out, client, chunk="1h", P_threshold=0.5)
    assert (out / output.RUN_FILE).read_text() == before


def test_corrupt_day_file_is_recorded_in_failed_and_the_rest_finishes(archive, client, tmp_path):
    root = tmp_path / "sds"
    shutil.copytree(archive.root, root)
    corrupt = root / "2020/XX/BBB/HHZ.D/XX.BBB..HHZ.D.2020.062"
    corrupt.write_bytes(b"not a miniseed record" * 300)
    out = tmp_path / "run"
    summary = zoo.archive.pick(
        f"sds://{root}",
        "XX.AAA..HH?,XX.BBB..HH?",
        archive.start,
        archive.end,
        out=str(out),
        client=client,
        retries=1,
        progress=False,
    )
    # One-day chunks: every BBB day reads day 062 (its own data or a margin), every AAA day succeeds.
    assert (summary.tasks, summary.done, summary.failed) == (6, 3, 3)
    failed = sorted(
        p.relative_to(out / output.FAILED).as_posix() for p in (out / output.FAILED).rglob("*.json")
    )
    assert failed == [f"year=2020/doy={d}/XX.BBB..HH.json" for d in ("061", "062", "063")]
    record = output.RunFolder(str(out)).read_json(f"{output.FAILED}/{failed[1]}")
    assert str(corrupt) in record["error"] and record["attempts"] == 2
    state = zoo.archive.status(out)
    assert (state.done, state.failed, state.left) == (3, 3, 0)
    assert all(p.trace_id.startswith("XX.AAA") for p in output.rows_to_picks(zoo.archive.read_picks(out)))


class _PeakInFlight(SchedulerPlugin):
    """Records the most archive tasks the scheduler held at once before they finished."""

    name = "peak-in-flight"

    def __init__(self) -> None:
        self.live: set = set()
        self.peak = 0

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if not str(key).startswith("zoo-archive-"):
            return
        if finish in ("waiting", "queued", "processing", "no-worker"):
            self.live.add(key)
        else:
            self.live.discard(key)
        self.peak = max(self.peak, len(self.live))


def test_local_template_source_gives_the_same_picks_as_sds(archive, sds_run, client, tmp_path):
    template = str(tmp_path / "wave/{net}/{year}/{year}_{doy}/{net}{sta:_<5}{cha}{loc:_<2}_{year}{doy}.ms")
    station = "AAA"
    for path in archive.day_files(station):
        net, sta, loc, cha, _, year, doy = path.name.split(".")
        target = tmp_path / f"wave/{net}/{year}/{year}_{doy}/{net}{sta:_<5}{cha}{loc:_<2}_{year}{doy}.ms"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    out = tmp_path / "run"
    client.register_plugin(_PeakInFlight())
    summary = zoo.archive.pick(
        template,
        f"XX.{station}..HH?",
        archive.start,
        archive.end,
        out=str(out),
        client=client,
        chunk="1h",
        progress=False,
        max_in_flight=3,
    )
    assert summary.failed == 0 and summary.done == 28
    assert client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.plugins["peak-in-flight"].peak) == 3
    picks = zoo.archive.read_picks(out)
    reference = zoo.archive.read_picks(sds_run[0])
    reference = reference.filter(
        reference.column("trace_id").to_pandas().str.contains(f".{station}.").to_numpy()
    )
    assert picks.num_rows == reference.num_rows > 0
    assert picks.select(["trace_id", "phase", "time"]).equals(reference.select(["trace_id", "phase", "time"]))
