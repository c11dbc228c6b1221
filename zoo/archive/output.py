"""The run folder: ``run.json``, one Parquet file of picks per task, ``failed/`` records, listings.

Layout below the run folder (any fsspec location)::

    run.json                                        configuration + zoo version
    tasks.parquet                                   the planned tasks (for ``zoo archive status``)
    picks/year=YYYY/doy=DDD/NET.STA.LOC.CH.parquet  one per finished task (empty when it found no pick)
    failed/year=YYYY/doy=DDD/NET.STA.LOC.CH.json    one per task that failed after its retries
    annotations/year=YYYY/doy=DDD/NET.STA.LOC.CH.mseed   with save_annotations

Every file is written under a temporary name beside its target and then moved onto it, so a crash
never leaves a half-written file under a final name; on object stores an upload appears whole anyway.

Example:
    >>> import obspy
    >>> from zoo.waveforms.picklist import Pick
    >>> t = obspy.UTCDateTime(2019, 7, 4, 0, 0, 1)
    >>> table = picks_table([Pick("CI.PASC..HH", "P", t, 0.9, t - 0.1, t + 0.1)], "phasenet", "original", "ab12")
    >>> table.column_names[:4], table.num_rows
    (['trace_id', 'phase', 'time', 'probability'], 1)
    >>> str(rows_to_picks(table)[0].time)
    '2019-07-04T00:00:01.000000Z'
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

import fsspec
import obspy
import pyarrow as pa
import pyarrow.parquet as pq

from zoo import annotation_files
from zoo.waveforms.picklist import Pick

RUN_FILE = "run.json"
TASKS_FILE = "tasks.parquet"
PICKS, FAILED, ANNOTATIONS = "picks", "failed", "annotations"
META_KEY = b"geozoo"
_OBJECT_STORES = {"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss"}

_TIME = pa.timestamp("ns", tz="UTC")
SCHEMA = pa.schema(
    [
        ("trace_id", pa.string()),
        ("phase", pa.string()),
        ("time", _TIME),
        ("probability", pa.float64()),
        ("start_time", _TIME),
        ("end_time", _TIME),
        ("channel", pa.string()),
        ("model", pa.string()),
        ("preset", pa.string()),
        ("weights_sha256", pa.string()),
    ]
)
"""Columns of every picks file: the pick (as ``zoo pick --output x.csv``) and the model that made it."""


class RunFolder:
    """A run folder on any fsspec filesystem."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.url = str(url).rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **(storage_options or {}))

    def path(self, *parts: str) -> str:
        """A path inside the folder (filesystem spelling, no protocol)."""
        return "/".join([self.root.rstrip("/"), *parts])

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write ``data`` to ``relative`` atomically: on object stores in one upload (which appears whole
        or not at all), elsewhere under a temporary name beside the target, then moved onto it."""
        target = self.path(relative)
        protocols = {self.fs.protocol} if isinstance(self.fs.protocol, str) else set(self.fs.protocol)
        if protocols & _OBJECT_STORES:
            self.fs.pipe_file(target, data)
            return
        folder, name = target.rsplit("/", 1)
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"
        self.fs.pipe_file(tmp, data)
        try:
            self.fs.mv(tmp, target)
        except BaseException:
            if self.fs.exists(tmp):
                self.fs.rm(tmp)
            raise

    def read_json(self, relative: str) -> dict[str, Any] | None:
        """The JSON file at ``relative``, or ``None`` if there is none."""
        try:
            return json.loads(self.fs.cat_file(self.path(relative)))
        except FileNotFoundError:
            return None

    def write_json(self, relative: str, value: dict[str, Any]) -> None:
        """Write ``value`` as indented JSON, atomically."""
        self.write_bytes(relative, (json.dumps(value, indent=2, default=str) + "\n").encode())

    def listing(self) -> dict[str, set[str]]:
        """Task names with a picks file and with a failure record, from ONE recursive listing of the folder."""
        found: dict[str, set[str]] = {PICKS: set(), FAILED: set()}
        prefix = self.root.rstrip("/") + "/"
        try:
            paths = self.fs.find(self.root)
        except FileNotFoundError:
            return found
        for path in paths:
            relative = path[len(prefix) :] if path.startswith(prefix) else path
            kind, _, rest = relative.partition("/")
            name = rest.rsplit("/", 1)[-1]
            if name.startswith("."):
                continue
            if kind == PICKS and rest.endswith(".parquet"):
                found[PICKS].add(rest[: -len(".parquet")])
            elif kind == FAILED and rest.endswith(".json"):
                found[FAILED].add(rest[: -len(".json")])
        return found

    def remove(self, relative: str) -> None:
        """Delete ``relative`` if it exists."""
        path = self.path(relative)
        if self.fs.exists(path):
            self.fs.rm(path)


def picks_table(
    picks: Iterable[Pick],
    model: str,
    preset: str,
    weights_sha256: str,
    metadata: dict[str, Any] | None = None,
) -> pa.Table:
    """The picks as an Arrow table with :data:`SCHEMA` (``metadata`` goes into the file's key-value metadata)."""
    picks = list(picks)
    columns = {
        "trace_id": [p.trace_id for p in picks],
        "phase": [p.phase for p in picks],
        "time": [p.time.ns for p in picks],
        "probability": [float(p.probability) for p in picks],
        "start_time": [p.start_time.ns for p in picks],
        "end_time": [p.end_time.ns for p in picks],
        "channel": [p.channel for p in picks],
        "model": [model] * len(picks),
        "preset": [preset] * len(picks),
        "weights_sha256": [weights_sha256] * len(picks),
    }
    table = pa.table({name: pa.array(columns[name], type=SCHEMA.field(name).type) for name in SCHEMA.names})
    return table.replace_schema_metadata({META_KEY: json.dumps(metadata or {}, default=str).encode()})


def parquet_bytes(table: pa.Table) -> bytes:
    """The table as one Parquet file in memory."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def annotations_bytes(annotations: obspy.Stream, prefix: str) -> bytes:
    """Probability traces as MiniSEED, channel codes as ``zoo annotate`` writes them (``PhaseNet_P`` -> ``EHP``)."""
    ((_, stream),) = annotation_files.plan(annotations, "annotations.mseed", prefix)
    sink = io.BytesIO()
    stream.write(sink, format="MSEED")
    return sink.getvalue()


def task_metadata(footer: pq.FileMetaData) -> dict[str, Any]:
    """The geozoo key-value metadata of a picks file (data seconds, chunk, read span)."""
    raw = (footer.metadata or {}).get(META_KEY)
    return json.loads(raw) if raw else {}


def rows_to_picks(table: pa.Table) -> list[Pick]:
    """:class:`zoo.Pick` records from a picks table (times back to ``UTCDateTime`` to the nanosecond)."""
    names = [f.name for f in fields(Pick)]
    data = {
        n: table.column(n).cast(pa.int64()).to_pylist() if n.endswith("time") else table.column(n).to_pylist()
        for n in names
    }
    return [
        Pick(**{n: obspy.UTCDateTime(ns=data[n][i]) if n.endswith("time") else data[n][i] for n in names})
        for i in range(table.num_rows)
    ]
