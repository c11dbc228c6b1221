"""Archive-scale picking on Dask: any zoo picker over an SDS tree, a bucket template or a file list.

The work is split into tasks of one instrument x one chunk (a day by default), each read with margins
from the neighbouring chunks on one window grid, so the picks equal those of ``zoo.classify`` on the
continuous stream; tasks run on a Dask cluster (a local one by default), the model is loaded once per
worker process, every task writes its own Parquet file, and a rerun resumes where the last one stopped.

- :func:`pick` runs (or resumes) a run; :func:`status` and :func:`collect` read a run folder back.
- :mod:`zoo.archive.sources` (SDS, templates, file lists), :mod:`zoo.archive.tasks` (chunks, margins,
  window grid), :mod:`zoo.archive.compute` (one task's picking), :mod:`zoo.archive.worker` (the worker
  plugin), :mod:`zoo.archive.output` (the run folder), :mod:`zoo.archive.run` (the engine),
  :mod:`zoo.archive.cluster` (the Dask cluster), :mod:`zoo.archive.results` (status and collect).

Example:
    >>> import zoo.archive
    >>> zoo.archive.parse_duration("6h")
    21600.0
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "RunStatus": "zoo.archive.results",
    "collect": "zoo.archive.results",
    "iter_picks": "zoo.archive.results",
    "read_picks": "zoo.archive.results",
    "status": "zoo.archive.results",
    "RunSummary": "zoo.archive.run",
    "parse_duration": "zoo.archive.run",
    "pick": "zoo.archive.run",
}
"""Public names and their modules, imported on first use (``zoo --help`` need not import Dask)."""


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'zoo.archive' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)


__all__ = [
    "RunStatus",
    "RunSummary",
    "collect",
    "iter_picks",
    "parse_duration",
    "pick",
    "read_picks",
    "status",
]
