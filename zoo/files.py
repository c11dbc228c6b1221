"""Atomic writes: a temporary file or folder beside the target, renamed onto it once complete.

A crash or an error while writing never leaves a half-written file at the target, and the temporary is
removed. Files and folders are created like any tool's output: mode ``0o666`` / ``0o777`` less the
process umask (``tempfile.mkstemp``/``mkdtemp`` would give ``0o600``/``0o700``, unreadable for a TF
Serving process running as another user).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = write_atomically(Path(tempfile.mkdtemp()) / "a.txt", lambda tmp: tmp.write_text("hi"))
    >>> path.read_text()
    'hi'
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: an open file cannot be deleted, which protects a live writer instead
    fcntl = None  # type: ignore[assignment]

_ATTEMPTS = 100


def _temporary(target: Path, ending: str, make: Callable[[Path], Any]) -> tuple[Path, Any]:
    """Create a new hidden ``.<name>.<8 hex digits><ending>`` beside ``target`` with ``make``."""
    for _ in range(_ATTEMPTS):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}{ending}"
        try:
            return tmp, make(tmp)
        except FileExistsError:
            continue
    raise FileExistsError(f"Could not create a temporary name beside {target}.")


def _new_file(tmp: Path) -> int:
    # 0o666 is reduced by the umask by the kernel, as for open(..., "w").
    return os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)


def write_atomically(
    path: str | os.PathLike,
    write: Callable[[Path], Any],
    *,
    overwrite: bool = True,
    suffix: str | None = None,
    lock: bool = False,
) -> Path:
    """Run ``write(tmp)`` on a temporary file beside ``path`` and rename it onto ``path``; returns the path.

    Args:
        path: the file to write (its folder is created).
        write: writes the whole content to the temporary path it is given.
        overwrite: replace an existing ``path``; ``False`` raises ``FileExistsError`` instead.
        suffix: ending of the temporary name (default: ``path``'s suffixes, e.g. ``.weights.h5`` that Keras
            requires).
        lock: hold an exclusive advisory lock (``flock``) on the temporary file while writing, so that
            :func:`remove_stale_temporaries` in another process leaves it alone. Not for writers that
            lock the file themselves (HDF5 does).
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True (CLI: --overwrite) to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    ending = "".join(target.suffixes) if suffix is None else suffix
    tmp, fd = _temporary(target, ending, _new_file)
    try:
        if lock and fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.close(fd)
            fd = -1
        write(tmp)
        os.replace(tmp, target)
    finally:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
    return target


def remove_stale_temporaries(path: str | os.PathLike, suffix: str) -> list[Path]:
    """Delete temporary files of ``path`` ending in ``suffix`` that no live writer holds; return them.

    Meant for files written with ``write_atomically(path, ..., suffix=suffix, lock=True)``: a process
    killed while writing (e.g. a download) leaves its temporary file, whose lock died with it. Folders
    that cannot be read or written are left alone (nothing is removed, no error).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / ".w.h5.0123abcd.part").write_bytes(b"half a download")
        >>> [p.name for p in remove_stale_temporaries(folder / "w.h5", ".part")]
        ['.w.h5.0123abcd.part']
    """
    target = Path(path)
    pattern = re.compile(re.escape(f".{target.name}.") + "[0-9a-f]{8}" + re.escape(suffix))
    removed = []
    with contextlib.suppress(OSError):
        candidates = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
        for tmp in candidates:
            if _remove_unless_locked(tmp):
                removed.append(tmp)
    return removed


def _remove_unless_locked(tmp: Path) -> bool:
    try:
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.close(fd)
            fd = -1
        tmp.unlink()
        return True
    except OSError:  # locked by a live writer (or, on Windows, still open), or not ours to delete
        return False
    finally:
        if fd >= 0:
            os.close(fd)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; on success rename it to ``path``.

    The temporary folder is hidden (``.<name>.<8 hex digits>.partial``) and created with mode ``0o777``
    less the umask. On an exception it is removed and nothing appears at ``path``. An existing ``path``
    is never replaced (``FileExistsError``, also when it appears while writing).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> target = Path(tempfile.mkdtemp()) / "export"
        >>> with atomic_folder(target) as tmp:
        ...     _ = (tmp / "saved_model.pb").write_bytes(b"")
        >>> [p.name for p in target.iterdir()]
        ['saved_model.pb']
    """
    target = Path(path)
    if target.exists():
        raise FileExistsError(f"{target} exists; an output folder is never replaced.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp, _ = _temporary(target, ".partial", lambda p: p.mkdir(0o777))
    try:
        yield tmp
        if target.exists():
            raise FileExistsError(f"{target} appeared while it was being written; it was left as it is.")
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
