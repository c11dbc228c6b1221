"""Which geozoo model takes which SeisBench class, and recognising a state dict's architecture.

Each supported model has a ``zoo/models/<name>/seisbench.py`` with ``build_config(model_args)``,
``assign(model, state, model_args, source)`` and ``output_labels(model_args)``.

Example:
    >>> model_name("EQTransformer"), seisbench_class("gpd")
    ('eqtransformer', 'GPD')
    >>> identify({"inc.weight": None, "in_bn.weight": None, "out.weight": None})
    'phasenet'
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

# geozoo model name -> (SeisBench class, state-dict keys that only that architecture has)
SUPPORTED = {
    "phasenet": ("PhaseNet", ("inc.weight", "in_bn.weight", "out.weight")),
    "eqtransformer": ("EQTransformer", ("encoder.convs.0.weight", "res_cnn_stack.members.0.norm1.weight")),
    "gpd": ("GPD", ("conv4.weight", "fc1.weight", "bn6.weight")),
    "cred": ("CRED", ("cnn_block1.convs.0.weight", "lstm_block.lstms.0.weight_ih_l0")),
}


def model_name(model: str) -> str:
    """geozoo's name for ``model``, given as geozoo's name or SeisBench's class name (any case).

    Raises:
        ValueError: a model without a SeisBench converter.
    """
    if not isinstance(model, str):
        raise TypeError(f"model must be a model name such as 'phasenet', got {type(model).__name__}.")
    name = model.lower()
    if name not in SUPPORTED:
        known = ", ".join(f"{key} ({cls})" for key, (cls, _) in SUPPORTED.items())
        raise ValueError(f"No SeisBench converter for model {model!r}; supported: {known}.")
    return name


def seisbench_class(model: str) -> str:
    """SeisBench's class name for geozoo model ``model``."""
    return SUPPORTED[model_name(model)][0]


def converter(model: str) -> ModuleType:
    """The ``zoo.models.<name>.seisbench`` module of ``model``."""
    return importlib.import_module(f"zoo.models.{model_name(model)}.seisbench")


def identify(keys: Iterable[str] | Mapping[str, Any]) -> str | None:
    """The geozoo model whose SeisBench state dict has these keys, or ``None`` if none matches."""
    present = set(keys)
    for name, (_, signature) in SUPPORTED.items():
        if all(key in present for key in signature):
            return name
    return None
