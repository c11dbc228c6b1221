"""A SeisBench weight file pair: ``NAME.pt[.vN]`` (PyTorch state dict) and ``NAME.json[.vN]`` (metadata).

SeisBench's ``model.save(path, version_str=N)`` and its download cache
(``~/.seisbench/models/v3/<model>/<name>.pt.v<N>``) keep the two side by side with the same stem and
version suffix. The JSON holds ``model_args`` (constructor arguments; a missing key takes the
constructor default), ``default_args`` (annotate/classify arguments), ``docstring`` (the weights
docstring), ``seisbench_requirement`` and, for files from SeisBench's server, ``version``. The state dict
is read with :mod:`zoo.torch_pickle`, which accepts tensors and plain containers only, so a hostile
file cannot run code.

Example:
    >>> weights = read_weights("tests/seisbench/fixtures/models/phasenet/finetuned.pt.v3")
    >>> weights.metadata_path.name, weights.version, weights.model_args["phases"]
    ('finetuned.json.v3', '3', 'NPS')
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zoo.torch_pickle import read_state_dict
from zoo.weights import sha256sum

logger = logging.getLogger(__name__)

CHECKED_SEISBENCH = "0.12.6"  # the SeisBench version the converters were checked against
_WEIGHTS_NAME = re.compile(r"(?P<stem>.+)\.(?:pt|pth)(?P<suffix>\.v(?P<version>[^.]+))?")


@dataclass(frozen=True)
class SeisBenchWeights:
    """What a SeisBench weight file pair holds (see the module docstring)."""

    weights_path: Path
    metadata_path: Path
    model_args: dict[str, Any]
    default_args: dict[str, Any]
    weights_docstring: str
    seisbench_requirement: str | None
    version: str | None
    state: dict[str, np.ndarray]
    weights_sha256: str
    metadata_sha256: str


def metadata_path_for(weights_path: str | os.PathLike) -> Path:
    """The JSON beside a weight file: ``NAME.pt`` -> ``NAME.json``, ``NAME.pt.vN`` -> ``NAME.json.vN``.

    Example:
        >>> metadata_path_for("models/v3/phasenet/instance.pt.v3").as_posix()
        'models/v3/phasenet/instance.json.v3'
    """
    path = Path(weights_path)
    match = _WEIGHTS_NAME.fullmatch(path.name)
    if match is None:
        raise ValueError(
            f"{path.name} is not named like a SeisBench weight file (NAME.pt or NAME.pt.vN), so its JSON "
            "cannot be found; give the JSON's path explicitly (metadata_path=...)."
        )
    return path.with_name(f"{match['stem']}.json{match['suffix'] or ''}")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON of a SeisBench weight file, checked: ``model_args`` and ``default_args`` are objects
    (an empty string or null is read as ``{}``), ``docstring`` and ``seisbench_requirement`` strings.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not JSON, or a field of the wrong type.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"SeisBench metadata {path} not found; SeisBench keeps NAME.json[.vN] beside NAME.pt[.vN] "
            "(give another path with metadata_path=...)."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{path} is not a SeisBench JSON file ({err}).") from err
    if not isinstance(data, dict):
        raise ValueError(f"{path} should hold a JSON object with model_args, found {type(data).__name__}.")
    out = dict(data)
    for key in ("model_args", "default_args"):
        value = data.get(key) or {}
        if not isinstance(value, Mapping):
            raise ValueError(f"{path}: {key} must be a JSON object, got {value!r:.80}.")
        out[key] = dict(value)
    for key in ("docstring", "seisbench_requirement", "version"):
        value = data.get(key)
        if value is not None and not isinstance(value, (str, int)):
            raise ValueError(f"{path}: {key} must be a string, got {value!r:.80}.")
        out[key] = None if value is None else str(value)
    return out


def read_weights(
    weights_path: str | os.PathLike, metadata_path: str | os.PathLike | None = None
) -> SeisBenchWeights:
    """Read a SeisBench weight file and its JSON (found beside it unless ``metadata_path`` is given).

    A ``seisbench_requirement`` newer than the SeisBench version the converters were checked against
    (:data:`CHECKED_SEISBENCH`) is logged as a warning: the key and shape checks still apply, but a
    newer SeisBench may compute differently with the same weights.

    Raises:
        FileNotFoundError: either file is missing.
        ValueError: a badly named weight file without ``metadata_path``, a bad JSON, or a ``.pt`` file
            that is not a plain state dict (refused by :mod:`zoo.torch_pickle`).
    """
    weights_path = Path(weights_path)
    metadata_path = metadata_path_for(weights_path) if metadata_path is None else Path(metadata_path)
    if not weights_path.is_file():
        raise FileNotFoundError(f"SeisBench weight file {weights_path} not found.")
    metadata = read_metadata(metadata_path)
    state = read_state_dict(weights_path)
    requirement = metadata["seisbench_requirement"]
    if requirement and _version_tuple(requirement) > _version_tuple(CHECKED_SEISBENCH):
        logger.warning(
            "%s asks for SeisBench %s; geozoo's converters were checked against SeisBench %s.",
            metadata_path.name,
            requirement,
            CHECKED_SEISBENCH,
        )
    match = _WEIGHTS_NAME.fullmatch(weights_path.name)
    version = metadata["version"] or (match["version"] if match else None)
    return SeisBenchWeights(
        weights_path=weights_path,
        metadata_path=metadata_path,
        model_args=metadata["model_args"],
        default_args=metadata["default_args"],
        weights_docstring=metadata["docstring"] or "",
        seisbench_requirement=requirement,
        version=version,
        state=state,
        weights_sha256=sha256sum(weights_path),
        metadata_sha256=sha256sum(metadata_path),
    )
