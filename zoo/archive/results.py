"""Reading a run folder back: ``status`` (done / failed / left, data hours, picks) and ``collect``.

Both need only the run folder (not the waveforms): the planned tasks are in ``tasks.parquet``, the
finished ones are the picks files, and each picks file's footer holds its task's data seconds.

Example:
    >>> import tempfile
    >>> from zoo.archive.output import RunFolder
    >>> folder = tempfile.mkdtemp()
    >>> RunFolder(folder).write_json("run.json", {"geozoo": "0.1.0", "config": {}})
    >>> status(folder).done, len(read_picks(folder))
    (0, 0)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from zoo.archive import output
from zoo.files import write_atomically
from zoo.waveforms.picklist import PickList

_READERS = 16


@dataclass
class RunStatus:
    """The state of a run folder.

    Attributes:
        out: The run folder.
        config: The configuration from ``run.json``.
        tasks: Tasks planned by the last ``pick`` call.
        done: Tasks with a picks file.
        failed: Tasks recorded in ``failed/`` (the last attempt failed); ``errors`` maps them to the error.
        left: Tasks neither done nor failed.
        data_hours: Hours of data in the finished tasks.
        picks: Picks in the finished tasks.
    """

    out: str
    config: dict[str, Any]
    tasks: int
    done: int
    failed: int
    left: int
    data_hours: float
    picks: int
    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"{self.out}: {self.config.get('model')} ({self.config.get('preset')}) on {self.config.get('source')}",
            f"  tasks: {self.done} done, {self.failed} failed, {self.left} left of {self.tasks}",
            f"  data: {self.data_hours:.1f} h picked, {self.picks} picks",
        ]
        lines += [f"  failed {name}: {error}" for name, error in sorted(self.errors.items())]
        return "\n".join(lines)


def _open(out: str, storage_options: dict[str, Any] | None) -> tuple[output.RunFolder, dict[str, Any]]:
    folder = output.RunFolder(out, storage_options)
    run = folder.read_json(output.RUN_FILE)
    if run is None:
        raise ValueError(f"{out} is not a zoo archive run folder (no {output.RUN_FILE}).")
    return folder, run


def _pick_files(folder: output.RunFolder, names: set[str]) -> list[str]:
    return [folder.path(f"{output.PICKS}/{name}.parquet") for name in sorted(names)]


def status(out: str | os.PathLike, storage_options: dict[str, Any] | None = None) -> RunStatus:
    """Count done, failed and left tasks of a run folder and sum their data hours and picks.

    Raises:
        ValueError: ``out`` is not a run folder.
    """
    folder, run = _open(os.fspath(out), storage_options)
    listed = folder.listing()
    try:
        planned = set(
            pq.read_table(folder.path(output.TASKS_FILE), filesystem=folder.fs, columns=["task"])
            .column("task")
            .to_pylist()
        )
    except FileNotFoundError:
        planned = set()
    done = listed[output.PICKS]
    failed = listed[output.FAILED] - done

    def footer(path: str) -> tuple[int, float]:
        with folder.fs.open(path, "rb") as fh:
            meta = pq.read_metadata(fh)
        return meta.num_rows, float(output.task_metadata(meta).get("data_seconds", 0.0))

    with ThreadPoolExecutor(_READERS) as pool:
        footers = list(pool.map(footer, _pick_files(folder, done)))
    errors = {}
    for name in sorted(failed):
        record = folder.read_json(f"{output.FAILED}/{name}.json") or {}
        errors[name] = record.get("error", "?")
    return RunStatus(
        out=folder.url,
        config=run.get("config", {}),
        tasks=len(planned | done | failed),
        done=len(done),
        failed=len(failed),
        left=len(planned - done - failed),
        data_hours=sum(s for _, s in footers) / 3600,
        picks=sum(n for n, _ in footers),
        errors=errors,
    )


def iter_picks(out: str | os.PathLike, storage_options: dict[str, Any] | None = None) -> Iterator[pa.Table]:
    """The picks of a run folder day by day, each day's table sorted by time (so the stream is in time order).

    Chunks never cross midnight, so one day folder holds all picks of that day; only one day's picks are
    in memory at a time.
    """
    folder, _ = _open(os.fspath(out), storage_options)
    by_day: dict[str, list[str]] = {}
    for name in folder.listing()[output.PICKS]:
        by_day.setdefault(name.rsplit("/", 1)[0], []).append(name)

    def read(path: str) -> pa.Table:
        with folder.fs.open(path, "rb") as fh:
            return pq.read_table(fh).replace_schema_metadata(None)

    with ThreadPoolExecutor(_READERS) as pool:
        for day in sorted(by_day):
            tables = list(pool.map(read, _pick_files(folder, set(by_day[day]))))
            table = pa.concat_tables(tables)
            yield table.sort_by([("time", "ascending"), ("trace_id", "ascending"), ("phase", "ascending")])


def read_picks(out: str | os.PathLike, storage_options: dict[str, Any] | None = None) -> pa.Table:
    """All picks of a run folder as one Arrow table (:data:`zoo.archive.output.SCHEMA`), sorted by time."""
    tables = list(iter_picks(out, storage_options))
    return pa.concat_tables(tables) if tables else output.SCHEMA.empty_table()


def collect(
    out: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    overwrite: bool = False,
    storage_options: dict[str, Any] | None = None,
) -> Path:
    """Write all picks of a run folder to one file, in time order.

    ``.csv`` has the columns of ``zoo pick --output x.csv``; ``.parquet`` the run's columns (with model,
    preset and weights sha256); ``.xml``/``.qml``/``.quakeml`` is QuakeML. CSV and Parquet are written
    day by day (memory holds one day's picks); QuakeML holds the whole catalogue in memory.

    Raises:
        ValueError: Unknown file type, or ``out`` is not a run folder.
        FileExistsError: ``output_path`` exists and ``overwrite`` is false.
    """
    path = Path(output_path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".xml", ".qml", ".quakeml"):
        raise ValueError(f"The output must end in .csv, .parquet or .xml (QuakeML), got {output_path!s}.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --overwrite) to replace it.")
    days = iter_picks(out, storage_options)
    if suffix == ".parquet":

        def write_parquet(tmp: Path) -> None:
            with pq.ParquetWriter(tmp, output.SCHEMA) as writer:
                for table in days:
                    writer.write_table(table)

        return write_atomically(path, write_parquet, overwrite=overwrite)
    if suffix == ".csv":

        def write_csv(tmp: Path) -> None:
            PickList().to_dataframe().to_csv(tmp, index=False)
            for table in days:
                PickList(output.rows_to_picks(table)).to_dataframe().to_csv(
                    tmp, mode="a", header=False, index=False
                )

        return write_atomically(path, write_csv, overwrite=overwrite)
    picks = PickList(p for table in days for p in output.rows_to_picks(table))
    return picks.to_quakeml(path, overwrite=overwrite)
