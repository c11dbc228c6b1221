"""The worker side: the model travels as name + preset + weights sha256 and is loaded once per process.

:class:`ModelSpec` is all that is ever sent to a worker about the model; :class:`ModelPlugin`, a Dask
worker plugin, sets TensorFlow's thread count and loads the model when it is attached to a worker
process (and the process keeps it for every later task and run); :func:`run_task` is what each Dask
task runs: read, pick (:mod:`zoo.archive.compute`), write the task's Parquet file.

Example:
    >>> spec = ModelSpec.resolve("phasenet")
    >>> spec.name, spec.preset, spec.weights_sha256[:12]
    ('phasenet', 'original', '23102e0e5f03')
    >>> len(loads()) == 0 or set(loads().values()) == {1}
    True
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from zoo.archive import compute, output
from zoo.archive.tasks import Task

logger = logging.getLogger(__name__)

_MODELS: dict[tuple[str, str, str], Any] = {}
_LOADS: dict[tuple[str, str, str], int] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelSpec:
    """Which model to run, by reference: registry name or preset folder, preset, weights digest.

    Attributes:
        name: Registry name (``"phasenet"``) or the path of a preset folder.
        preset: Preset name, or the preset folder's path.
        weights_sha256: sha256 of the weights (one file: that file's digest; several: the digest of
            their ``sha256  path`` lines, sorted); a worker whose weights differ refuses to run.
        card: The model card's registry name.
    """

    name: str
    preset: str
    weights_sha256: str
    card: str

    @classmethod
    def resolve(cls, model: str, preset: str | None = None) -> ModelSpec:
        """The spec of a registered model (default preset unless ``preset``) or of a preset folder path.

        Raises:
            ValueError: Unknown model or preset, a model without published weights, a folder without weights.
        """
        from zoo.preset_folder import CONFIG, WEIGHTS, is_preset_folder
        from zoo.registry import card
        from zoo.weights import sha256sum

        if is_preset_folder(model):
            folder = Path(model).resolve()
            if preset is not None:
                raise ValueError(f"{model} is a preset folder; do not also give a preset ({preset!r}).")
            if not (folder / WEIGHTS).is_file():
                raise ValueError(f"{folder} has no {WEIGHTS}.")
            import json

            name = json.loads((folder / CONFIG).read_text())["model"]
            return cls(str(folder), str(folder), sha256sum(folder / WEIGHTS), card(name).name)
        model_card = card(model)
        if model_card.default_preset is None:
            raise ValueError(f"{model_card.name} has no published weights to pick with.")
        chosen = model_card.preset(preset)
        return cls(model_card.name, chosen.name, _digest(chosen.files), model_card.name)

    @property
    def key(self) -> tuple[str, str, str]:
        """``(name, preset, weights_sha256)``."""
        return (self.name, self.preset, self.weights_sha256)

    def load(self) -> Any:
        """Build the model and check its weights against :attr:`weights_sha256`."""
        import zoo
        from zoo.preset_folder import WEIGHTS
        from zoo.weights import sha256sum

        if self.name == self.preset:
            found = sha256sum(Path(self.name) / WEIGHTS)
            if found != self.weights_sha256:
                raise ValueError(
                    f"The weights in {self.name} have sha256 {found} on this worker, not {self.weights_sha256} "
                    "as when the run started; the preset folder changed."
                )
            return zoo.load(self.name)
        found = _digest(zoo.card(self.name).preset(self.preset).files)
        if found != self.weights_sha256:
            raise ValueError(
                f"{self.name} preset {self.preset} has weights sha256 {found} on this worker, not "
                f"{self.weights_sha256}: install the same geozoo version on every worker."
            )
        return zoo.load(self.name, pretrained=self.preset)


def _digest(files) -> str:
    if len(files) == 1:
        return files[0].sha256
    manifest = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(files, key=lambda f: f.path))
    return hashlib.sha256(manifest.encode()).hexdigest()


def model_for(spec: ModelSpec) -> Any:
    """The process's model for ``spec``, loaded on first use (once per process, counted in :func:`loads`)."""
    with _LOCK:
        if spec.key not in _MODELS:
            _MODELS[spec.key] = spec.load()
            _LOADS[spec.key] = _LOADS.get(spec.key, 0) + 1
            logger.info("Loaded %s (%s) in process %d", spec.name, spec.preset, os.getpid())
        return _MODELS[spec.key]


def loads() -> dict[tuple[str, str, str], int]:
    """How many times this process has built each model (1 each when loading once per process works)."""
    return dict(_LOADS)


def set_tensorflow_threads(threads: int) -> bool:
    """Give TensorFlow ``threads`` intra-op threads and one inter-op thread; ``False`` if it had already started."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        logger.debug("TensorFlow is already running in process %d; thread settings unchanged.", os.getpid())
        return False
    return True


class ModelPlugin(WorkerPlugin):
    """Dask worker plugin: TensorFlow threads, then the model, once per worker process.

    Only the :class:`ModelSpec` and the thread count are pickled and sent; the model is built on the
    worker. In a worker process of its own (not the client's), the plugin also sends per-window
    progress bars of the waveform path to nowhere (``sys.stderr`` to ``os.devnull``; logging keeps its
    handlers), routes warnings to logging, so a run prints one progress bar, the client's, and raises
    glibc's malloc thresholds as the ``zoo`` command does (:func:`zoo.runtime.tune_allocator`).
    """

    idempotent = False

    def __init__(self, spec: ModelSpec, tf_threads: int | None = None) -> None:
        self.spec = spec
        self.tf_threads = tf_threads
        self.client_pid = os.getpid()

    @property
    def name(self) -> str:
        """The plugin's name on the workers (one per model)."""
        return f"geozoo-model-{self.spec.weights_sha256[:16]}"

    async def setup(self, worker) -> None:
        """Set TensorFlow's threads and load the model in a thread (the worker's event loop stays free)."""
        from zoo.runtime import tune_allocator

        if os.getpid() != self.client_pid:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (held for the process's life)
            logging.captureWarnings(True)
            tune_allocator()
        set_tensorflow_threads(self.tf_threads or worker.state.nthreads)
        await asyncio.to_thread(model_for, self.spec)


@dataclass(frozen=True)
class Settings:
    """Everything a task needs besides itself (sent with each task; small).

    Attributes:
        spec: The model.
        thresholds: ``<label>_threshold`` keywords (every label, resolved).
        out: The run folder URL.
        out_options: fsspec storage options for the run folder.
        source_options: fsspec storage options for the waveform files.
        batch_size: Windows in the network at once (see :func:`zoo.annotate`).
        zero_fill: Pick with a missing component zero-filled instead of failing.
        save_annotations: Also write the probability traces.
    """

    spec: ModelSpec
    thresholds: dict[str, float]
    out: str
    out_options: dict[str, Any] = field(default_factory=dict)
    source_options: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 128
    zero_fill: bool = False
    save_annotations: bool = False


def run_task(task: Task, settings: Settings) -> dict[str, Any]:
    """Run one task on a worker and write its files; returns a small summary for the progress bar."""
    began = time.perf_counter()
    model = model_for(settings.spec)
    stream = compute.read(task, settings.source_options)
    result = compute.pick_chunk(
        model,
        task,
        stream,
        settings.thresholds,
        batch_size=settings.batch_size,
        zero_fill=settings.zero_fill,
        annotations=settings.save_annotations,
    )
    del stream
    folder = output.RunFolder(settings.out, settings.out_options)
    if result.annotations:
        data = output.annotations_bytes(result.annotations, model.zoo_card.prefix)
        folder.write_bytes(f"{output.ANNOTATIONS}/{task.name}.mseed", data)
    seconds = time.perf_counter() - began
    metadata = {
        "task": task.name,
        "data_seconds": result.data_seconds,
        "chunk": [str(task.start), str(task.end)],
        "read": [str(task.read_start), str(task.read_end)],
        "compute_seconds": seconds,
    }
    spec = settings.spec
    table = output.picks_table(result.picks, spec.card, spec.preset, spec.weights_sha256, metadata)
    folder.write_bytes(f"{output.PICKS}/{task.name}.parquet", output.parquet_bytes(table))
    return {
        "task": task.name,
        "picks": len(result.picks),
        "data_seconds": result.data_seconds,
        "compute_seconds": time.perf_counter() - began,
        "pid": os.getpid(),
        "loads": _LOADS.get(spec.key, 0),
    }
