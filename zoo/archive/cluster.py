"""The Dask cluster an archive run uses: a given client, a running scheduler, or a LocalCluster.

Example:
    >>> cores() >= 1
    True
"""

from __future__ import annotations

import logging
import os
from contextlib import ExitStack
from typing import Any

logger = logging.getLogger(__name__)

_WORKER_MEMORY = 2 << 30
"""Memory budget per local worker: a one-day PhaseNet task peaks at about 1.5 GiB (benchmarks/archive_throughput.py)."""


_QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "2s",
}
"""Dask settings of the local cluster: no statistical profiler (it samples the running task's stack every
10 ms), and event-loop ticks, system and memory monitors at 1-5 s instead of 20-500 ms. Tasks last
seconds to minutes, so nothing is lost; measured here: about 10 % less CPU per data hour in the workers
and the scheduler (benchmarks/archive_throughput.py)."""


class _QuietWorkerExit(logging.Filter):
    """Drops the nanny's "worker process still alive after 4 s, killing" notice at cluster close.

    A worker process that has imported TensorFlow takes longer than that to exit, every time; the
    notice is noise, not a fault (the work is done and written by then).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "still alive after" not in record.getMessage()


def _memory_bytes() -> int:
    import psutil

    return psutil.virtual_memory().total


def cores() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def connect(
    stack: ExitStack, client: Any, scheduler: str | None, workers: int | None, threads: int | None
) -> tuple[Any, int | None]:
    """``(client, TensorFlow threads per worker)``: ``client`` as given, one attached to ``scheduler``,
    or a new LocalCluster of ``workers`` processes (closed with ``stack``).

    The LocalCluster runs one task at a time per worker; ``workers`` defaults to one per core, at most one
    per 2 GiB of memory, ``threads`` (TensorFlow's, returned) to cores / workers. For a given client or
    scheduler the thread count is returned as given (``None``: each worker uses its Dask thread count).
    """
    import dask
    from distributed import Client, LocalCluster

    if client is not None:
        return client, threads
    if scheduler:
        return stack.enter_context(Client(scheduler)), threads
    usable = cores()
    if workers is None:
        workers = max(1, min(usable // (threads or 1), _memory_bytes() // _WORKER_MEMORY))
    threads = threads or max(1, usable // workers)
    # Dask logs every worker's start and stop at INFO through the root logger; keep warnings only.
    if logging.getLogger("distributed").getEffectiveLevel() < logging.WARNING:
        logging.getLogger("distributed").setLevel(logging.WARNING)
    nanny_log = logging.getLogger("distributed.nanny")
    if not any(isinstance(f, _QuietWorkerExit) for f in nanny_log.filters):
        nanny_log.addFilter(_QuietWorkerExit())
    # No dashboard; the scheduler's health-check server listens on a free local port, not on 8787.
    with dask.config.set(_QUIET_CLUSTER):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    stack.enter_context(cluster)
    logger.info("Local cluster: %d workers x %d TensorFlow threads", workers, threads)
    return stack.enter_context(Client(cluster)), threads
