"""Atomic file writes: a temporary file beside the target, renamed onto it once complete.

A crash or an error while writing never leaves a half-written file at the target, and the temporary file
is removed.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = write_atomically(Path(tempfile.mkdtemp()) / "a.txt", lambda tmp: tmp.write_text("hi"))
    >>> path.read_text()
    'hi'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_atomically(
    path: str | os.PathLike,
    write: Callable[[Path], Any],
    *,
    overwrite: bool = True,
    suffix: str | None = None,
) -> Path:
    """Run ``write(tmp)`` on a temporary file beside ``path`` and rename it onto ``path``; returns the path.

    Args:
        path: the file to write (its folder is created).
        write: writes the whole content to the temporary path it is given.
        overwrite: replace an existing ``path``; ``False`` raises ``FileExistsError`` instead.
        suffix: ending of the temporary name (default: ``path``'s suffixes, e.g. ``.weights.h5`` that Keras
            requires).
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True (CLI: --overwrite) to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    ending = "".join(target.suffixes) if suffix is None else suffix
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=ending, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
