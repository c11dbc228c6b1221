"""Preset folders: a trained or fine-tuned model saved so that ``zoo.load(path)`` builds it again.

A preset folder holds three files:

- ``config.json``: ``{"model": <registry name>, "config": <builder keyword arguments>}``;
- ``metadata.json``: free-form provenance (parent preset, data, epochs, scores, date);
- ``model.weights.h5``: the Keras weights.

Each file is written to a temporary name and renamed into place (the configuration last), so a crash
never leaves a half-written file; an existing preset is replaced only with ``overwrite=True``, and other
files in the folder (e.g. a training run's logs) are left alone.

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
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zoo.files import write_atomically
from zoo.registry import card, card_of

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"


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
        metadata: JSON-able provenance stored in ``metadata.json`` (the parent preset and the save time
            are added).
        overwrite: replace an existing folder at ``path``.
    """
    model_card = card_of(model)
    path = Path(path)
    if is_preset_folder(path) and not overwrite:
        raise ValueError(f"{path} already holds a preset; choose another folder or pass overwrite=True.")
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file; a preset is a folder.")
    info = {
        "parent_preset": getattr(model, "zoo_preset", None),
        "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **dict(metadata or {}),
    }
    config = {"model": model_card.name, "config": dict(getattr(model, "zoo_config", {}))}
    write_atomically(path / WEIGHTS, model.save_weights)
    write_atomically(
        path / METADATA, lambda tmp: tmp.write_text(json.dumps(info, indent=2, default=str) + "\n")
    )
    write_atomically(path / CONFIG, lambda tmp: tmp.write_text(json.dumps(config, indent=2) + "\n"))
    return path


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The ``metadata.json`` of a preset folder."""
    return json.loads((Path(path) / METADATA).read_text())


def load_preset_folder(path: str | Path, **overrides: Any) -> Any:
    """Build the model of preset folder ``path`` and load its weights (what ``zoo.load(path)`` does)."""
    path = Path(path)
    if not is_preset_folder(path):
        raise ValueError(f"{path} is not a preset folder (no {CONFIG}); save one with zoo.save_preset.")
    config = json.loads((path / CONFIG).read_text())
    if not isinstance(config, dict) or "model" not in config:
        raise ValueError(
            f"{path / CONFIG} does not name a model; expected {{'model': ..., 'config': {{...}}}}."
        )
    if not (path / WEIGHTS).is_file():
        raise ValueError(f"{path} has no {WEIGHTS}.")
    model_card = card(config["model"])
    build_config = {**config.get("config", {}), **overrides}
    model = model_card.build(**build_config)
    model.load_weights(path / WEIGHTS)
    model.zoo_card = model_card
    model.zoo_config = build_config
    model.zoo_preset = str(path)
    return model
