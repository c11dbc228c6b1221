"""GPD's card variants: ``seisbench``, the card of a SeisBench GPD weight file.

SeisBench's GPD classifies 400-sample windows in ``component_order`` every ``stride`` samples (10),
placing each value at the window's sample 200, into ``phases`` (``None``: labels ``0``, ``1``, ...)
and picks every label but ``N``; it removes each channel's mean and divides by the peak over all
channels and samples plus ``eps`` (1e-10). No filter unless ``filter_args`` asks for one (the
original GPD's causal band-pass is not applied). Threshold 0.7. See :mod:`zoo.models.seisbench_card`.

Example:
    >>> import zoo
    >>> from zoo.weight_presets import Variant
    >>> card = zoo.card("gpd").with_variant(Variant("seisbench", {"model_args": {"phases": "PSN"}}))
    >>> card.annotation.output_step, card.waveform.filter_stream, card.trigger.thresholds
    (10, None, {'P': 0.7, 'S': 0.7})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoo.cards import ModelCard
from zoo.lazy import lazy
from zoo.models.seisbench_card import normalizer, seisbench_card, split_args

CLASS_DEFAULTS = {"stride": 10, "*_threshold": 0.7}
SAMPLES = 400


def seisbench(card: ModelCard, args: Mapping[str, Any]) -> ModelCard:
    """The card of a SeisBench GPD with ``{"model_args": ..., "default_args": ...}`` of its JSON."""
    margs, default_args = split_args(args, "GPD")
    labels = margs.labels("phases", None, margs.positive_int("classes", 3))
    if margs.positive_int("pred_sample", SAMPLES // 2) != SAMPLES // 2:
        raise ValueError(
            f"GPD model_args pred_sample={margs.args['pred_sample']!r} is not supported: geozoo places a "
            f"point model's value at the window centre (sample {SAMPLES // 2})."
        )
    return seisbench_card(
        card,
        margs,
        default_args,
        CLASS_DEFAULTS,
        samples=SAMPLES,
        channels=margs.positive_int("in_channels", 3),
        labels=labels,
        normalize=normalizer(scale="peak", joint=True, eps=margs.positive_number("eps", 1e-10)),
        postprocess=lazy("zoo.models.gpd.preprocessing", "postprocess"),
        pick_labels=tuple(label for label in labels if label != "N"),
        point=True,
    )
