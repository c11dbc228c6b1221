"""Export zoo models for serving: TF Serving SavedModels (versioned, named signatures) and ONNX.

``export(model, "serving/phasenet", version=1)`` writes ``serving/phasenet/1/`` with
``saved_model.pb``, ``variables/`` and ``assets.extra/`` (warm-up requests, ``zoo_model.json``);
the signatures take raw counts ``waveform`` ``[windows, samples, channels]`` (see
:mod:`zoo.export.signatures`). ``format="onnx"`` writes ``serving/phasenet/1/model.onnx`` instead
(:mod:`zoo.export.onnx`). An existing version folder is never overwritten.

Importing this package is cheap: the SavedModel and ONNX back ends (and TensorFlow) are imported
when an export runs.

Example:
    >>> import tempfile, zoo
    >>> from zoo.export import export
    >>> export(zoo.load("gpd"), tempfile.mkdtemp() + "/gpd", version=1).name
    '1'
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

FORMATS = ("savedmodel", "onnx")
_BACK_ENDS = {"export_onnx": "zoo.export.onnx", "export_savedmodel": "zoo.export.savedmodel"}


def export(
    model: Any,
    path: str | os.PathLike,
    version: int | None = None,
    format: str = "savedmodel",
    model_name: str | None = None,
) -> Path:
    """Export a model from ``zoo.load`` for serving.

    Args:
        model: A model returned by ``zoo.load(...)``.
        path: The model base folder TF Serving watches, e.g. ``serving/phasenet``.
        version: Positive integer version; ``None`` takes the next free number under ``path``.
        format: ``"savedmodel"`` (TF Serving) or ``"onnx"``.
        model_name: Name the server serves the model under (SavedModel warm-up requests);
            defaults to the last component of ``path``.

    Returns:
        The version folder (SavedModel) or the ``model.onnx`` file (ONNX).
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}.")
    if format == "onnx":
        from zoo.export.onnx import export_onnx

        return export_onnx(model, path, version)
    from zoo.export.savedmodel import export_savedmodel

    return export_savedmodel(model, path, version, model_name=model_name)


def __getattr__(name: str):
    if name in _BACK_ENDS:
        return getattr(importlib.import_module(_BACK_ENDS[name]), name)
    raise AttributeError(f"module 'zoo.export' has no attribute {name!r}")


__all__ = ["FORMATS", "export", "export_onnx", "export_savedmodel"]
