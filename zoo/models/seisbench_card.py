"""The ``seisbench`` card variant: a model card derived from a SeisBench weight file's JSON (no TensorFlow).

A SeisBench model annotates with settings that are not the original model's: the window of its
constructor (``in_samples``), ``component_order``, ``sampling_rate``, its labels in the order of
``phases``, its own normalisation (:mod:`zoo.models.seisbench_ops`), and the annotate arguments
``default_args`` of the file over the class defaults (``overlap``, ``stacking``, ``blinding``,
``stride``, ``*_threshold``). SeisBench blinds every window, drops the blinded segment ends, skips
segments shorter than a window, switches a trigger off at half its threshold and has none of the
original models' extras (minimum trigger length, picks inside detections). Each model folder's
``variants.py`` reads its model's ``model_args`` and calls :func:`seisbench_card`.

The variant's arguments are ``{"model_args": {...}, "default_args": {...}}`` from the JSON, as
:func:`zoo.convert_seisbench` writes them into the preset folder's ``config.json``.

Example:
    >>> import zoo
    >>> from zoo.weight_presets import Variant
    >>> card = zoo.card("phasenet").with_variant(Variant("seisbench", {"model_args": {"phases": "PSN"}}))
    >>> card.waveform.samples, card.waveform.components, card.annotation.labels, card.trigger.pick_labels
    (3001, 'ZNE', ('P', 'S', 'N'), ('P', 'S'))
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from zoo.cards import ModelCard, TriggerSpec
from zoo.lazy import lazy
from zoo.models.seisbench_args import ModelArgs

OPS = "zoo.models.seisbench_ops"
STACKING = {"avg": "mean", "max": "max"}
# SeisBench's WaveformModel._annotate_args defaults that matter here (a class overrides some).
BASE_DEFAULTS = {"overlap": 0, "stacking": "avg", "stride": 1, "blinding": (0, 0)}


def split_args(args: Mapping[str, Any], model: str) -> tuple[ModelArgs, dict[str, Any]]:
    """``(model_args, default_args)`` of the variant's arguments, ``model_args`` with typed access.

    Raises:
        ValueError: an argument other than ``model_args`` and ``default_args``, or one that is not a
            JSON object.
    """
    unknown = sorted(set(args) - {"model_args", "default_args"})
    if unknown:
        raise ValueError(f"The seisbench card variant takes model_args and default_args, not {unknown}.")
    model_args = args.get("model_args") or {}
    default_args = args.get("default_args") or {}
    if not isinstance(default_args, Mapping):
        raise ValueError(f"{model} default_args must be a JSON object, got {default_args!r}.")
    return ModelArgs(model_args, model, set(model_args) if isinstance(model_args, Mapping) else ()), dict(
        default_args
    )


def peak_scaled(margs: ModelArgs) -> bool:
    """SeisBench's rule for PhaseNet and EQTransformer: scale by the peak with ``norm="peak"`` or
    ``norm_amp_per_comp``, else by the standard deviation (``norm="std"``, the default)."""
    return margs.flag("norm_amp_per_comp") or margs.choice("norm", "std", ("std", "peak")) == "peak"


def normalizer(**options: Any) -> Callable[[Any], Any]:
    """SeisBench's normalisation with ``options`` (see :func:`zoo.models.seisbench_ops.normalize`)."""
    return functools.partial(lazy(OPS, "normalize"), **options)


def filter_stream(stream: Any, args: list, kwargs: dict) -> Any:
    """``stream.filter(*args, **kwargs)`` on a float64 copy (SeisBench's ``filter_args``/``filter_kwargs``)."""
    out = stream.copy()
    for trace in out:
        trace.data = trace.data.astype("float64")
    out.filter(*args, **kwargs)
    return out


def _filter(margs: ModelArgs) -> Callable[[Any], Any] | None:
    args, kwargs = margs.args.get("filter_args"), margs.args.get("filter_kwargs")
    if args is None and kwargs is None:
        return None
    if not isinstance(args or [], list) or not isinstance(kwargs or {}, Mapping):
        raise ValueError(
            f"{margs.model} model_args filter_args={args!r}, filter_kwargs={kwargs!r} are not supported: "
            "geozoo applies one filter to every channel (a list of arguments and an object of keywords)."
        )
    return functools.partial(filter_stream, args=list(args or []), kwargs=dict(kwargs or {}))


def _overlap(value: Any, samples: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"SeisBench overlap={value!r} is not supported; expected samples or a fraction.")
    overlap = int(value * samples) if value < 1 else value
    if overlap != int(overlap) or overlap >= samples:
        raise ValueError(f"SeisBench overlap={value!r} is not a whole number of samples below {samples}.")
    return int(overlap)


def seisbench_card(
    card: ModelCard,
    margs: ModelArgs,
    default_args: Mapping[str, Any],
    class_defaults: Mapping[str, Any],
    *,
    samples: int,
    channels: int,
    labels: tuple[str, ...],
    normalize: Callable[[Any], Any],
    postprocess: Callable[[Any], Any],
    pick_labels: tuple[str, ...],
    detection_labels: tuple[str, ...] = (),
    output_step: int | Fraction = 1,
    point: bool = False,
) -> ModelCard:
    """The card of a SeisBench model: ``card`` with SeisBench's window, labels, annotate and trigger rules.

    Args:
        card: The model's registered card.
        margs: The file's ``model_args``; ``default_args``: its annotate arguments; ``class_defaults``:
            the SeisBench class's ``_annotate_args`` defaults (``overlap``, ``stacking``, ``blinding``,
            ``stride``, ``*_threshold``, ``detection_threshold``), over :data:`BASE_DEFAULTS`.
        samples: Window length in samples; ``channels``: input channels; ``labels``: output labels in
            order; ``normalize``/``postprocess``: TensorFlow functions of the window and the outputs.
        pick_labels, detection_labels: The labels SeisBench's ``classify`` triggers on.
        output_step: Input samples per output sample (sequence models).
        point: One output per window (GPD), every ``stride`` samples.
    """
    argdict = {**BASE_DEFAULTS, **class_defaults, **default_args}
    stacking = argdict["stacking"]
    if stacking not in STACKING:
        raise ValueError(f"SeisBench stacking={stacking!r} is not supported; expected 'avg' or 'max'.")
    blinding = argdict["blinding"]
    if (
        not isinstance(blinding, (list, tuple))
        or len(blinding) != 2
        or not all(isinstance(b, int) for b in blinding)
    ):
        raise ValueError(f"SeisBench blinding={blinding!r} is not supported; expected two sample counts.")
    if point:
        stride = argdict["stride"]
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError(f"SeisBench stride={stride!r} is not supported; expected a positive integer.")
        output_step, overlap = stride, max(0, samples - stride)
    else:
        overlap = _overlap(argdict["overlap"], samples)
    thresholds = {
        label: float(argdict.get(f"{label}_threshold", argdict.get("*_threshold"))) for label in pick_labels
    }
    thresholds.update({label: float(argdict["detection_threshold"]) for label in detection_labels})
    return card.replace(
        waveform={
            "sampling_rate": margs.positive_number("sampling_rate", 100),
            "samples": samples,
            "components": margs.components(channels),
            "normalize": normalize,
            "compile_normalize": False,
            "filter_stream": _filter(margs),
        },
        annotation={
            "labels": labels,
            "postprocess": postprocess,
            "output_step": output_step,
            "output_kind": "point" if point else "sequence",
            "overlap": overlap,
            "stacking": STACKING[stacking],
            "blinding": tuple(blinding),
            "segment_ends": "drop",
            "short_segments": "skip",
        },
        trigger=TriggerSpec(
            pick_labels=pick_labels,
            detection_labels=detection_labels,
            thresholds=thresholds,
            off_fraction=0.5,
        ),
    )
