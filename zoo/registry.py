"""The model registry: one :class:`ModelCard` per model and its :class:`Preset` table (data only).

A model folder under ``zoo/models/<name>/`` registers its card at import time::

    register(ModelCard(name="phasenet", build=build, convert=convert, presets=..., ...))

Everything the generic stream and pick code needs (window length, sampling rate, component order,
normalisation, label names, thresholds, overlap, stacking, blinding) is stated on the card, so
``zoo/stream.py`` and ``zoo/picks.py`` never name a model.

Example:
    >>> import zoo
    >>> "phasenet" in zoo.list_models()
    True
    >>> zoo.card("phasenet").sampling_rate
    100.0
"""

from __future__ import annotations

import difflib
import importlib
import logging
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeightFile:
    """One file of a preset: an upstream file pinned by URL, or a file shipped inside geozoo.

    Attributes:
        path: Upstream files: path relative to the weights root, ``<model>/<upstream name>``; the
            same relative path is used in ``ZOO_WEIGHTS_MIRROR`` and in the cache. Shipped files:
            path relative to :attr:`package`.
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
        """The upstream file name (last path component)."""
        return Path(self.path).name


@dataclass(frozen=True)
class Preset:
    """A named set of published weights and the builder configuration that fits them.

    Attributes:
        name: Preset name, e.g. ``"original"``.
        description: One sentence for ``zoo list`` / ``zoo info``.
        files: The upstream files; :func:`zoo.weights.resolve` makes them local.
        config: Keyword arguments for the card's ``build`` so the network matches the files.
        metadata: Free-form facts: training data, licence, citation, upstream commit.
    """

    name: str
    description: str
    files: tuple[WeightFile, ...]
    config: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, name: str, entry: Mapping[str, Any]) -> Preset:
        """Build a preset from one entry of a model's ``presets.py`` table."""
        return cls(
            name=name,
            description=entry["description"],
            files=tuple(WeightFile(**f) for f in entry["files"]),
            config=dict(entry.get("config", {})),
            metadata=dict(entry.get("metadata", {})),
        )


@dataclass(frozen=True)
class ModelCard:
    """What the zoo knows about one model.

    Attributes:
        name: Registry name, lower case (``"phasenet"``).
        task: ``"picker"``, ``"detector"``, ``"classifier"``, ``"regressor"`` or ``"autoencoder"``.
        description: One line.
        citation: Short citation of the original paper.
        build: ``build(**config) -> keras.Model`` with random initialisation.
        convert: ``convert(model, files)`` assigns the upstream weights to ``model``; ``files``
            maps each upstream file name to its verified local path.
        presets: The preset table (:class:`Preset` by name).
        default_preset: Used by ``pretrained=True``.
        sampling_rate: Input sampling rate in Hz.
        input_samples: Window length in samples.
        components: Component order of the network input, e.g. ``"ENZ"``.
        labels: Names of the output channels of :attr:`postprocess`, in order (``("P", "S", "N")``).
            Annotation traces are named ``<Model>_<label>``.
        normalize: ``normalize(x) -> x`` on raw windows ``[batch, samples, channels]`` float32, in
            TensorFlow ops (it runs in the compiled predict and in exported graphs).
        postprocess: ``postprocess(outputs) -> [batch, out_samples, len(labels)]``; turns the
            network's raw outputs into label curves.
        output_step: Input samples per output sample of :attr:`postprocess` (1 for sample-wise
            pickers). For ``output_kind="point"`` models it is the default stride in samples.
        output_kind: ``"sequence"`` (curves over the window) or ``"point"`` (one value per window,
            placed at the window centre).
        overlap: Default overlap of consecutive windows, in samples.
        stacking: ``"mean"`` or ``"max"`` over overlapping windows.
        blinding: Samples ``(start, end)`` of each window edge that do not contribute to stacking.
        pick_labels: Labels that produce phase picks (peak of each triggered interval).
        detection_labels: Labels that produce detections (trigger intervals).
        thresholds: Default trigger-on threshold per pick or detection label.
        off_thresholds: Trigger-off threshold per label (hysteresis: a trigger starts where the curve
            reaches the on threshold and lasts while it stays at or above the off threshold);
            labels not listed switch off at their on threshold.
        min_trigger_samples: Triggers shorter than this many output samples are dropped: one number for
            every label, or a number per label (labels not listed: 1).
        display_name: Prefix of annotation channel names (``"PhaseNet"``).
        licence: Licence of the published weights.
        filter_stream: Optional ``filter_stream(stream) -> stream`` applied to each continuous
            ObsPy segment (already at :attr:`sampling_rate`) before windowing, e.g. GPD's detrend
            and band-pass. It must not modify its argument in place.
        inference_model: Optional ``inference_model(model) -> keras.Model``: a faster network that
            gives the same outputs to float32 round-off (e.g. batch norm folded into convolutions),
            used by ``annotate``; rebuilt whenever the model's weights change.
        mc_dropout: Optional ``mc_dropout(model)`` context manager inside which the model's dropout
            layers are active at inference (Monte-Carlo dropout) while batch norm stays in
            inference mode; enables ``annotate(..., mc_samples=N)``.
        picks_within_detections: Seconds before a detection's start from which picks belong to it. With a
            value, each detection keeps the most probable pick of each phase between that margin before its
            start and its end, and picks outside every detection are dropped, as EQTransformer's own picker
            associates picks with detections. ``None`` keeps every pick.
        layer_groups: Named groups of layers for fine-tuning (``{"encoder": <regex of layer names>}``),
            used by ``zoo.train.fit(..., freeze="encoder")``.
    """

    name: str
    task: Literal["picker", "detector", "classifier", "regressor", "autoencoder"]
    description: str
    citation: str
    build: Callable[..., Any]
    convert: Callable[[Any, Mapping[str, Path]], None] | None
    presets: Mapping[str, Preset]
    default_preset: str | None
    sampling_rate: float | None = None
    input_samples: int | None = None
    components: str = ""
    labels: tuple[str, ...] = ()
    normalize: Callable[[Any], Any] | None = None
    postprocess: Callable[[Any], Any] | None = None
    output_step: int = 1
    output_kind: Literal["sequence", "point"] = "sequence"
    overlap: int = 0
    stacking: Literal["mean", "max"] = "mean"
    blinding: tuple[int, int] = (0, 0)
    pick_labels: tuple[str, ...] = ()
    detection_labels: tuple[str, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)
    off_thresholds: Mapping[str, float] = field(default_factory=dict)
    min_trigger_samples: int | Mapping[str, int] = 1
    display_name: str = ""
    licence: str = ""
    filter_stream: Callable[[Any], Any] | None = None
    inference_model: Callable[[Any], Any] | None = None
    mc_dropout: Callable[[Any], Any] | None = None
    picks_within_detections: float | None = None
    layer_groups: Mapping[str, str] = field(default_factory=dict)

    def min_trigger(self, label: str) -> int:
        """Shortest trigger, in output samples, kept for ``label`` (see :attr:`min_trigger_samples`)."""
        if isinstance(self.min_trigger_samples, Mapping):
            return int(self.min_trigger_samples.get(label, 1))
        return int(self.min_trigger_samples)

    @property
    def prefix(self) -> str:
        """Channel-name prefix of annotation traces."""
        return self.display_name or self.name

    def preset(self, name: str | None = None) -> Preset:
        """Return a preset by name (the default preset for ``None``)."""
        name = self.default_preset if name is None else name
        if name not in self.presets:
            raise ValueError(
                f"Model {self.name!r} has no preset {name!r}. "
                + _choices("presets", name, list(self.presets))
            )
        return self.presets[name]


_REGISTRY: dict[str, ModelCard] = {}
_MODELS_PACKAGE = "zoo.models"


def register(card: ModelCard) -> ModelCard:
    """Add ``card`` to the registry; a model name may be registered only once."""
    if card.name in _REGISTRY and _REGISTRY[card.name] is not card:
        raise ValueError(f"A model named {card.name!r} is already registered.")
    if card.default_preset is not None and card.default_preset not in card.presets:
        raise ValueError(f"Default preset {card.default_preset!r} of {card.name!r} is not in its presets.")
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


def _choices(kind: str, given: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(str(given).lower(), valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"Valid {kind}: {', '.join(sorted(valid)) or 'none'}.{hint}"


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
        raise ValueError(f"Unknown model {name!r}. " + _choices("models", key, list(_REGISTRY)))
    return _REGISTRY[key]


def presets(name: str) -> dict[str, Preset]:
    """The presets of a model by name."""
    return dict(card(name).presets)


def card_of(model: Any) -> ModelCard:
    """The card of a model returned by :func:`load` (stored as ``model.zoo_card``)."""
    found = getattr(model, "zoo_card", None)
    if not isinstance(found, ModelCard):
        raise TypeError(
            "Expected a model returned by zoo.load(...) (it carries its model card); "
            f"got {type(model).__name__}."
        )
    return found
