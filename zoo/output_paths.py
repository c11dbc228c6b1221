"""Check output paths before the work starts, so a long run never fails at its last step.

A command that writes a file or a folder calls :func:`check_output_file` or
:func:`check_output_folder` before it loads a model or reads data. Both raise ``ValueError`` with a
sentence naming the path when the output could not be written: an existing folder where a file
should go (or a file where a folder should go), an existing file without ``overwrite``, or a
location where this process cannot create files (checked by creating and removing a temporary
file in the nearest existing folder, which also catches read-only mounts and ``/proc``).
Missing folders are fine: the writers create them.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_output_file(folder / "new" / "picks.csv").name
    'picks.csv'
    >>> check_output_file(folder)
    Traceback (most recent call last):
    ...
    ValueError: ... is a folder; give a file name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _existing_ancestor(path: Path) -> Path:
    """The nearest existing path among ``path`` and its parents."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _check_creatable(path: Path, what: str) -> None:
    """Raise ``ValueError`` unless files can be created where ``path`` will go."""
    ancestor = _existing_ancestor(path.parent)
    if not ancestor.is_dir():
        raise ValueError(f"Cannot write {what} {path}: {ancestor} is a file, not a folder.")
    try:
        with tempfile.TemporaryFile(dir=ancestor):
            pass
    except OSError as err:
        reason = err.strerror or str(err)
        raise ValueError(
            f"Cannot write {what} {path}: files cannot be created in {ancestor} ({reason})."
        ) from err


def check_output_file(path: str | os.PathLike, *, overwrite: bool = False, option: str = "output") -> Path:
    """``path`` as a ``Path`` if a file can be written there; else ``ValueError`` naming it.

    Args:
        path: the file to write (its folders may be missing; the writer creates them).
        overwrite: an existing file may be replaced.
        option: how the message names the path (e.g. ``"--output"``).
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{option} {path} is a folder; give a file name.")
    if path.exists() and not overwrite:
        raise ValueError(f"{option} {path} exists; add --overwrite to replace it.")
    _check_creatable(path, option)
    return path


def check_output_folder(path: str | os.PathLike, *, option: str = "output folder") -> Path:
    """``path`` as a ``Path`` if it is (or can become) a writable folder; else ``ValueError`` naming it."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {path} is a file; give a folder.")
    _check_creatable(path / "probe", option)
    return path
