"""STEAD (STanford EArthquake Dataset): the merged HDF5 + CSV, read with SeisBench's column names.

STEAD ships ``merged.hdf5`` (``data/<trace_name>``: float32 ``[6000, 3]``, components E, N, Z,
100 Hz, 60 s) and ``merged.csv`` (one row per trace). The chunk files (``chunk2.hdf5`` +
``chunk2.csv``) and the 50-trace sample keep traces under ``earthquake/local/<trace_name>`` and
``non_earthquake/noise/<trace_name>``; both layouts are read. Columns are renamed to SeisBench's
names (:data:`COLUMNS`: ``p_arrival_sample`` -> ``trace_p_arrival_sample``, ``receiver_code`` ->
``station_code``, ...). ``snr_db`` (three values, one per component, as text) becomes
``trace_snr_db``, their mean in dB. Noise traces (``trace_category == "noise"``) have no arrivals
(NaN) and no event (their ``source_id`` is empty).

STEAD has no split: ``split=`` uses :func:`~zoo.data.splits.split_by_event` on ``source_id``
(fractions 0.8/0.1/0.1 and ``split_seed=0`` unless given), so one event never spans two splits.

Example:
    >>> ds_path = "../shared/data/stead50"
    >>> ex = next(iter_examples(ds_path))
    >>> ex["trace_name"], ex["waveform"].shape, float(ex["trace_p_arrival_sample"])
    ('109C.TA_20060723155859_EV', (6000, 3), 700.0)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from zoo.data import elements
from zoo.data.arrivals import arrival_samples
from zoo.data.elements import P_ARRIVAL, S_ARRIVAL, SAMPLING_RATE, SNR, SOURCE_ID, TRACE_NAME
from zoo.data.splits import DEFAULT_FRACTIONS, select_split

logger = logging.getLogger(__name__)

SAMPLING_RATE_HZ = 100.0
COMPONENTS = "ENZ"
"""Component order of STEAD's ``[6000, 3]`` arrays."""

COLUMNS = {
    "network_code": "station_network_code",
    "receiver_code": "station_code",
    "receiver_type": "trace_channel",
    "receiver_latitude": "station_latitude_deg",
    "receiver_longitude": "station_longitude_deg",
    "receiver_elevation_m": "station_elevation_m",
    "p_arrival_sample": P_ARRIVAL,
    "p_status": "trace_p_status",
    "p_weight": "trace_p_weight",
    "p_travel_sec": "path_p_travel_sec",
    "s_arrival_sample": S_ARRIVAL,
    "s_status": "trace_s_status",
    "s_weight": "trace_s_weight",
    "s_travel_sec": "path_s_travel_sec",
    "source_id": SOURCE_ID,
    "source_latitude": "source_latitude_deg",
    "source_longitude": "source_longitude_deg",
    "source_distance_deg": "path_ep_distance_deg",
    "source_distance_km": "path_ep_distance_km",
    "back_azimuth_deg": "path_back_azimuth_deg",
    "snr_db": "trace_snr_db_components",
    "coda_end_sample": "trace_coda_end_sample",
}
"""STEAD column -> SeisBench column; other columns (``source_magnitude``, ``trace_category``, ...)
keep their names."""

_PAIRS = (("merged.hdf5", "merged.csv"), ("waveforms.hdf5", "metadata.csv"))


def find_files(path: str | Path) -> tuple[Path, Path]:
    """``(hdf5, csv)`` of the STEAD data at ``path``.

    ``path`` is the HDF5 file, the CSV file (the other one has the same stem), or a folder holding
    ``merged.hdf5`` + ``merged.csv``, ``waveforms.hdf5`` + ``metadata.csv`` or one ``X.hdf5`` + ``X.csv``.
    """
    path = Path(path)
    if path.is_file():
        stem = path.with_suffix("")
        hdf5 = (
            path
            if path.suffix in (".hdf5", ".h5")
            else next((stem.with_suffix(s) for s in (".hdf5", ".h5") if stem.with_suffix(s).is_file()), None)
        )
        csv = stem.with_suffix(".csv")
        if hdf5 is not None and csv.is_file():
            return hdf5, csv
        for hdf5_name, csv_name in _PAIRS:
            if path.name in (hdf5_name, csv_name) and (path.parent / hdf5_name).is_file():
                if (path.parent / csv_name).is_file():
                    return path.parent / hdf5_name, path.parent / csv_name
        raise ValueError(f"{path}: expected a STEAD .hdf5 and .csv pair with the same name.")
    if not path.is_dir():
        raise ValueError(f"{path} does not exist; expected STEAD's merged.hdf5/merged.csv or their folder.")
    for hdf5, csv in _PAIRS:
        if (path / hdf5).is_file() and (path / csv).is_file():
            return path / hdf5, path / csv
    pairs = [
        (p, p.with_suffix(".csv")) for p in sorted(path.glob("*.hdf5")) if p.with_suffix(".csv").is_file()
    ]
    if len(pairs) != 1:
        raise ValueError(
            f"{path} holds {len(pairs)} .hdf5 + .csv pairs; expected exactly one (e.g. merged.*)."
        )
    return pairs[0]


def _mean_snr(text: Any) -> float:
    values = [float(v) for v in re.findall(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?", str(text))]
    return float(np.mean(values)) if values else np.nan


def read_metadata(
    path: str | Path,
    split: str | None = None,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    split_seed: int = 0,
) -> pd.DataFrame:
    """STEAD's CSV with SeisBench column names, ``trace_snr_db`` (mean, dB), a ``split`` column.

    ``path`` is anything :func:`find_files` accepts. ``"None"`` and empty cells are NaN; arrival
    samples are float (NaN for noise). With ``split`` only that split's rows are returned.
    """
    _, csv = find_files(path)
    table = pd.read_csv(
        csv, dtype={"source_id": str, "trace_name": str}, na_values=["None", ""], low_memory=False
    )
    missing = [c for c in ("trace_name", "p_arrival_sample", "s_arrival_sample") if c not in table.columns]
    if missing:
        raise ValueError(f"{csv} lacks STEAD column(s) {missing}; it has {list(table.columns)}.")
    table = table.rename(columns=COLUMNS)
    for column, original in ((P_ARRIVAL, "p_arrival_sample"), (S_ARRIVAL, "s_arrival_sample")):
        table[column] = arrival_samples(
            table[column], original, csv, names=table[TRACE_NAME], negative_is_missing=False
        )
    if "trace_category" in table.columns:
        noise = table["trace_category"].astype(str).str.contains("noise")
        table.loc[noise, [P_ARRIVAL, S_ARRIVAL]] = np.nan
    if SOURCE_ID not in table.columns:
        table[SOURCE_ID] = ""
    table[SNR] = (
        table["trace_snr_db_components"].map(_mean_snr) if "trace_snr_db_components" in table else np.nan
    )
    table[SAMPLING_RATE] = SAMPLING_RATE_HZ
    return select_split(table, split, fractions, split_seed).reset_index(drop=True)


def load_waveform(f: h5py.File, trace_name: str, category: str | None = None) -> np.ndarray:
    """``[samples, 3]`` (E, N, Z) of ``trace_name`` from an open STEAD HDF5 file (either layout)."""
    candidates = [f"data/{trace_name}"]
    if isinstance(category, str) and category:
        candidates.append("/".join(category.split("_")) + f"/{trace_name}")
    candidates += [f"earthquake/local/{trace_name}", f"non_earthquake/noise/{trace_name}"]
    for name in candidates:
        data = f.get(name)
        if isinstance(data, h5py.Dataset):
            return np.asarray(data[()])
    raise ValueError(f"{f.filename} has no trace {trace_name!r} (looked for {candidates}).")


def iter_examples(
    path: str | Path,
    *,
    components: str = "ENZ",
    split: str | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    columns: Sequence[str] = (),
    metadata: pd.DataFrame | None = None,
    **metadata_kw: Any,
) -> Iterator[dict[str, Any]]:
    """Stream STEAD traces as element dicts (see :mod:`zoo.data.elements`).

    Args:
        path: Anything :func:`find_files` accepts.
        components: Component order of ``waveform`` (STEAD stores E, N, Z).
        split: ``"train"``, ``"dev"``, ``"test"`` (by event) or ``None`` for all traces.
        shuffle, seed: Visit traces in a random (seeded) order.
        columns: Extra metadata columns (SeisBench names) to include.
        metadata: A (filtered) table from :func:`read_metadata` to read instead of the whole CSV.
        **metadata_kw: ``fractions``, ``split_seed`` of :func:`read_metadata`.
    """
    components = elements.check_components(components)
    hdf5, _ = find_files(path)
    if metadata is None:
        metadata = read_metadata(path, split, **metadata_kw)
    elif split is not None:
        metadata = select_split(metadata, split)
    kinds = elements.column_kinds(metadata, columns)
    needed = [TRACE_NAME, "trace_category", P_ARRIVAL, S_ARRIVAL, SOURCE_ID, SNR, *kinds]
    with h5py.File(hdf5, "r") as f:
        for row in elements.iter_rows(metadata, needed, shuffle, seed):
            data = load_waveform(f, row[TRACE_NAME], row.get("trace_category"))
            yield elements.make_example(
                data,
                COMPONENTS,
                components,
                p=row[P_ARRIVAL],
                s=row[S_ARRIVAL],
                trace_name=row[TRACE_NAME],
                source_id=row[SOURCE_ID],
                sampling_rate=SAMPLING_RATE_HZ,
                snr=row[SNR],
                extra=elements.extra_values(row, kinds),
            )


def dataset(
    path: str | Path,
    *,
    components: str = "ENZ",
    split: str | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    columns: Sequence[str] = (),
    **metadata_kw: Any,
):
    """:func:`iter_examples` as a ``tf.data.Dataset`` (waveform ``[None, len(components)]`` float32)."""
    metadata = read_metadata(path, split, **metadata_kw)
    return elements.reader_dataset(
        iter_examples, path, metadata, components=components, shuffle=shuffle, seed=seed, columns=columns
    )
