"""Records in PhaseNet's NPZ + CSV format (the format of PhaseNet's NCEDC example data).

A folder of ``<fname>.npz`` files, each with ``data`` ``[samples, 3]`` (E, N, Z), and a CSV with a
``fname`` column and the P and S arrival samples (PhaseNet's ``itp``/``its``; any column names can be
given). :func:`iter_examples` and :func:`dataset` stream the records as training elements
(:mod:`zoo.data.elements`); :func:`zoo.evaluation.evaluate` picks and scores them.

Example:
    >>> records = list(iter_examples("../shared/data/ncedc/pred", p_column="pred_itp", s_column="pred_its"))
    >>> len(records), records[0]["waveform"].shape, float(records[0]["trace_p_arrival_sample"])
    (77, (3000, 3), 1712.0)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoo.data.arrivals import arrival_samples, check_unique
from zoo.data.elements import (
    P_ARRIVAL,
    S_ARRIVAL,
    SAMPLING_RATE,
    TRACE_NAME,
    check_components,
    column_kinds,
    extra_values,
    iter_rows,
    make_example,
    reader_dataset,
)
from zoo.data.splits import DEFAULT_FRACTIONS, select_split


def find_labels(folder: str | Path) -> Path:
    """The labels CSV of an NPZ folder: the one CSV with a ``fname`` column in ``folder`` or its parent."""
    folder = Path(folder)
    found = []
    for candidate in sorted(folder.glob("*.csv")) + sorted(folder.parent.glob("*.csv")):
        with candidate.open() as fh:
            if "fname" in fh.readline().strip().split(","):
                found.append(candidate)
    if len(found) != 1:
        raise ValueError(
            f"found {len(found)} CSV files with a 'fname' column in {folder} and its parent "
            f"({[str(p) for p in found]}); pass labels= explicitly."
        )
    return found[0]


def read_labels(
    labels: str | Path,
    p_column: str = "itp",
    s_column: str = "its",
    sampling_rate: float = 100.0,
    split: str | None = None,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    split_seed: int = 0,
) -> pd.DataFrame:
    """The labels CSV as a metadata table with SeisBench names.

    Columns: ``fname``, ``trace_name`` (file name without ``.npz``), ``trace_p_arrival_sample`` and
    ``trace_s_arrival_sample`` (samples; NaN when empty or negative), ``source_id`` (empty: the
    format has no event ids, so :func:`~zoo.data.splits.split_by_event` splits record by record),
    ``trace_sampling_rate_hz``, ``trace_snr_db`` (NaN), ``split``, plus the CSV's other columns.

    Raises:
        ValueError: The CSV lacks ``fname``, ``p_column`` or ``s_column``, lists a record twice, or
            has an arrival that is not a number (see :mod:`zoo.data.arrivals`).
    """
    table = pd.read_csv(labels, dtype={"fname": str})
    missing = [c for c in ("fname", p_column, s_column) if c not in table.columns]
    if missing:
        raise ValueError(f"{labels} lacks column(s) {missing}; it has {list(table.columns)}.")
    check_unique(table["fname"], "fname", labels)
    arrivals = {
        key: arrival_samples(table[column], column, labels, names=table["fname"])
        for key, column in ((P_ARRIVAL, p_column), (S_ARRIVAL, s_column))
    }
    table = table.drop(columns=[c for c in (P_ARRIVAL, S_ARRIVAL) if c in table.columns])
    table = table.assign(
        trace_name=table["fname"].map(lambda f: Path(f).stem),
        **arrivals,
        source_id="",
        trace_sampling_rate_hz=float(sampling_rate),
        trace_snr_db=np.nan,
    )
    return select_split(table, split, fractions, split_seed).reset_index(drop=True)


def npz_path(folder: str | Path, fname: str) -> Path:
    """Path of record ``fname`` (with or without ``.npz``) in ``folder``."""
    return Path(folder) / (fname if fname.endswith(".npz") else f"{fname}.npz")


def load_npz(path: str | Path) -> np.ndarray:
    """``data`` of one NPZ record, ``[samples, 3]`` (E, N, Z), as stored (float64 in NCEDC's files).

    Raises:
        ValueError: The file is missing or ``data`` is not ``[samples, 3]``.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} is listed in the labels but does not exist.")
    with path.open("rb") as fh, np.load(fh) as npz:
        data = np.asarray(npz["data"])
    if data.ndim != 2 or data.shape[1] != 3:
        raise ValueError(f"{path}: data has shape {data.shape}; expected [samples, 3] (E, N, Z).")
    return data


def iter_examples(
    folder: str | Path,
    labels: str | Path | None = None,
    *,
    components: str = "ENZ",
    split: str | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    columns: Sequence[str] = (),
    metadata: pd.DataFrame | None = None,
    p_column: str = "itp",
    s_column: str = "its",
    sampling_rate: float = 100.0,
    **split_kw: Any,
) -> Iterator[dict[str, Any]]:
    """Stream the records of ``folder`` as element dicts (see :mod:`zoo.data.elements`).

    Args:
        folder: Folder of ``<fname>.npz`` files.
        labels: The labels CSV (default: :func:`find_labels`).
        components: Component order of ``waveform`` (the files hold E, N, Z).
        split: ``"train"``, ``"dev"``, ``"test"`` (seeded, record by record) or ``None`` for all.
        shuffle, seed: Visit records in a random (seeded) order.
        columns: Extra label columns to include (e.g. ``"channels"``).
        metadata: A (filtered) table from :func:`read_labels` to read instead of the whole CSV.
        p_column, s_column: Arrival columns in samples (``pred_itp``/``pred_its`` for the ``pred`` set).
        sampling_rate: Hz.
        **split_kw: ``fractions``, ``split_seed`` of :func:`read_labels`.

    Example:
        >>> ex = next(iter_examples("../shared/data/ncedc/train"))
        >>> ex["trace_name"], ex["waveform"].dtype, ex["waveform"].shape, float(ex["trace_p_arrival_sample"])
        ('BG_ACR_2012082505145960', dtype('float32'), (9001, 3), 3000.0)
    """
    components = check_components(components)
    if metadata is None:
        labels = find_labels(folder) if labels is None else labels
        metadata = read_labels(labels, p_column, s_column, sampling_rate, split, **split_kw)
    elif split is not None:
        metadata = select_split(metadata, split)
    kinds = column_kinds(metadata, columns)
    needed = ["fname", TRACE_NAME, P_ARRIVAL, S_ARRIVAL, SAMPLING_RATE, *kinds]
    for row in iter_rows(metadata, needed, shuffle, seed):
        yield make_example(
            load_npz(npz_path(folder, row["fname"])),
            "ENZ",
            components,
            p=row[P_ARRIVAL],
            s=row[S_ARRIVAL],
            trace_name=row[TRACE_NAME],
            source_id="",
            sampling_rate=row[SAMPLING_RATE],
            extra=extra_values(row, kinds),
        )


def dataset(
    folder: str | Path,
    labels: str | Path | None = None,
    *,
    components: str = "ENZ",
    split: str | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    columns: Sequence[str] = (),
    p_column: str = "itp",
    s_column: str = "its",
    sampling_rate: float = 100.0,
    **split_kw: Any,
):
    """:func:`iter_examples` as a ``tf.data.Dataset`` (waveform ``[None, len(components)]`` float32)."""
    labels = find_labels(folder) if labels is None else labels
    metadata = read_labels(labels, p_column, s_column, sampling_rate, split, **split_kw)
    return reader_dataset(
        iter_examples, folder, metadata, components=components, shuffle=shuffle, seed=seed, columns=columns
    )
