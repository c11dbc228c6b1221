"""TF Serving's versioned folder layout: ``<base>/<version>/``, written atomically, never overwritten.

TensorFlow Serving watches a model base path and loads every sub-folder whose name is a positive
integer as a model version. A version folder must therefore appear complete: it is written under a
hidden temporary name in the same base folder and renamed into place at the end
(:func:`zoo.files.atomic_folder`); an existing version is never replaced.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoo.export.layout import staged_version
    >>> base = Path(tempfile.mkdtemp()) / "phasenet"
    >>> with staged_version(base, 1) as tmp:
    ...     _ = (tmp / "saved_model.pb").write_bytes(b"")
    >>> sorted(p.name for p in (base / "1").iterdir())
    ['saved_model.pb']
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zoo.files import atomic_folder


def existing_versions(base: str | os.PathLike) -> list[int]:
    """Version numbers already present under ``base`` (sorted)."""
    base = Path(base)
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit())


def check_version(base: str | os.PathLike, version: int | None) -> int:
    """The version to write: ``version`` itself (checked), or the next free number for ``None``.

    Raises:
        TypeError: ``version`` is not an integer.
        ValueError: ``version`` is below 1.
        FileExistsError: ``<base>/<version>`` exists already.
    """
    if version is None:
        return max(existing_versions(base), default=0) + 1
    if isinstance(version, bool) or not isinstance(version, int):
        raise TypeError(f"version must be a positive integer (TF Serving's version folder), got {version!r}.")
    if version < 1:
        raise ValueError(f"version must be a positive integer (TF Serving's version folder), got {version}.")
    target = Path(base) / str(version)
    if target.exists():
        raise FileExistsError(
            f"{target} exists: an exported version is never overwritten; choose another --version "
            f"(next free: {max(existing_versions(base), default=0) + 1})."
        )
    return version


@contextmanager
def staged_version(base: str | os.PathLike, version: int) -> Iterator[Path]:
    """Yield an empty temporary folder inside ``base``; on success rename it to ``base/version``.

    On an exception the temporary folder is removed and nothing appears under ``base/version``. The
    folders are created with mode ``0o777`` less the umask (``0o755`` with the usual ``022``), so a TF
    Serving process running as another user can read the export.
    """
    base = Path(base)
    check_version(base, version)
    with atomic_folder(base / str(version)) as tmp:
        yield tmp
