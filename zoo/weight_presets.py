"""Presets: named sets of published weights (their pinned files) and the card variant they use (data only).

A model's ``presets.py`` holds a ``PRESETS`` dictionary; :func:`preset_table` reads it into
:class:`Preset` objects, each with its :class:`WeightFile` entries (an upstream URL at a fixed commit and
its sha256, or a file shipped inside a package) and, where the weights need a derived card, a
:class:`Variant`. :mod:`zoo.weights` makes the files local; :class:`zoo.cards.ModelCard` holds the table.

Example:
    >>> weight = {"path": "m/w.h5", "url": "https://example.org/w.h5", "sha256": "0" * 64, "size": 1}
    >>> preset = preset_table({"original": {"description": "d", "files": [weight]}})["original"]
    >>> preset.files[0].name, preset.variant
    ('w.h5', None)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class WeightFile:
    """One file of a preset: an upstream file pinned by URL, or a file shipped inside a package.

    Attributes:
        path: Upstream files: path relative to the weights root, ``<model>/<upstream name>``; the
            same relative path is used in ``ZOO_WEIGHTS_MIRROR`` and in the cache. Shipped files:
            path relative to :attr:`package` (``weights/<name>.weights.h5``).
        url: Download URL pinned at a fixed upstream commit (empty for shipped files).
        sha256: Expected hex digest of the file.
        size: Expected size in bytes.
        package: For weights trained by geozoo and shipped with it, the package that holds the file
            (``"zoo.models.xdisc"``); ``None`` for upstream files.
    """

    path: str
    url: str
    sha256: str
    size: int
    package: str | None = None

    @property
    def name(self) -> str:
        """The file name (last path component)."""
        return Path(self.path).name


@dataclass(frozen=True)
class Variant:
    """A named card variant and its JSON-able arguments (see :meth:`ModelCard.with_variant`).

    Stored in files as ``{"name": ..., "args": {...}}`` (a preset's ``"variant"`` entry, a preset
    folder's ``config.json``): data only, never a module or function name.
    """

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, entry: Any, where: str = "variant") -> Variant:
        """Read ``{"name": str, "args": {...}}``; ``TypeError`` naming ``where`` if it is malformed."""
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("name"), str)
            or set(entry) - {"name", "args"}
        ):
            raise TypeError(f'{where} must be {{"name": <variant name>, "args": {{...}}}}, got {entry!r}.')
        return cls(entry["name"], json_args(entry.get("args", {}), where))

    def to_dict(self) -> dict[str, Any]:
        """``{"name": ..., "args": {...}}`` for JSON files."""
        return {"name": self.name, "args": json_args(self.args, f"variant {self.name!r}")}


@dataclass(frozen=True)
class Preset:
    """A named set of published weights and the builder configuration that fits them.

    Attributes:
        name: Preset name, e.g. ``"original"``.
        description: One sentence for ``zoo list`` / ``zoo info``.
        files: The weight files; :func:`zoo.weights.resolve` makes them local.
        config: Keyword arguments for the card's ``build`` so the network matches the files.
        metadata: Free-form facts: training data, licence, citation, upstream commit.
        variant: The card variant these weights are used with (``None``: the card as registered).
    """

    name: str
    description: str
    files: tuple[WeightFile, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    variant: Variant | None = None

    @classmethod
    def from_dict(cls, name: str, entry: Mapping[str, Any]) -> Preset:
        """Build a preset from one entry of a model's ``presets.py`` table."""
        variant = entry.get("variant")
        return cls(
            name=name,
            description=entry["description"],
            files=tuple(WeightFile(**f) for f in entry["files"]),
            config=dict(entry.get("config", {})),
            metadata=dict(entry.get("metadata", {})),
            variant=None if variant is None else Variant.from_dict(variant, f"preset {name!r}: variant"),
        )


def preset_table(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Preset]:
    """The :class:`Preset` table of a model's ``PRESETS`` dictionary (data from ``presets.py``)."""
    return {name: Preset.from_dict(name, entry) for name, entry in entries.items()}


def json_args(args: Any, where: str) -> dict[str, Any]:
    """``args`` as a plain dict after checking it is JSON-able (variant arguments live in files)."""
    if not isinstance(args, Mapping):
        raise TypeError(f"{where}: variant arguments must be a mapping, got {type(args).__name__}.")
    try:
        return json.loads(json.dumps(dict(args)))
    except (TypeError, ValueError) as err:
        raise TypeError(f"{where}: variant arguments must be JSON-able ({err}).") from err
