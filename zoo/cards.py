"""Model cards: what the zoo knows about a model, composed of small optional specs (data only).

A :class:`ModelCard` names the model and its code (``build``, ``convert``), its preset table
(:class:`~zoo.weight_presets.Preset` by name) and four specs (the first two ``None`` for models that do
not run on seismic waveforms):

- :class:`WaveformSpec`: the network input (sampling rate in Hz, window length in samples, component
  order, normalisation, a filter of continuous data);
- :class:`AnnotationSpec`: how windows become label curves (labels, post-processing, output step,
  overlap, stacking, blinding, an inference copy of the network, Monte-Carlo dropout);
- :class:`TriggerSpec`: how curves become picks and detections (labels, thresholds, hysteresis,
  minimum length, association of picks with detections); empty (no picks) by default;
- :class:`TrainingSpec`: the ``zoo train`` recipe and the named layer groups for fine-tuning; empty
  (no recipe) by default.

``variants`` derive a card from JSON-able arguments (e.g. the same network with another window length
and normalisation, as a SeisBench model has): a preset or a preset folder names one with a
:class:`~zoo.weight_presets.Variant`, and the loaded model carries the derived card. Code is referred to
with :func:`zoo.lazy.lazy`, so a card is data that imports no TensorFlow until its code is first called.

Example:
    >>> import zoo
    >>> card = zoo.card("phasenet")
    >>> card.waveform.samples, card.waveform.components, card.annotation.labels
    (3000, 'ENZ', ('P', 'S', 'N'))
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from zoo.weight_presets import Preset, Variant


@dataclass(frozen=True)
class WaveformSpec:
    """The network input: windows ``[batch, samples, len(components)]`` float32 in raw counts.

    Attributes:
        sampling_rate: Input sampling rate in Hz.
        samples: Window length in samples.
        components: Component order of the network input, e.g. ``"ENZ"``.
        normalize: ``normalize(x) -> x`` on raw windows ``[batch, samples, channels]`` float32, in
            TensorFlow ops (it runs in the compiled predict and in exported graphs).
        filter_stream: Optional ``filter_stream(stream) -> stream`` applied to each continuous ObsPy
            segment (already at :attr:`sampling_rate`) before windowing, e.g. GPD's detrend and
            band-pass. It must not modify its argument in place.
        compile_normalize: Run :attr:`normalize` compiled by XLA when annotating (4x faster for
            PhaseNet's). Only for normalisations XLA computes to the same numbers (PhaseNet's float64
            sums: 1e-11); float32 sums come out in another order (up to 1e-3 apart at an offset of 1e5
            counts).
    """

    sampling_rate: float
    samples: int
    components: str
    normalize: Callable[[Any], Any]
    filter_stream: Callable[[Any], Any] | None = None
    compile_normalize: bool = False


@dataclass(frozen=True)
class AnnotationSpec:
    """How window outputs become label curves over a continuous segment.

    Attributes:
        labels: Names of the output channels of :attr:`postprocess`, in order (``("P", "S", "N")``).
            Annotation traces are named ``<Model>_<label>``.
        postprocess: ``postprocess(outputs) -> [batch, out_samples, len(labels)]``; turns the network's
            raw outputs into label curves (TensorFlow ops).
        output_step: Input samples per output sample of :attr:`postprocess` (1 for sample-wise
            pickers). For ``output_kind="point"`` models it is the default stride in samples. A
            :class:`~fractions.Fraction` for a network whose outputs do not fall on input samples (19
            outputs per 3000-sample window: ``Fraction(3000, 19)``): windows then start at any sample and
            each window's outputs are placed from the output sample nearest its start (halves to even).
        output_kind: ``"sequence"`` (curves over the window) or ``"point"`` (one value per window,
            placed at the window centre).
        overlap: Default overlap of consecutive windows, in samples.
        stacking: ``"mean"`` or ``"max"`` over overlapping windows.
        blinding: Samples ``(start, end)`` of each window edge that do not contribute to stacking.
        segment_ends: ``"keep"``: the blinding spares a segment's two ends (the first window's start,
            the last window's end, a lone window), so the curves cover the whole segment. ``"drop"``:
            every window is blinded, and output samples at a segment's ends that no window covers (blinded,
            or past the last output) are dropped, so the curves may start later and end earlier than the
            segment (SeisBench's rule).
        short_segments: A segment shorter than one window: ``"pad"`` zero-pads it to a window if it has
            at least half a window (shorter ones are skipped); ``"skip"`` skips it (SeisBench's rule).
            Both warn.
        inference_model: Optional ``inference_model(model, postprocess) -> keras.Model``: a faster
            network that computes ``postprocess(model(x))`` to float32 round-off, the label curves with
            the card's post-processing inside (each model's ``inference.py``: fused convolutions,
            PhaseNet's batch norm folded and its softmax in label order, EQTransformer's middle compiled
            by XLA); without ``postprocess``, the model's own outputs. Used by ``annotate`` and exports
            (:meth:`label_network`), rebuilt whenever the model's weights change.
        mc_dropout: Optional ``mc_dropout(model)`` context manager inside which the model's dropout
            layers are active at inference (Monte-Carlo dropout) while batch norm stays in
            inference mode; enables ``annotate(..., mc_samples=N)``.
        float32_layers: Layers that stay float32 when annotating with ``precision="bfloat16"``, besides
            the output heads: names in the model (a rewritten inference layer ``<name>_<kind>`` counts as
            ``<name>``), where bfloat16's rounding would move picks (PhaseNet's 3000- and 750-sample layers).
    """

    labels: tuple[str, ...]
    postprocess: Callable[[Any], Any]
    output_step: int | Fraction = 1
    output_kind: Literal["sequence", "point"] = "sequence"
    overlap: int = 0
    stacking: Literal["mean", "max"] = "mean"
    blinding: tuple[int, int] = (0, 0)
    segment_ends: Literal["keep", "drop"] = "keep"
    short_segments: Literal["pad", "skip"] = "pad"
    inference_model: Callable[[Any], Any] | None = None
    mc_dropout: Callable[[Any], Any] | None = None
    float32_layers: tuple[str, ...] = ()

    def label_network(self, model: Any) -> tuple[Any, Callable[[Any], Any]]:
        """``(network, finish)``: the network that annotation and exports run on normalised windows, and
        what makes label curves of its outputs. The inference copy with :attr:`postprocess` inside and
        the identity where the card has one (PhaseNet's copy orders its softmax by the labels, which
        saves a pass over the curves), else ``model`` and :attr:`postprocess`."""
        if self.inference_model is None:
            return model, self.postprocess
        return self.inference_model(model, self.postprocess), _unchanged


def _unchanged(outputs: Any) -> Any:
    """The outputs of an inference copy, which are label curves already."""
    return outputs


@dataclass(frozen=True)
class TriggerSpec:
    """How label curves become picks and detections.

    Attributes:
        pick_labels: Labels that produce phase picks (peak of each triggered interval).
        detection_labels: Labels that produce detections (trigger intervals).
        thresholds: Default trigger-on threshold (probability) per pick or detection label.
        off_thresholds: Trigger-off threshold per label (hysteresis: a trigger starts where the curve
            reaches the on threshold and lasts while it stays at or above the off threshold); labels
            not listed switch off at their on threshold.
        off_fraction: With a value, every label's trigger-off threshold is this fraction of its
            trigger-on threshold, also of one given to ``classify`` (SeisBench: 0.5), instead of
            :attr:`off_thresholds`.
        min_samples: Triggers shorter than this many output samples are dropped: one number for every
            label, or a number per label (labels not listed: 1).
        picks_within_detections: Seconds before a detection's start from which picks belong to it. With
            a value, each detection keeps the most probable pick of each phase between that margin before
            its start and its end, and picks outside every detection are dropped, as EQTransformer's own
            picker associates picks with detections. ``None`` keeps every pick.
        detections_need_picks: Drop detections with no pick inside them (from
            :attr:`picks_within_detections` seconds before the start, or the start, to the end): the
            original EQTransformer writes only detections with a P or an S.
    """

    pick_labels: tuple[str, ...] = ()
    detection_labels: tuple[str, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=dict)
    off_thresholds: Mapping[str, float] = field(default_factory=dict)
    off_fraction: float | None = None
    min_samples: int | Mapping[str, int] = 1
    picks_within_detections: float | None = None
    detections_need_picks: bool = False

    def off_threshold(self, label: str, on: float) -> float:
        """Trigger-off threshold of ``label`` for trigger-on threshold ``on`` (never above ``on``).

        Example:
            >>> TriggerSpec(off_fraction=0.5).off_threshold("P", 0.3)
            0.15
        """
        if self.off_fraction is not None:
            return on * self.off_fraction
        return min(self.off_thresholds.get(label, on), on)

    def min_trigger(self, label: str) -> int:
        """Shortest trigger, in output samples, kept for ``label`` (see :attr:`min_samples`)."""
        if isinstance(self.min_samples, Mapping):
            return int(self.min_samples.get(label, 1))
        return int(self.min_samples)


@dataclass(frozen=True)
class TrainingSpec:
    """Training: the ``zoo train`` recipe and layer groups for fine-tuning.

    Attributes:
        recipe: Module path of the model's ``zoo train`` recipe (a module with ``add_arguments(parser)``
            and ``run(args)``, e.g. ``"zoo.train.pickers"``), or ``None``.
        layer_groups: Named groups of layers for fine-tuning (``{"encoder": <regex of layer names>}``),
            used by ``zoo.train.fit(..., freeze="encoder")``.
    """

    recipe: str | None = None
    layer_groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelCard:
    """What the zoo knows about one model.

    Attributes:
        name: Registry name, lower case (``"phasenet"``).
        task: ``"picker"``, ``"detector"``, ``"classifier"``, ``"regressor"`` or ``"autoencoder"``.
        description: One line.
        citation: Citation of the original paper (``CITATION`` of the model's ``presets.py``).
        licence: Licence of the published weights.
        display_name: Prefix of annotation channel names (``"PhaseNet"``); the name if empty.
        build: ``build(**config) -> keras.Model`` with random initialisation.
        convert: ``convert(model, files)`` assigns the upstream weights to ``model``; ``files`` maps
            each upstream file name to its verified local path.
        presets: The preset table (:class:`Preset` by name).
        default_preset: Used by ``pretrained=True``.
        waveform: The network input, for models of seismic waveforms (else ``None``).
        annotation: How windows become curves (``None`` for models that are not run on streams).
        trigger: How curves become picks and detections (the default, an empty spec: no picks).
        training: The training recipe and layer groups (the default, an empty spec: no recipe).
        variants: Named functions ``variant(card, args) -> card`` that derive a card from JSON-able
            arguments (see :meth:`with_variant`).
    """

    name: str
    task: Literal["picker", "detector", "classifier", "regressor", "autoencoder"]
    description: str
    citation: str
    licence: str
    display_name: str
    build: Callable[..., Any]
    convert: Callable[[Any, Mapping[str, Any]], None] | None
    presets: Mapping[str, Preset]
    default_preset: str | None
    waveform: WaveformSpec | None = None
    annotation: AnnotationSpec | None = None
    trigger: TriggerSpec = field(default_factory=TriggerSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    variants: Mapping[str, Callable[[ModelCard, Mapping[str, Any]], ModelCard]] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Channel-name prefix of annotation traces."""
        return self.display_name or self.name

    @property
    def takes_waveforms(self) -> bool:
        """True if the model runs on seismic waveforms (it has a waveform and an annotation spec)."""
        return self.waveform is not None and self.annotation is not None

    def preset(self, name: str | None = None) -> Preset:
        """Return a preset by name (the default preset for ``None``)."""
        name = self.default_preset if name is None else name
        if name not in self.presets:
            raise ValueError(
                f"Model {self.name!r} has no preset {name!r}. " + choices("presets", name, list(self.presets))
            )
        return self.presets[name]

    def with_variant(self, variant: Variant | None) -> ModelCard:
        """The card derived by one of :attr:`variants` (``self`` for ``None``).

        Raises:
            ValueError: an unknown variant, or a variant function that does not return a valid card of
                this model.
        """
        if variant is None:
            return self
        if variant.name not in self.variants:
            raise ValueError(
                f"Model {self.name!r} has no card variant {variant.name!r}; its variants: "
                f"{', '.join(sorted(self.variants)) or 'none'}."
            )
        derived = self.variants[variant.name](self, dict(variant.args))
        if not isinstance(derived, ModelCard) or derived.name != self.name:
            raise ValueError(f"Card variant {variant.name!r} of {self.name!r} did not return a card of it.")
        derived.check()
        return derived

    def check(self) -> None:
        """Raise ``ValueError`` if the specs contradict each other (labels, thresholds, presets)."""
        if self.default_preset is not None and self.default_preset not in self.presets:
            raise ValueError(
                f"Default preset {self.default_preset!r} of {self.name!r} is not in its presets."
            )
        if self.annotation is not None and self.waveform is None:
            raise ValueError(f"{self.name}: an annotation spec needs a waveform spec (the network input).")
        if self.trigger != TriggerSpec():
            labels = self.annotation.labels if self.annotation is not None else ()
            triggered = (*self.trigger.pick_labels, *self.trigger.detection_labels)
            named = (*triggered, *self.trigger.thresholds, *self.trigger.off_thresholds)
            unknown = sorted({label for label in named if label not in labels})
            if unknown:
                raise ValueError(f"{self.name}: trigger labels {unknown} are not among its labels {labels}.")
            missing = [label for label in triggered if label not in self.trigger.thresholds]
            if missing:
                raise ValueError(f"{self.name}: no default threshold for {missing}.")
        for preset in self.presets.values():
            if preset.variant is not None and preset.variant.name not in self.variants:
                raise ValueError(
                    f"{self.name}: preset {preset.name!r} names the unknown card variant {preset.variant.name!r}."
                )

    def replace(self, **changes: Any) -> ModelCard:
        """A copy with some fields (or spec fields, as ``{"annotation": {"overlap": 1500}}``) changed.

        A spec given as a mapping updates the card's spec field by field; a variant function is usually
        one call of this method.

        Example:
            >>> import zoo
            >>> zoo.card("phasenet").replace(annotation={"overlap": 500}).annotation.overlap
            500
        """
        for key, value in list(changes.items()):
            current = getattr(self, key)
            if isinstance(value, Mapping) and dataclasses.is_dataclass(current):
                changes[key] = dataclasses.replace(current, **value)
        return dataclasses.replace(self, **changes)


def choices(kind: str, given: str, valid: list[str]) -> str:
    """``"Valid <kind>: a, b, c. Did you mean 'b'?"`` for an error message."""
    close = difflib.get_close_matches(str(given).lower(), valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"Valid {kind}: {', '.join(sorted(valid)) or 'none'}.{hint}"
