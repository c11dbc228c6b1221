"""Archive throughput: ``zoo archive pick`` on 1 and 2 Dask workers against a plain ``zoo.classify`` loop.

Writes a synthetic SDS archive (coloured noise, int32 counts in Steim-2, an impulsive arrival every
five minutes; ``--stations`` stations x ``--days`` full days at 100 Hz) and prints, for each set-up,
hours of data picked per second of wall time and the peak resident memory of each process that picks:

- ``loop``: one process reads each station-day's files and calls ``zoo.classify`` (TensorFlow on all
  cores), the way users script it today;
- ``dask N``: ``zoo.archive.pick`` on a LocalCluster of N worker processes with cores / N TensorFlow
  threads each (workers x threads = cores), one-day tasks;
- ``dask 2 (half)``: the same on half the stations, to show that a worker's memory does not grow with
  the number of stations.

Cluster start-up and model loading are timed apart from the picking (both are paid once per run). The
scheduler overhead per task is measured with no-op tasks through the same bounded submission, and as
the run's wall time beyond the workers' busy time. CPU seconds per data hour (all processes that
pick, plus the client and scheduler) compare the set-ups even when other work shares the cores.

    python benchmarks/archive_throughput.py                        # 4 stations x 1 day, PhaseNet
    python benchmarks/archive_throughput.py --stations 8 --days 1 --model eqtransformer

Weights come from ZOO_WEIGHTS_MIRROR / the cache as usual. The figures are honest only on a quiet
machine: other processes on the same cores slow every set-up, the loop and the workers alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import obspy

RATE = 100.0
DAY1 = obspy.UTCDateTime(2021, 1, 1)


def write_archive(root: Path, stations: int, days: int, seed: int = 0) -> list[Path]:
    """Write ``stations`` x ``days`` day files of HHZ/HHN/HHE below ``root`` (SDS); returns them."""
    rng = np.random.default_rng(seed)
    n = int(86400 * RATE)
    t = np.arange(int(10 * RATE)) / RATE
    wavelet = (2000 * np.exp(-t / 2.0) * np.sin(2 * np.pi * 5 * t)).astype(np.float32)
    paths = []
    for s in range(stations):
        for d in range(days):
            day = DAY1 + d * 86400
            for channel in ("HHZ", "HHN", "HHE"):
                path = (
                    root
                    / f"{day.year}/BM/S{s:03d}/{channel}.D/BM.S{s:03d}..{channel}.D.{day.year}.{day.julday:03d}"
                )
                paths.append(path)
                if path.exists():
                    continue
                data = rng.normal(0, 20, n).astype(np.float32)
                data += np.cumsum(rng.normal(0, 1, n).astype(np.float32)) * 0.05
                for onset in range(int((60 + 7 * s) * RATE), n - len(wavelet), int(300 * RATE)):
                    data[onset : onset + len(wavelet)] += wavelet
                header = {"network": "BM", "station": f"S{s:03d}", "channel": channel, "sampling_rate": RATE}
                tr = obspy.Trace(data.astype(np.int32), header={**header, "starttime": day})
                path.parent.mkdir(parents=True, exist_ok=True)
                tr.write(str(path), format="MSEED", encoding="STEIM2", reclen=4096)
    return paths


LOOP = """
import json, resource, sys, time, obspy, zoo
from zoo.runtime import tune_allocator
tune_allocator()
groups = json.loads(sys.argv[1])
began = time.perf_counter()
model = zoo.load(sys.argv[2])
loaded = time.perf_counter()
cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
hours = 0.0
for files in groups:
    stream = obspy.Stream()
    for f in files:
        stream += obspy.read(f)
    hours += max(tr.stats.npts / tr.stats.sampling_rate for tr in stream) / 3600
    zoo.classify(model, stream)
done = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu
print(json.dumps({"hours": hours, "load": loaded - began, "seconds": done - loaded, "rss": usage.ru_maxrss / 1024, "cpu": cpu}))
"""


def run_loop(paths: list[Path], model: str) -> dict:
    """The single-process ``zoo.classify`` loop over station-days, in a fresh process."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(p.name.split(".", 4)[1] + p.name[-8:], []).append(str(p))
    out = subprocess.run(
        [sys.executable, "-c", LOOP, json.dumps(list(groups.values())), model],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _noop(i: int) -> int:
    return i


def scheduler_overhead(client, n: int = 400) -> float:
    """Seconds per no-op task through a bounded ``as_completed`` submission like the run's."""
    from distributed import as_completed

    limit = 2 * sum(client.nthreads().values())
    began = time.perf_counter()
    pending = iter(range(n))
    queue = as_completed([client.submit(_noop, next(pending), pure=False) for _ in range(limit)])
    for future in queue:
        future.release()
        i = next(pending, None)
        if i is not None:
            queue.add(client.submit(_noop, i, pure=False))
    return (time.perf_counter() - began) / n


def run_dask(root: Path, stations: str, days: int, model: str, workers: int, work: Path) -> dict:
    """``zoo.archive.pick`` on a fresh LocalCluster; start-up and model load timed apart from picking."""
    from contextlib import ExitStack

    import zoo.archive
    from zoo.archive.cluster import connect
    from zoo.archive.worker import ModelPlugin, ModelSpec

    began = time.perf_counter()
    with ExitStack() as stack:
        client, threads = connect(stack, None, None, workers, None)  # the cluster `zoo archive pick` starts
        started = time.perf_counter()
        plugin = ModelPlugin(ModelSpec.resolve(model), threads)
        client.register_plugin(plugin, name=plugin.name)
        loaded = time.perf_counter()
        workers_before, client_before = sum(client.run(_cpu_seconds).values()), _cpu_seconds()
        out = work / f"run-{workers}-{stations.replace('*', 'all').replace('?', '')}-{time.time_ns()}"
        summary = zoo.archive.pick(
            f"sds://{root}",
            stations,
            DAY1,
            DAY1 + days * 86400,
            model,
            out=str(out),
            client=client,
            threads_per_worker=threads,
            progress=False,
        )
        worker_cpu = sum(client.run(_cpu_seconds).values()) - workers_before
        client_cpu = _cpu_seconds() - client_before
        per_worker = client.run(_peak_rss_mib)
        overhead = scheduler_overhead(client)
    return {
        "hours": summary.data_hours,
        "start": started - began,
        "load": loaded - started,
        "seconds": summary.seconds,
        "busy": summary.compute_seconds,
        "tasks": summary.done,
        "rss": sorted(per_worker.values()),
        "noop": overhead,
        "cpu": worker_cpu,
        "client_cpu": client_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--model", default="phasenet")
    parser.add_argument(
        "--workdir", default=None, help="where the archive and runs go (default: a temp folder)"
    )
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="zoo-archive-bench-"))
    root = work / "sds"
    t0 = time.perf_counter()
    paths = write_archive(root, args.stations, args.days)
    print(
        f"archive: {args.stations} stations x {args.days} days at {RATE:g} Hz in {root} ({time.perf_counter() - t0:.0f} s)"
    )
    print(f"model {args.model}; cores {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")

    loop = run_loop(paths, args.model)
    base = loop["hours"] / loop["seconds"]
    print(
        f"{'loop (1 process)':<18} {base:6.2f} h/s   CPU per data hour {loop['cpu'] / loop['hours']:5.3f} s   "
        f"peak RSS {loop['rss']:6.0f} MiB   (model load {loop['load']:.1f} s, not counted)"
    )
    half = ",".join(f"BM.S{s:03d}..HH?" for s in range(max(1, args.stations // 2)))
    for label, workers, stations in (
        ("dask 1", 1, "BM.*..HH?"),
        ("dask 2", 2, "BM.*..HH?"),
        ("dask 2 (half)", 2, half),
    ):
        r = run_dask(root, stations, args.days, args.model, workers, work)
        rate = r["hours"] / r["seconds"]
        idle = r["seconds"] - r["busy"] / workers
        print(
            f"{label:<18} {rate:6.2f} h/s ({rate / base:4.0%} of loop)   CPU per data hour {r['cpu'] / r['hours']:5.3f} s "
            f"+ {r['client_cpu'] / r['hours']:5.3f} s client/scheduler   peak RSS per worker "
            f"{', '.join(f'{m:.0f}' for m in r['rss'])} MiB   cluster start {r['start']:.1f} s, model load "
            f"{r['load']:.1f} s (not counted); {r['tasks']} tasks, wall beyond busy time {idle / max(r['tasks'], 1) * 1000:.0f} ms "
            f"per task; no-op task {r['noop'] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
