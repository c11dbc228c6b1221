"""Preset folders: a trained or fine-tuned model saved so that ``zoo.load(path)`` builds it again.

A preset folder holds three files:

- ``config.json``: ``{"model": <registry name>, "config": <builder keyword arguments>}``, and the card
  variant of the model under ``"variant"`` (``{"name": ..., "args": {...}}``) if it has one;
- ``metadata.json``: free-form provenance (parent preset, data, epochs, scores, date), and under
  ``"files"`` the sha256 and size in bytes of the two other files;
- ``model.weights.h5``: the Keras weights.

Each file is written to a temporary name and renamed into place (the configuration last), so a crash
never leaves a half-written file; an existing preset is replaced only with ``overwrite=True``, and other
files in the folder (e.g. a training run's logs) are left alone.

Loading checks the recorded sha256 and size of ``config.json`` and ``model.weights.h5`` (once per file
and process); a changed, damaged or truncated file is a ``ValueError`` naming the file and both hashes,
never a model with wrong weights. A folder saved before checksums were recorded (no ``"files"`` in its
metadata) loads with a warning that it is unverified; saving it again adds them.

Example:
    >>> import tempfile, zoo
    >>> model = zoo.load("phasenet")
    >>> path = save_preset(model, tempfile.mkdtemp() + "/my-phasenet", metadata={"note": "as published"})
    >>> again = zoo.load(str(path))
    >>> again.zoo_card.name, again.zoo_preset == str(path)
    ('phasenet', True)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zoo.files import write_atomically
from zoo.registry import card_of
from zoo.weights import sha256sum, verify

logger = logging.getLogger(__name__)

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
FILES = "files"  # the metadata entry with {file name: {"sha256": hex digest, "size": bytes}}
_DAMAGED = (
    "The preset folder's file differs from the one zoo.save_preset recorded in metadata.json (damaged, "
    "truncated or changed since); restore it from a copy or save the preset again."
)


def is_preset_folder(path: str | Path) -> bool:
    """True if ``path`` is a folder with a preset ``config.json``."""
    return (Path(path) / CONFIG).is_file()


def save_preset(
    model: Any, path: str | Path, *, metadata: Mapping[str, Any] | None = None, overwrite: bool = False
) -> Path:
    """Save ``model`` (from :func:`zoo.load`) as a preset folder at ``path``; returns the path.

    Args:
        model: a model carrying ``zoo_card`` (and ``zoo_config``, its builder arguments).
        path: the folder to create.
        metadata: JSON-able provenance stored in ``metadata.json`` (the parent preset, the save time and
            the checksums of the files under ``"files"`` are added).
        overwrite: replace an existing folder at ``path``.
    """
    model_card = card_of(model)
    path = Path(path)
    if is_preset_folder(path) and not overwrite:
        raise ValueError(f"{path} already holds a preset; choose another folder or pass overwrite=True.")
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file; a preset is a folder.")
    config = {"model": model_card.name, "config": dict(getattr(model, "zoo_config", {}))}
    variant = getattr(model, "zoo_variant", None)
    if variant is not None:
        config["variant"] = variant.to_dict()
    config_bytes = (json.dumps(config, indent=2) + "\n").encode()
    write_atomically(path / WEIGHTS, model.save_weights)
    files = {
        CONFIG: {"sha256": hashlib.sha256(config_bytes).hexdigest(), "size": len(config_bytes)},
        WEIGHTS: {"sha256": sha256sum(path / WEIGHTS), "size": (path / WEIGHTS).stat().st_size},
    }
    info = {
        "parent_preset": getattr(model, "zoo_preset", None),
        "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **dict(metadata or {}),
        FILES: files,
    }
    write_atomically(
        path / METADATA, lambda tmp: tmp.write_text(json.dumps(info, indent=2, default=str) + "\n")
    )
    write_atomically(path / CONFIG, lambda tmp: tmp.write_bytes(config_bytes))
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The ``metadata.json`` of a preset folder."""
    return json.loads((Path(path) / METADATA).read_text())


def verify_preset_folder(path: str | Path) -> bool:
    """Check the files of preset folder ``path`` against the checksums in its ``metadata.json``.

    Returns True when every recorded file matches, False (with a warning) for a folder saved without
    checksums. Raises ``ValueError`` naming the file and both sha256 hashes when one differs or is
    truncated, or naming the file when it is missing.
    """
    path = Path(path)
    try:
        metadata = read_metadata(path)
    except FileNotFoundError:
        metadata = {}
    except ValueError as err:
        raise ValueError(
            f"{path / METADATA} is not valid JSON ({err}); the preset cannot be verified."
        ) from err
    files = metadata.get(FILES) if isinstance(metadata, dict) else None
    if files is None:
        logger.warning(
            "Preset folder %s has no checksums (saved by an older geozoo): its files are NOT verified. "
            "Save it again with zoo.save_preset(zoo.load(path), path, overwrite=True) to add them.",
            path,
        )
        return False
    expected = {CONFIG, WEIGHTS}
    if not isinstance(files, dict) or not expected <= set(files):
        raise ValueError(
            f"{path / METADATA} should record the sha256 and size of {CONFIG} and {WEIGHTS} under "
            f"{FILES!r}; got {files!r}."
        )
    for name in sorted(expected):
        entry = files[name]
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            raise ValueError(f"{path / METADATA} has no sha256 for {name}: {entry!r}.")
        file = path / name
        if not file.is_file():
            raise ValueError(f"{file} is missing; {path / METADATA} records it as part of the preset.")
        verify(file, entry["sha256"], entry.get("size"), advice=_DAMAGED)
    return True


def read_config(path: str | Path) -> dict[str, Any]:
    """The ``config.json`` of preset folder ``path`` (not verified); ``ValueError`` if unreadable or nameless.

    Returns:
        ``{"model": <registry name>, "config": <builder keyword arguments>}`` (and ``"variant"``, if saved).
    """
    file = Path(path) / CONFIG
    try:
        config = json.loads(file.read_text())
    except (OSError, ValueError) as err:
        raise ValueError(f"Cannot read {file}: {err}") from err
    if not isinstance(config, dict) or not isinstance(config.get("model"), str):
        raise ValueError(f"{file} does not name a model; expected {{'model': ..., 'config': {{...}}}}.")
    if not isinstance(config.setdefault("config", {}), dict):
        raise ValueError(
            f"{file}: 'config' must be an object of builder arguments, got {config['config']!r}."
        )
    return config
