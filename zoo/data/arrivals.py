"""Validation of arrival-sample label columns and record names in metadata tables.

A label that cannot be read is an error that names the file, the line and the column; it is never
turned into "no arrival" (which would make every pick of that record a false positive). Empty cells
(and the text ``None``, STEAD's spelling) mean "no arrival"; in PhaseNet's labels negative samples
mean "no arrival" too.

Example:
    >>> import pandas as pd
    >>> arrival_samples(pd.Series(["120", "", None, "-1"]), "itp", "labels.csv").tolist()
    [120.0, nan, nan, nan]
    >>> arrival_samples(pd.Series(["120", "abc"]), "itp", "labels.csv")
    Traceback (most recent call last):
    ...
    ValueError: labels.csv line 3: column itp has 'abc', not an arrival sample number; leave the cell empty for no arrival.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_HEADER_LINES = 1


def _line(table_index: object, names: pd.Series | None) -> str:
    """``line N`` of a CSV read with a default index (header on line 1), with the record's name."""
    line = (
        f"line {int(table_index) + 1 + _HEADER_LINES}"
        if isinstance(table_index, (int, np.integer))
        else "row"
    )
    if names is not None:
        line += f" ({names.loc[table_index]})"
    return line


def arrival_samples(
    values: pd.Series,
    column: str,
    source: object,
    names: pd.Series | None = None,
    *,
    negative_is_missing: bool = True,
) -> pd.Series:
    """A label column as float samples: empty cells NaN, text that is not a number an error.

    Args:
        values: the column as read (strings or numbers), indexed like the CSV rows (0 = line 2).
        column: its name in the file, for the message.
        source: the file (or files), for the message.
        names: optional record names (same index) to show beside the line number.
        negative_is_missing: negative samples mean "no arrival" (PhaseNet's labels); ``False``
            keeps them (SeisBench and STEAD: an arrival before the trace start).

    Raises:
        ValueError: a cell is text that is not a number, or is infinite; the message names the
            first such line and its value.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    text = values.astype(str).str.strip()
    given = values.notna() & (text != "") & (text != "None")
    bad = (given & numbers.isna()) | numbers.isin([float("inf"), float("-inf")])
    if bad.any():
        first = bad.index[bad.to_numpy().argmax()]
        raise ValueError(
            f"{source} {_line(first, names)}: column {column} has {values.loc[first]!r}, not an arrival "
            "sample number; leave the cell empty for no arrival."
        )
    return numbers.where(numbers >= 0) if negative_is_missing else numbers


def check_unique(names: pd.Series, column: str, source: object) -> None:
    """Raise ``ValueError`` if a record name occurs on more than one line (naming both lines).

    A record listed twice would be evaluated twice against one set of picks (halving its recall)
    and seen twice per epoch in training.
    """
    repeated = names.duplicated(keep=False)
    if repeated.any():
        first = names[repeated].iloc[0]
        lines = [_line(i, None) for i in names.index[names == first]]
        more = int(names[repeated].nunique()) - 1
        also = f" (and {more} more repeated {column} values)" if more else ""
        raise ValueError(
            f"{source}: {column} {first!r} is listed on {' and '.join(lines)}{also}; each record must be "
            "listed once."
        )
