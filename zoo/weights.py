"""Resolve a preset's upstream files to verified local paths, and cache converted Keras weights.

Resolution order for every upstream file (``<model>/<upstream name>``):

1. ``ZOO_WEIGHTS_MIRROR``: a local folder with the upstream layout (no network),
2. the cache under ``ZOO_HOME`` (default ``~/.cache/geozoo``; ``$XDG_CACHE_HOME`` is honoured),
3. download from the pinned URL into the cache.

Every file's sha256 is checked the first time a process uses it; a mismatch raises ``ValueError``
naming the file and both digests. Downloads and converted weights are written to a temporary file in
the destination folder and moved into place with an atomic rename, so a partial file never stays in
the cache and concurrent loads are safe; a temporary ``.part`` file left by a killed download is removed
the next time that file is resolved. The converted-weights cache is best effort: a ``ZOO_HOME`` that
cannot be written costs a conversion per load (and one warning), not an error, when the upstream files
are in ``ZOO_WEIGHTS_MIRROR``.

Example:
    >>> import os, zoo
    >>> from zoo import weights
    >>> files = weights.resolve(zoo.card("phasenet").preset("original"))
    >>> sorted(files)[0]
    'checkpoint'
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import os
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from zoo.files import remove_stale_temporaries, write_atomically

if TYPE_CHECKING:
    from zoo.registry import ModelCard, Preset, WeightFile

logger = logging.getLogger(__name__)

CONVERTER_VERSION = 1
_CHUNK = 1 << 20
_verified: dict[tuple[str, int, int], str] = {}
_cache_warned = False  # the unwritable-cache warning is given once per process


def zoo_home() -> Path:
    """The cache root: ``ZOO_HOME`` or ``<user cache>/geozoo``."""
    if os.environ.get("ZOO_HOME"):
        return Path(os.environ["ZOO_HOME"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "geozoo"


def sha256sum(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


UPSTREAM_ADVICE = "Delete it (or fix ZOO_WEIGHTS_MIRROR) so the pinned file can be fetched again."


def verify(path: Path, sha256: str, size: int | None = None, advice: str = UPSTREAM_ADVICE) -> Path:
    """Check a local file's size and sha256; raise ``ValueError`` naming the file and both hashes.

    ``advice`` is the sentence that ends the message (what the user should do about it). The result is
    remembered per (path, size, mtime) for the life of the process.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == sha256:
        return path
    actual = sha256sum(path)
    if actual != sha256 or (size is not None and stat.st_size != size):
        sizes = ""
        if size is not None and stat.st_size != size:
            sizes = f" ({stat.st_size} bytes, expected {size}: truncated or a different file)"
        raise ValueError(f"{path} has sha256 {actual}, expected {sha256}{sizes}. {advice}".strip())
    _verified[key] = sha256
    return path


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a folder on the way that cannot be searched
        return False


def _download(file: WeightFile, dest: Path) -> Path:
    def fetch(tmp: Path) -> None:
        logger.info("Downloading %s", file.url)
        try:
            with (
                urllib.request.urlopen(file.url, timeout=60) as response,
                tmp.open("wb") as out,
                tqdm(total=file.size, unit="B", unit_scale=True, desc=file.name, leave=False) as bar,
            ):
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
        except OSError as err:
            raise ConnectionError(
                f"Could not download {file.url} ({err}). Without network, put the file at {dest} "
                "or point ZOO_WEIGHTS_MIRROR at a folder holding it as " + file.path + "."
            ) from err
        verify(tmp, file.sha256, file.size)

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(
            f"Cannot download {file.name}: the cache folder {dest.parent} cannot be created ({err}). "
            "Set ZOO_HOME to a writable folder, or point ZOO_WEIGHTS_MIRROR at a folder holding the file "
            f"as {file.path}."
        ) from err
    return write_atomically(dest, fetch, suffix=".part", lock=True)


def resolve_file(file: WeightFile) -> Path:
    """Return a verified local path for one file: shipped in a package, or upstream (mirror, cache, download)."""
    if file.package:
        return verify(
            Path(str(importlib.resources.files(file.package).joinpath(file.path))), file.sha256, file.size
        )
    mirror = os.environ.get("ZOO_WEIGHTS_MIRROR")
    if mirror:
        candidate = Path(mirror).expanduser() / file.path
        if candidate.is_file():
            return verify(candidate, file.sha256, file.size)
        logger.info("%s is not in ZOO_WEIGHTS_MIRROR=%s; trying the cache.", file.path, mirror)
    cached = zoo_home() / "weights" / file.path
    for stale in remove_stale_temporaries(cached, ".part"):
        logger.info("Removed %s, left by an interrupted download.", stale)
    if _is_file(cached):
        return verify(cached, file.sha256, file.size)
    return _download(file, cached)


def resolve(preset: Preset) -> dict[str, Path]:
    """Verified local paths of all files of a preset, keyed by upstream file name."""
    return {f.name: resolve_file(f) for f in preset.files}


def _converted_path(card: ModelCard, preset: Preset, config: Mapping[str, Any]) -> Path:
    key = json.dumps(
        {
            "files": sorted(f.sha256 for f in preset.files),
            "config": {k: repr(v) for k, v in sorted(config.items())},
            "converter": CONVERTER_VERSION,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return zoo_home() / "converted" / card.name / f"{preset.name}-{digest}.weights.h5"


def load_preset_weights(model: Any, card: ModelCard, preset: Preset, config: Mapping[str, Any]) -> None:
    """Give ``model`` the preset's weights, converting the upstream files once and caching the result.

    Presets made only of files shipped inside geozoo are loaded directly (nothing to cache).

    The converted Keras weights are stored under ``ZOO_HOME/converted`` with a sidecar ``.sha256`` file
    and verified on reuse; an unusable cached copy is converted again and replaced. The cache is best
    effort: when ``ZOO_HOME`` cannot be written (read-only home, container), the weights are converted
    at every load and one warning per process says so.
    """
    if all(f.package for f in preset.files):
        card.convert(model, resolve(preset))
        return
    target = _converted_path(card, preset, config)
    if _load_converted(model, target):
        return
    card.convert(model, resolve(preset))
    try:
        write_atomically(target, model.save_weights)
        write_atomically(target.with_suffix(".sha256"), lambda tmp: tmp.write_text(sha256sum(target)))
    except OSError as err:
        _warn_cache_unwritable(target, err)


def _load_converted(model: Any, target: Path) -> bool:
    """Load cached converted weights if they are there and intact; False if they must be converted."""
    digest_file = target.with_suffix(".sha256")
    try:
        if not (target.is_file() and digest_file.is_file()):
            return False
        expected = digest_file.read_text().strip()
    except OSError:
        return False
    try:
        verify(target, expected, advice="")
        model.load_weights(target)
    except (ValueError, OSError) as err:
        logger.warning(
            "The cached converted weights are unusable (%s); converting the published files again.", err
        )
        return False
    logger.debug("Loaded converted weights from %s", target)
    return True


def _warn_cache_unwritable(target: Path, err: OSError) -> None:
    global _cache_warned
    if _cache_warned:
        return
    _cache_warned = True
    logger.warning(
        "Cannot write converted weights to the cache %s (%s); they are converted again at every load. "
        "Set ZOO_HOME to a writable folder to keep them.",
        target.parent,
        err,
    )


def load_keras_weights(model: Any, files: Mapping[str, Path]) -> None:
    """A card ``convert`` for presets that are one Keras ``.weights.h5`` file trained by geozoo."""
    found = [path for name, path in files.items() if name.endswith(".weights.h5")]
    if len(found) != 1:
        raise ValueError(f"Expected exactly one .weights.h5 file, got {sorted(files)}.")
    model.load_weights(found[0])
