"""The model registry: one :class:`ModelCard` per model and its :class:`Preset` table (data only).

A model folder under ``zoo/models/<name>/`` registers its card when it is imported; the card states
everything the rest of the zoo needs in small optional specs (:mod:`zoo.cards`): the network input
(:class:`~zoo.cards.WaveformSpec`), how windows become curves (:class:`~zoo.cards.AnnotationSpec`), how
curves become picks (:class:`~zoo.cards.TriggerSpec`) and training (:class:`~zoo.cards.TrainingSpec`), so
the data path (:mod:`zoo.waveforms`) never names a model. Code is referred to lazily
(:func:`zoo.lazy.lazy`), so registering a card imports no TensorFlow and ``zoo list`` stays fast.

This module is data and look-ups only: it imports no other part of the zoo but the card classes of
:mod:`zoo.cards` (re-exported here); loading lives in :mod:`zoo.loading`.

Example:
    >>> import zoo
    >>> "phasenet" in zoo.list_models()
    True
    >>> zoo.card("phasenet").waveform.sampling_rate
    100.0
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from zoo.cards import AnnotationSpec, ModelCard, TrainingSpec, TriggerSpec, WaveformSpec, choices
from zoo.weight_presets import Preset, Variant, WeightFile, preset_table

__all__ = [
    "AnnotationSpec",
    "ModelCard",
    "Preset",
    "TrainingSpec",
    "TriggerSpec",
    "Variant",
    "WaveformSpec",
    "WeightFile",
    "card",
    "card_of",
    "list_models",
    "preset_table",
    "presets",
    "register",
    "waveform_card",
    "waveform_models",
]

_REGISTRY: dict[str, ModelCard] = {}
_MODELS_PACKAGE = "zoo.models"


def register(card: ModelCard) -> ModelCard:
    """Add ``card`` to the registry (after :meth:`ModelCard.check`); a name may be registered only once."""
    if card.name in _REGISTRY and _REGISTRY[card.name] is not card:
        raise ValueError(f"A model named {card.name!r} is already registered.")
    card.check()
    _REGISTRY[card.name] = card
    return card


def _model_folders() -> list[str]:
    package = importlib.import_module(_MODELS_PACKAGE)
    return [info.name for info in pkgutil.iter_modules(package.__path__) if info.ispkg]


def _discover(name: str | None = None) -> None:
    """Import the model folder ``name`` (or every folder), which registers its card."""
    for folder in _model_folders():
        if name is None or folder == name:
            importlib.import_module(f"{_MODELS_PACKAGE}.{folder}")


def list_models() -> list[str]:
    """Names of all registered models, sorted."""
    _discover()
    return sorted(_REGISTRY)


def card(name: str) -> ModelCard:
    """The :class:`ModelCard` of a registered model (case-insensitive name)."""
    if not isinstance(name, str):
        raise TypeError(f"Model name must be a string, got {type(name).__name__}.")
    key = name.lower()
    if key not in _REGISTRY:
        _discover(key)
    if key not in _REGISTRY:
        _discover()
    if key not in _REGISTRY:
        raise ValueError(f"Unknown model {name!r}. " + choices("models", key, list(_REGISTRY)))
    return _REGISTRY[key]


def presets(name: str) -> dict[str, Preset]:
    """The presets (:class:`~zoo.cards.Preset` by name) of a model."""
    return dict(card(name).presets)


def card_of(model: Any) -> ModelCard:
    """The card of a model returned by :func:`zoo.load` (stored as ``model.zoo_card``)."""
    found = getattr(model, "zoo_card", None)
    if not isinstance(found, ModelCard):
        raise TypeError(
            "Expected a model returned by zoo.load(...) (it carries its model card); "
            f"got {type(model).__name__}."
        )
    return found


def waveform_models() -> list[str]:
    """Registered models that run on seismic waveforms (``annotate``, ``classify``, ``zoo pick``)."""
    return [name for name in list_models() if card(name).takes_waveforms]


def waveform_card(model_or_card: Any, action: str) -> ModelCard:
    """The card of a model (or a card) that runs on waveforms; ``ValueError`` saying which do otherwise.

    Args:
        model_or_card: A model from :func:`zoo.load`, or a :class:`ModelCard`.
        action: What was asked, for the message (``"zoo.annotate"``, ``"`zoo pick`"``).

    Example:
        >>> waveform_card(card("xdisc"), "zoo.annotate")
        Traceback (most recent call last):
        ...
        ValueError: xdisc is a classifier, not a model of seismic waveforms; zoo.annotate works with: cred, eqtransformer, gpd, phasenet.
    """
    found = model_or_card if isinstance(model_or_card, ModelCard) else card_of(model_or_card)
    if not found.takes_waveforms:
        article = "an" if found.task[:1].lower() in "aeiou" else "a"
        raise ValueError(
            f"{found.name} is {article} {found.task}, not a model of seismic waveforms; {action} works with: "
            f"{', '.join(waveform_models())}."
        )
    return found
