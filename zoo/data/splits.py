"""Train/dev/test splits that keep every event in one split.

:func:`split_by_event` assigns each event (``source_id``) to a split from a hash of the seed and the
event id alone, so the assignment does not depend on row order, on which other rows are present, or
on the machine: a filtered or chunked copy of a dataset splits its events the same way. Traces
without an event id (noise records, empty or ``"None"`` ids) are each their own group.
Because whole events are assigned, the trace fractions only approach ``fractions`` on large data.

Example:
    >>> import pandas as pd
    >>> meta = pd.DataFrame({"trace_name": list("abcdef"), "source_id": ["1", "1", "2", "3", "3", None]})
    >>> splits = split_by_event(meta, seed=0)
    >>> bool(splits[0] == splits[1]) and bool(splits[3] == splits[4])
    True
    >>> set(splits) <= {"train", "dev", "test"}
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from zoo.data.elements import SOURCE_ID, SPLIT, TRACE_NAME

SPLITS = ("train", "dev", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
TFDS_SPLIT_NAMES = {"train": "train", "dev": "validation", "test": "test"}
"""Our split names -> the TFDS split names the builders in ``zoo.datasets`` use."""
_MISSING_IDS = {"", "none", "nan", "null"}


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    values = np.asarray(fractions, dtype=float)
    if values.shape != (3,) or np.any(values < 0) or not np.isclose(values.sum(), 1.0):
        raise ValueError(
            f"fractions must be three non-negative numbers (train, dev, test) summing to 1; "
            f"got {fractions!r}."
        )
    return np.cumsum(values)


def _uniform(seed: int, key: str) -> float:
    digest = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def event_keys(metadata: pd.DataFrame, column: str = SOURCE_ID) -> pd.Series:
    """The grouping key of each row: its event id, or ``"trace:<trace_name>"`` when the id is missing."""
    if TRACE_NAME not in metadata.columns:
        raise ValueError(f"metadata needs a {TRACE_NAME!r} column; it has {list(metadata.columns)}.")
    names = metadata[TRACE_NAME].astype(str)
    if column not in metadata.columns:
        return "trace:" + names
    ids = metadata[column].map(lambda v: "" if pd.isna(v) else str(v).strip())
    ids = ids.map(lambda v: v[:-2] if v.endswith(".0") and v[:-2].isdigit() else v)
    missing = ids.str.lower().isin(_MISSING_IDS)
    return ids.where(~missing, "trace:" + names)


def split_by_event(
    metadata: pd.DataFrame,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    seed: int = 0,
    column: str = SOURCE_ID,
) -> pd.Series:
    """``"train"``, ``"dev"`` or ``"test"`` for every row of ``metadata``, one split per event.

    Args:
        metadata: Table with ``trace_name`` and (usually) ``source_id`` columns.
        fractions: Expected share of events in train, dev and test (summing to 1).
        seed: Different seeds give independent assignments; the same seed always the same one.
        column: The event-id column.

    Returns:
        A string Series aligned with ``metadata``'s index.
    """
    bounds = _check_fractions(fractions)
    keys = event_keys(metadata, column)
    codes = {key: int(np.searchsorted(bounds, _uniform(seed, key), side="right")) for key in keys.unique()}
    return keys.map(lambda key: SPLITS[min(codes[key], 2)]).rename(SPLIT)


def select_split(
    metadata: pd.DataFrame,
    split: str | None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    seed: int = 0,
    column: str = SPLIT,
) -> pd.DataFrame:
    """Rows of ``split`` (all rows for ``None``; ``"validation"``, TFDS's name, means ``"dev"``).

    Uses the ``split`` column when the metadata has one (SeisBench datasets), else
    :func:`split_by_event` with ``fractions`` and ``seed``. The returned table always has the
    ``split`` column.
    """
    split = "dev" if split == "validation" else split
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None; got {split!r}.")
    if column in metadata.columns:
        labels = metadata[column].astype(str)
    else:
        labels = split_by_event(metadata, fractions, seed)
    table = metadata.assign(**{SPLIT: labels.to_numpy()})
    if split is None:
        return table
    return table[table[SPLIT] == split]
