"""Data readers: training elements streamed from SeisBench, STEAD and PhaseNet NPZ files, and more.

:func:`open_dataset` recognises the format of ``path`` and returns a ``tf.data.Dataset`` of
training elements (:mod:`zoo.data.elements`: ``waveform`` float32 ``[samples, channels]`` in the
requested component order, ``trace_p_arrival_sample`` / ``trace_s_arrival_sample`` in samples or
NaN, ``trace_name``, ``source_id``, ``trace_sampling_rate_hz``, ``trace_snr_db``);
:func:`iter_examples` yields the same elements as numpy dicts. Nothing is loaded whole: each
reader opens its files once per pass and reads one trace at a time.

Formats (:func:`detect_format`):

- ``"seisbench"``: a folder with ``metadata*.csv`` + ``waveforms*.hdf5`` in SeisBench's format
  (:mod:`zoo.data.seisbench`); ``split=`` uses its ``split`` column.
- ``"stead"``: STEAD's ``merged.hdf5`` + ``merged.csv`` (the file or their folder), or a folder
  with a STEAD-column ``metadata.csv`` (:mod:`zoo.data.stead`); ``split=`` is by event.
- ``"phasenet_npz"``: a folder of ``.npz`` records with a labels CSV (``fname``, ``itp``, ``its``)
  in it or its parent (:mod:`zoo.data.phasenet_npz`).

Example:
    >>> import zoo.data
    >>> ds = zoo.data.open_dataset("../shared/data/stead50", components="ZNE", split="train")
    >>> zoo.data.detect_format("../shared/data/stead50"), int(ds.cardinality())
    ('stead', 43)
    >>> el = next(iter(ds))
    >>> el[zoo.data.WAVEFORM].shape.as_list(), float(el[zoo.data.P_ARRIVAL])
    ([6000, 3], 600.0)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from zoo.data.elements import (
    COMPONENT_ORDER,
    P_ARRIVAL,
    S_ARRIVAL,
    SAMPLING_RATE,
    SNR,
    SOURCE_ID,
    SPLIT,
    TRACE_NAME,
    WAVEFORM,
)
from zoo.data.splits import SPLITS, split_by_event

__all__ = [
    "COMPONENT_ORDER",
    "FORMATS",
    "P_ARRIVAL",
    "SAMPLING_RATE",
    "SNR",
    "SOURCE_ID",
    "SPLIT",
    "SPLITS",
    "S_ARRIVAL",
    "TRACE_NAME",
    "WAVEFORM",
    "detect_format",
    "iter_examples",
    "open_dataset",
    "read_metadata",
    "split_by_event",
]

FORMATS = ("seisbench", "stead", "phasenet_npz")
_STEAD_MARK = "p_arrival_sample"


def _header(csv: Path) -> list[str]:
    with csv.open() as fh:
        return fh.readline().strip().split(",")


def detect_format(path: str | Path) -> str:
    """``"seisbench"``, ``"stead"`` or ``"phasenet_npz"`` for the data at ``path``.

    Raises:
        ValueError: ``path`` is none of the three formats; the message says what each needs.
    """
    path = Path(path)
    if path.is_file():
        if path.name.startswith(("waveforms", "metadata")) and any(path.parent.glob("waveforms*.hdf5")):
            path = path.parent
        else:
            csv = path.with_suffix(".csv")
            if csv.is_file() and _STEAD_MARK in _header(csv):
                return "stead"
    if path.is_dir():
        metadata = sorted(path.glob("metadata*.csv"))
        if metadata and any(path.glob("waveforms*.hdf5")):
            return "stead" if _STEAD_MARK in _header(metadata[0]) else "seisbench"
        for hdf5 in path.glob("*.hdf5"):
            csv = hdf5.with_suffix(".csv")
            if csv.is_file() and _STEAD_MARK in _header(csv):
                return "stead"
        if any(path.glob("*.npz")):
            return "phasenet_npz"
    raise ValueError(
        f"{path}: unknown data layout. Expected a SeisBench folder (metadata*.csv + waveforms*.hdf5), "
        "STEAD's merged.hdf5 + merged.csv (or their folder), or a folder of PhaseNet .npz files with a "
        "labels CSV (fname, itp, its)."
    )


def _module(path: str | Path, format: str | None):
    from zoo.data import phasenet_npz, seisbench, stead

    format = detect_format(path) if format is None else format
    modules = {"seisbench": seisbench, "stead": stead, "phasenet_npz": phasenet_npz}
    if format not in modules:
        raise ValueError(f"format must be one of {FORMATS}; got {format!r}.")
    if format == "seisbench" and Path(path).is_file():
        path = Path(path).parent
    return modules[format], path


def iter_examples(
    path: str | Path,
    *,
    components: str = "ENZ",
    split: str | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    format: str | None = None,
    **kw: Any,
) -> Iterator[dict[str, Any]]:
    """Training elements of the data at ``path`` as numpy dicts, one trace at a time.

    Args:
        path: A SeisBench folder, STEAD files or folder, or a PhaseNet NPZ folder.
        components: Component order of ``waveform``; components a record lacks are zeros.
        split: ``"train"``, ``"dev"``, ``"test"`` or ``None`` (all traces).
        shuffle, seed: Visit traces in a random order (reproducible with ``seed``).
        format: Skip detection (one of :data:`FORMATS`).
        **kw: Passed to the format's reader: ``columns`` (extra metadata keys), ``fractions`` and
            ``split_seed`` (event split), ``p_columns``/``s_columns`` (SeisBench), ``labels``,
            ``p_column``/``s_column``, ``sampling_rate`` (PhaseNet NPZ).
    """
    module, path = _module(path, format)
    return module.iter_examples(path, components=components, split=split, shuffle=shuffle, seed=seed, **kw)


def open_dataset(
    path: str | Path,
    *,
    components: str = "ENZ",
    split: str | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    format: str | None = None,
    **kw: Any,
):
    """The data at ``path`` as an unbatched ``tf.data.Dataset`` of training elements.

    Same arguments as :func:`iter_examples`. The dataset knows its length (``cardinality``);
    with ``shuffle=True`` each epoch has a new order (``seed + epoch`` when ``seed`` is given).
    Batch with ``padded_batch`` or crop to a common length first: records may differ in length.
    """
    module, path = _module(path, format)
    return module.dataset(path, components=components, split=split, shuffle=shuffle, seed=seed, **kw)


def read_metadata(
    path: str | Path, *, split: str | None = None, format: str | None = None, **kw: Any
) -> pd.DataFrame:
    """The metadata table (SeisBench column names, a ``split`` column) of the data at ``path``."""
    module, path = _module(path, format)
    if module.__name__.endswith("phasenet_npz"):
        labels = kw.pop("labels", None) or module.find_labels(path)
        return module.read_labels(labels, split=split, **kw)
    return module.read_metadata(path, split, **kw)
