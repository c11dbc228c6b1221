"""``zoo.archive.pick``: plan the tasks, skip the finished ones, run the rest on Dask with a bounded queue.

The run folder's ``run.json`` pins the configuration: rerunning the same call resumes (finished tasks
are found by one listing of the folder and skipped), a different configuration is refused. Tasks go to a
Dask client (a ``LocalCluster`` without dashboard by default; ``scheduler=`` or ``client=`` for an
existing cluster) at most ``max_in_flight`` at a time; each writes its own Parquet file on the worker, so
only small summaries come back. A task that still fails after its retries is recorded in ``failed/``
and the run goes on.

Example:
    >>> parse_duration("1d"), parse_duration("30min"), parse_duration("3600")
    (86400.0, 1800.0, 3600.0)
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import obspy
from tqdm.auto import tqdm

from zoo.archive import output
from zoo.archive.cluster import connect
from zoo.archive.sources import open_source
from zoo.archive.stations import StationSelection
from zoo.archive.tasks import DAY, Grid, Task, plan
from zoo.archive.worker import ModelPlugin, ModelSpec, Settings, run_task

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600, "d": DAY, "day": DAY}
_INFLIGHT_PER_THREAD = 2
_INFLIGHT_REFRESH = 10.0


@dataclass
class RunSummary:
    """What a call of :func:`pick` did.

    Attributes:
        out: The run folder.
        tasks: Tasks planned.
        skipped: Tasks already finished before this call (resumed past).
        done: Tasks finished by this call.
        failed: Tasks that failed after their retries in this call (see ``failed/``).
        picks: Picks written by this call.
        data_hours: Hours of data picked by this call (per instrument).
        seconds: Wall time of this call.
        compute_seconds: Time the tasks spent inside the workers (reading, picking, writing), summed.
        loads: ``{worker process id: model loads}`` reported by the tasks.
    """

    out: str
    tasks: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    picks: int = 0
    data_hours: float = 0.0
    seconds: float = 0.0
    compute_seconds: float = 0.0
    loads: dict[int, int] | None = None

    def __str__(self) -> str:
        rate = self.data_hours / self.seconds if self.seconds else 0.0
        return (
            f"{self.out}: {self.done} tasks done, {self.failed} failed, {self.skipped} already done of "
            f"{self.tasks}; {self.picks} picks in {self.data_hours:.1f} h of data, {self.seconds:.0f} s "
            f"({rate:.1f} h/s with start-up)"
        )


def parse_duration(text: str | float) -> float:
    """Seconds in ``"1d"``, ``"6h"``, ``"30min"``, ``"90s"`` or a plain number of seconds."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = re.fullmatch(r"\s*([0-9.]+)\s*([a-z]*)\s*", str(text).lower())
    if not match or (match[2] and match[2].rstrip("s") not in _UNITS and match[2] not in _UNITS):
        raise ValueError(f"Cannot read the duration {text!r}; write e.g. 1d, 6h, 30min or 3600 (seconds).")
    unit = _UNITS.get(match[2], _UNITS.get(match[2].rstrip("s"), 1)) if match[2] else 1
    return float(match[1]) * unit


def _time(value: Any, what: str) -> obspy.UTCDateTime:
    try:
        return obspy.UTCDateTime(value)
    except Exception as err:  # UTCDateTime raises TypeError or ValueError
        raise ValueError(f"Cannot read the {what} time {value!r} ({err}); write e.g. 2019-07-04.") from err


def _check_config(folder: output.RunFolder, config: dict[str, Any]) -> None:
    """Write ``run.json`` for a new run folder; refuse a folder made with another configuration."""
    import zoo

    existing = folder.read_json(output.RUN_FILE)
    if existing is None:
        created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        folder.write_json(output.RUN_FILE, {"geozoo": zoo.__version__, "created": created, "config": config})
        return
    before = existing.get("config", {})
    changed = [k for k in sorted(set(before) | set(config)) if before.get(k) != config.get(k)]
    if changed:
        details = "; ".join(f"{k}: {before.get(k)!r} there, {config.get(k)!r} now" for k in changed)
        raise ValueError(
            f"{folder.url} holds a run with another configuration ({details}). Resume it with the same "
            "settings, or give another output folder."
        )
    if existing.get("geozoo") != zoo.__version__:
        logger.warning(
            "%s was started with geozoo %s; resuming with %s.",
            folder.url,
            existing.get("geozoo"),
            zoo.__version__,
        )


def pick(
    source: str | os.PathLike | list[str],
    stations: str | os.PathLike | list[str],
    start: Any,
    end: Any,
    model: str = "phasenet",
    *,
    out: str,
    preset: str | None = None,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    threads_per_worker: int | None = None,
    chunk: str | float = "1d",
    batch_size: int = 128,
    save_annotations: bool = False,
    zero_fill: bool = False,
    retries: int = 2,
    max_in_flight: int | None = None,
    source_options: dict[str, Any] | None = None,
    out_options: dict[str, Any] | None = None,
    progress: bool = True,
    **thresholds: float,
) -> RunSummary:
    """Pick every selected instrument of an archive between ``start`` and ``end`` on a Dask cluster.

    Args:
        source: ``sds://ROOT``, a template with ``{year} {doy} {month} {day} {net} {sta} {loc} {cha}``
            fields (any fsspec URL), a glob, or a list of MiniSEED files (see :mod:`zoo.archive.sources`).
        stations: ``NET.STA.LOC.CHA`` patterns, comma-separated or as a list, or a file of them.
        start: Run start (anything ``obspy.UTCDateTime`` reads); the window grid starts here.
        end: Run end (exclusive).
        model: Registered model name or preset folder path.
        out: Run folder (local path or fsspec URL).
        preset: Weights preset (default: the model's default).
        client: A ``distributed.Client`` to use as is.
        scheduler: Address of a running Dask scheduler (``tcp://head:8786``).
        workers: Worker processes of the local cluster (default: one per core, at most one per 2 GiB of
            memory).
        threads_per_worker: TensorFlow threads per worker (local default: cores / workers, so
            workers x threads = cores; on a given cluster: each worker's Dask thread count).
        chunk: Chunk length (``"1d"``, ``"1h"``, seconds); must divide a day.
        batch_size: Windows in the network at once (see :func:`zoo.annotate`).
        save_annotations: Also write each task's probability traces (MiniSEED) under ``annotations/``.
        zero_fill: Pick instruments lacking a component with zeros in its place (as ``zoo.classify``)
            instead of recording the task as failed.
        retries: Extra attempts of a failing task before it is recorded in ``failed/``.
        max_in_flight: Tasks submitted at a time (default: two per worker thread).
        source_options: fsspec storage options for the waveforms (``s3://``/``gs://``: anonymous by default).
        out_options: fsspec storage options for the run folder.
        progress: Show a progress bar of station-days (data hours per second, picks, failures).
        **thresholds: ``<label>_threshold=value`` as for :func:`zoo.classify`.

    Returns:
        A :class:`RunSummary`.

    Raises:
        ValueError: Bad times, chunk, stations, source or thresholds, or a run folder holding another
            configuration.
    """
    import zoo
    from zoo.waveforms.picks import pick_thresholds

    began = time.perf_counter()
    start, end = _time(start, "start"), _time(end, "end")
    spec = ModelSpec.resolve(model, preset)
    card = zoo.card(spec.card)
    levels = pick_thresholds(card, thresholds)
    grid = Grid.for_card(card, start, end, parse_duration(chunk))
    selection = StationSelection.parse(stations)
    src = open_source(source, source_options)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be a whole number >= 0, got {retries!r}.")
    for name, value in (
        ("workers", workers),
        ("threads_per_worker", threads_per_worker),
        ("batch_size", batch_size),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be a positive whole number, got {value!r}.")
    config = {
        "source": src.describe(),
        "stations": selection.to_list(),
        "start": str(start),
        "end": str(end),
        "chunk_seconds": grid.chunk,
        "model": spec.card,
        "preset": spec.preset,
        "weights_sha256": spec.weights_sha256,
        "thresholds": levels,
        "zero_fill": bool(zero_fill),
        "save_annotations": bool(save_annotations),
        "window_step_seconds": grid.step,
        "margin_seconds": grid.margin,
    }
    folder = output.RunFolder(out, out_options)
    _check_config(folder, config)
    listed = folder.listing()
    tasks = plan(src.files(selection, start, end), grid)
    _write_plan(folder, tasks)
    todo = [t for t in tasks if t.name not in listed[output.PICKS]]
    summary = RunSummary(folder.url, len(tasks), skipped=len(tasks) - len(todo))
    if not tasks:
        logger.warning(
            "No file of %s matches %s between %s and %s.", src.describe(), selection.to_list(), start, end
        )
    if todo:
        if spec.name != spec.preset:
            zoo.weights.resolve(card.preset(spec.preset))
        settings = Settings(
            spec,
            {f"{k}_threshold": v for k, v in levels.items()},
            folder.url,
            dict(out_options or {}),
            dict(src.storage_options),
            batch_size,
            bool(zero_fill),
            bool(save_annotations),
        )
        with ExitStack() as stack:
            dask_client, tf_threads = connect(stack, client, scheduler, workers, threads_per_worker)
            plugin = ModelPlugin(spec, tf_threads)
            dask_client.register_plugin(plugin, name=plugin.name)
            unit = "station-day" if grid.chunk == DAY else "task"
            _submit_all(
                dask_client,
                todo,
                settings,
                folder,
                listed[output.FAILED],
                summary,
                retries,
                max_in_flight,
                progress,
                unit,
            )
    summary.seconds = time.perf_counter() - began
    logger.info("%s", summary)
    return summary


def _write_plan(folder: output.RunFolder, tasks: list[Task]) -> None:
    import pyarrow as pa

    table = pa.table(
        {
            "task": [t.name for t in tasks],
            "instrument": [t.instrument for t in tasks],
            "start": pa.array([t.start.ns for t in tasks], pa.timestamp("ns", tz="UTC")),
            "end": pa.array([t.end.ns for t in tasks], pa.timestamp("ns", tz="UTC")),
            "files": [len(t.files) for t in tasks],
        }
    )
    folder.write_bytes(output.TASKS_FILE, output.parquet_bytes(table))


def _submit_all(
    client,
    todo: list[Task],
    settings: Settings,
    folder: output.RunFolder,
    failed_before: set[str],
    summary: RunSummary,
    retries: int,
    max_in_flight: int | None,
    progress: bool,
    unit: str,
) -> None:
    """Submit ``todo`` keeping at most ``max_in_flight`` tasks queued; record each outcome as it completes.

    Without ``max_in_flight`` the bound is two tasks per worker thread, re-read from the scheduler every
    ``_INFLIGHT_REFRESH`` seconds, so a cluster that is still scaling up (dask-jobqueue) gets more.
    """
    from distributed import as_completed

    token = uuid.uuid4().hex[:8]
    pending = iter(todo)
    by_key: dict[str, Task] = {}
    completed = as_completed()
    summary.loads = {}
    limit = {"value": max_in_flight or 0, "read": -float("inf")}

    def fill() -> None:
        now = time.monotonic()
        if not max_in_flight and now - limit["read"] > _INFLIGHT_REFRESH:
            limit["value"] = _INFLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))
            limit["read"] = now
        while len(by_key) < limit["value"] and (task := next(pending, None)) is not None:
            key = f"zoo-archive-{task.name}-{token}"
            by_key[key] = task
            completed.add(client.submit(run_task, task, settings, key=key, retries=retries, pure=False))

    fill()
    began = time.perf_counter()
    bar = tqdm(
        total=summary.tasks, initial=summary.skipped, unit=unit, desc="zoo archive pick", disable=not progress
    )
    with bar:
        for future in completed:
            task = by_key.pop(future.key)
            if future.status == "finished":
                result = future.result()
                summary.done += 1
                summary.picks += result["picks"]
                summary.data_hours += result["data_seconds"] / 3600
                summary.compute_seconds += result["compute_seconds"]
                summary.loads[result["pid"]] = result["loads"]
                if task.name in failed_before:
                    folder.remove(f"{output.FAILED}/{task.name}.json")
            else:
                summary.failed += 1
                _record_failure(folder, task, future, retries)
            future.release()
            fill()
            rate = summary.data_hours / max(time.perf_counter() - began, 1e-9)
            bar.set_postfix_str(
                f"{rate:.1f} h/s, {summary.picks} picks, {summary.failed} failed", refresh=False
            )
            bar.update(1)


def _record_failure(folder: output.RunFolder, task: Task, future, retries: int) -> None:
    import traceback

    error = future.exception()
    logger.warning("Task %s failed after %d attempts: %s", task.name, retries + 1, error)
    folder.write_json(
        f"{output.FAILED}/{task.name}.json",
        {
            "task": task.name,
            "instrument": task.instrument,
            "chunk": [str(task.start), str(task.end)],
            "files": sorted({f.path for f in task.files}),
            "attempts": retries + 1,
            "error": f"{type(error).__name__}: {error}",
            "traceback": "".join(traceback.format_tb(future.traceback())),
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
    )
