"""Datasets in SeisBench's format: ``metadata.csv`` + ``waveforms.hdf5`` (ETHZ, INSTANCE, GEOFON, ...).

Layout of a dataset folder (facts of SeisBench's format; the reader is independent of SeisBench):

- ``metadata<chunk>.csv`` and ``waveforms<chunk>.hdf5`` pairs (``<chunk>`` empty for a single
  file pair, e.g. ``metadata_2019.csv`` + ``waveforms_2019.hdf5`` for chunked datasets).
- One CSV row per trace with ``trace_name`` and arrival columns ``trace_<phase>_arrival_sample``
  in samples from the trace start; optional ``trace_sampling_rate_hz`` (or ``trace_dt_s``),
  ``trace_component_order``, ``source_id`` and ``split`` (``train``/``dev``/``test``).
- In the HDF5 file, ``data/<trace_name>`` holds one trace, or, for bucketed datasets, the trace
  name is ``<bucket>$<location>`` (``bucket3$12,:3,:6000``): row 12, the first 3 components and
  6000 samples of the array ``data/bucket3``.
- The ``data_format`` group (datasets, or attributes) gives ``component_order`` (e.g. ``ZNE``),
  ``dimension_order`` of one trace (``CW``: components x samples, or ``WC``) and ``sampling_rate``.

Arrivals: :data:`~zoo.data.elements.P_ARRIVAL` is the earliest of the P-type columns
(``trace_p_``, ``trace_P_``, ``trace_Pg_``, ``trace_Pn_``, ``trace_P1_``, ... ``_arrival_sample``:
phase names starting with ``p`` or ``P``), likewise for S; pass ``p_columns``/``s_columns`` to choose.

Components are reordered to ``components`` (default ``"ENZ"``); a component the record does not
have (``Z12`` sensors, single-component stations) becomes a column of ZEROS, logged at INFO level.
Waveforms are not resampled: each element carries its own ``trace_sampling_rate_hz``.

Example:
    >>> import h5py, numpy as np, pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with h5py.File(folder / "waveforms.hdf5", "w") as f:
    ...     f["data_format/component_order"] = "ZNE"
    ...     f["data_format/dimension_order"] = "CW"
    ...     f["data/bucket0"] = np.arange(2 * 3 * 10, dtype="f4").reshape(2, 3, 10)
    >>> pd.DataFrame({"trace_name": ["bucket0$1,:3,:8"], "trace_p_arrival_sample": [2],
    ...               "trace_sampling_rate_hz": [100.0]}).to_csv(folder / "metadata.csv", index=False)
    >>> ex = next(iter_examples(folder))
    >>> ex["waveform"].shape, ex["waveform"][0].tolist(), float(ex["trace_p_arrival_sample"])
    ((8, 3), [50.0, 40.0, 30.0], 2.0)
"""

from __future__ import annotations

import contextlib
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
from zoo.data.elements import (
    COMPONENT_ORDER,
    P_ARRIVAL,
    S_ARRIVAL,
    SAMPLING_RATE,
    SNR,
    SOURCE_ID,
    TRACE_NAME,
)
from zoo.data.splits import DEFAULT_FRACTIONS, select_split

logger = logging.getLogger(__name__)

CHUNK = "trace_chunk"
DEFAULT_COMPONENT_ORDER = "ZNE"
DEFAULT_DIMENSION_ORDER = "CW"
_ARRIVAL = re.compile(r"^trace_(?P<phase>[A-Za-z]\w*?)_arrival_sample$")


def chunks(path: str | Path) -> list[str]:
    """The chunk suffixes of the dataset in folder ``path`` (``[""]`` for one metadata/waveforms pair).

    Raises:
        ValueError: ``path`` has no ``metadata*.csv`` with a matching ``waveforms*.hdf5``.
    """
    path = Path(path)
    if not path.is_dir():
        raise ValueError(f"{path} is not a folder; expected a SeisBench dataset folder.")
    metadata = {p.name[len("metadata") : -len(".csv")] for p in path.glob("metadata*.csv")}
    waveforms = {p.name[len("waveforms") : -len(".hdf5")] for p in path.glob("waveforms*.hdf5")}
    found = sorted(metadata & waveforms)
    if not found:
        raise ValueError(
            f"{path} holds no metadata<chunk>.csv + waveforms<chunk>.hdf5 pair "
            f"(found metadata {sorted(metadata)}, waveforms {sorted(waveforms)})."
        )
    for lonely in sorted((metadata | waveforms) - set(found)):
        logger.warning("%s: chunk %r has only one of metadata/waveforms; skipped", path, lonely)
    return found


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray) and value.shape == ():
        return _decode(value[()])
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_data_format(path: str | Path, chunk: str = "") -> dict[str, Any]:
    """The ``data_format`` entries of ``waveforms<chunk>.hdf5`` with defaults filled in.

    Returns ``component_order`` (default ``"ZNE"``), ``dimension_order`` (default ``"CW"``) and,
    when stored, ``sampling_rate`` (Hz) and the other entries (``measurement``, ``unit``, ...).
    """
    with h5py.File(Path(path) / f"waveforms{chunk}.hdf5", "r") as f:
        group = f.get("data_format")
        fmt = {} if group is None else {k: _decode(v) for k, v in group.attrs.items()}
        if group is not None:
            fmt.update({k: _decode(group[k][()]) for k in group.keys()})
    fmt.setdefault("component_order", DEFAULT_COMPONENT_ORDER)
    order = str(fmt.get("dimension_order", DEFAULT_DIMENSION_ORDER)).replace("N", "")
    if sorted(order) != ["C", "W"]:
        raise ValueError(f"{path}: data_format dimension_order {order!r}; expected 'CW' or 'WC'.")
    fmt["dimension_order"] = order
    return fmt


def phase_columns(columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """The P-type and S-type ``trace_<phase>_arrival_sample`` columns among ``columns``.

    Example:
        >>> phase_columns(["trace_Pg_arrival_sample", "trace_Sn_arrival_sample", "trace_p_status"])
        (['trace_Pg_arrival_sample'], ['trace_Sn_arrival_sample'])
    """
    p, s = [], []
    for column in columns:
        match = _ARRIVAL.match(column)
        if match:
            first = match["phase"][0].upper()
            (p if first == "P" else s if first == "S" else []).append(column)
    return p, s


def _earliest(table: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    if not columns:
        return pd.Series(np.nan, index=table.index, dtype=float)
    values = table[list(columns)].apply(pd.to_numeric, errors="coerce")
    return values.min(axis=1, skipna=True)


def read_metadata(
    path: str | Path,
    split: str | None = None,
    *,
    p_columns: Sequence[str] | None = None,
    s_columns: Sequence[str] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    split_seed: int = 0,
) -> pd.DataFrame:
    """All chunks' metadata of the dataset in folder ``path``, normalised for reading.

    Adds ``trace_chunk``, ``split`` (from the file's ``split`` column, else
    :func:`~zoo.data.splits.split_by_event`), and fills ``trace_p_arrival_sample`` /
    ``trace_s_arrival_sample`` (earliest of ``p_columns`` / ``s_columns``, default: all P-/S-type
    arrival columns), ``trace_sampling_rate_hz`` (Hz, from ``trace_dt_s`` or ``data_format`` when
    missing), ``trace_component_order`` and ``trace_snr_db``. Rows of other splits are dropped when
    ``split`` is given.
    """
    tables = []
    for chunk in chunks(path):
        csv = Path(path) / f"metadata{chunk}.csv"
        table = pd.read_csv(
            csv, dtype={TRACE_NAME: str, SOURCE_ID: str, COMPONENT_ORDER: str}, low_memory=False
        )
        if TRACE_NAME not in table.columns:
            raise ValueError(f"{path}/metadata{chunk}.csv has no {TRACE_NAME!r} column.")
        labels = {*sum(phase_columns(table.columns), []), *(p_columns or ()), *(s_columns or ())}
        for column in sorted(labels & set(table.columns)):
            table[column] = arrival_samples(
                table[column], column, csv, names=table[TRACE_NAME], negative_is_missing=False
            )
        fmt = read_data_format(path, chunk)
        table[CHUNK] = chunk
        if SAMPLING_RATE not in table.columns:
            if "trace_dt_s" in table.columns:
                table[SAMPLING_RATE] = 1.0 / pd.to_numeric(table["trace_dt_s"], errors="coerce")
            else:
                table[SAMPLING_RATE] = float(fmt.get("sampling_rate", np.nan))
        if COMPONENT_ORDER not in table.columns:
            table[COMPONENT_ORDER] = fmt["component_order"]
        table[COMPONENT_ORDER] = table[COMPONENT_ORDER].fillna(fmt["component_order"])
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    auto_p, auto_s = phase_columns(table.columns)
    table[P_ARRIVAL] = _earliest(table, auto_p if p_columns is None else p_columns)
    table[S_ARRIVAL] = _earliest(table, auto_s if s_columns is None else s_columns)
    if SNR not in table.columns:
        table[SNR] = np.nan
    if SOURCE_ID not in table.columns:
        table[SOURCE_ID] = ""
    return select_split(table, split, fractions, split_seed).reset_index(drop=True)


def parse_location(location: str) -> tuple:
    """A bucket location such as ``"12,:3,:6000"`` as an index tuple (``(12, slice(None, 3), ...)``).

    Example:
        >>> parse_location("12, :3, 10:-5:2")
        (12, slice(None, 3, None), slice(10, -5, 2))
    """
    index = []
    for part in location.replace(" ", "").split(","):
        fields = part.split(":")
        try:
            numbers = [int(f) if f else None for f in fields]
        except ValueError:
            raise ValueError(f"invalid bucket location {location!r}; expected e.g. '12,:3,:6000'.") from None
        if len(fields) == 1 and numbers[0] is not None:
            index.append(numbers[0])
        elif 2 <= len(fields) <= 3:
            index.append(slice(*numbers))
        else:
            raise ValueError(f"invalid bucket location {location!r}; expected e.g. '12,:3,:6000'.")
    return tuple(index)


def load_waveform(
    f: h5py.File, trace_name: str, dimension_order: str = DEFAULT_DIMENSION_ORDER
) -> np.ndarray:
    """The waveform of ``trace_name`` from an open ``waveforms.hdf5`` as ``[samples, components]``.

    ``trace_name`` is a dataset name under ``data/`` or a bucketed ``<bucket>$<location>``.
    """
    block, _, location = str(trace_name).partition("$")
    data = f.get(f"data/{block}")
    if data is None:
        raise ValueError(f"{f.filename} has no dataset data/{block} (trace {trace_name!r}).")
    array = np.asarray(data[parse_location(location)] if location else data[()])
    if array.ndim != 2:
        raise ValueError(
            f"trace {trace_name!r} in {f.filename} has shape {array.shape}; expected 2 dimensions "
            f"({dimension_order})."
        )
    return array.T if dimension_order == "CW" else array


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
    """Stream the dataset in folder ``path`` as element dicts (see :mod:`zoo.data.elements`).

    Args:
        path: SeisBench dataset folder.
        components: Component order of ``waveform`` (missing components are zeros).
        split: ``"train"``, ``"dev"``, ``"test"`` or ``None`` for all traces.
        shuffle, seed: Visit traces in a random (seeded) order.
        columns: Extra metadata columns to include (numbers as float32, others as strings).
        metadata: A (filtered) table from :func:`read_metadata` to read instead of the whole dataset.
        **metadata_kw: ``p_columns``, ``s_columns``, ``fractions``, ``split_seed`` of :func:`read_metadata`.

    Each waveforms file is opened once per iteration; traces are read one at a time.
    """
    components = elements.check_components(components)
    if metadata is None:
        metadata = read_metadata(path, split, **metadata_kw)
    elif split is not None:
        metadata = select_split(metadata, split)
    kinds = elements.column_kinds(metadata, columns)
    formats = {chunk: read_data_format(path, chunk) for chunk in metadata[CHUNK].unique()}
    needed = [CHUNK, TRACE_NAME, COMPONENT_ORDER, P_ARRIVAL, S_ARRIVAL, SOURCE_ID, SAMPLING_RATE, SNR, *kinds]
    with contextlib.ExitStack() as stack:
        files = {
            chunk: stack.enter_context(h5py.File(Path(path) / f"waveforms{chunk}.hdf5", "r"))
            for chunk in formats
        }
        for row in elements.iter_rows(metadata, needed, shuffle, seed):
            chunk = row[CHUNK]
            data = load_waveform(files[chunk], row[TRACE_NAME], formats[chunk]["dimension_order"])
            yield elements.make_example(
                data,
                str(row[COMPONENT_ORDER]),
                components,
                p=row[P_ARRIVAL],
                s=row[S_ARRIVAL],
                trace_name=row[TRACE_NAME],
                source_id=row[SOURCE_ID],
                sampling_rate=row[SAMPLING_RATE],
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
    """:func:`iter_examples` as a ``tf.data.Dataset`` (waveform ``[None, len(components)]`` float32).

    With ``shuffle=True`` every epoch visits the traces in a new order (``seed + epoch``).
    """
    metadata = read_metadata(path, split, **metadata_kw)
    return elements.reader_dataset(
        iter_examples, path, metadata, components=components, shuffle=shuffle, seed=seed, columns=columns
    )
