"""PhaseNet's card variants: ``seisbench``, the card of a SeisBench PhaseNet weight file.

SeisBench's PhaseNet takes 3001-sample windows in ``component_order``, puts out ``phases`` in their
order (``"NPS"`` by default) and picks every label but ``N``; it removes each channel's mean
(and trend with ``norm_detrend``) and divides each channel by its unbiased std (``norm="std"``) or
peak (``norm="peak"`` or ``norm_amp_per_comp``) plus 1e-10. Class defaults: overlap 1500 samples,
mean stacking, no blinding, thresholds 0.3. See :mod:`zoo.models.seisbench_card`.

Example:
    >>> import zoo
    >>> from zoo.weight_presets import Variant
    >>> card = zoo.card("phasenet").with_variant(Variant("seisbench", {"model_args": {}}))
    >>> card.annotation.labels, card.annotation.overlap, card.trigger.thresholds
    (('N', 'P', 'S'), 1500, {'P': 0.3, 'S': 0.3})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoo.cards import ModelCard
from zoo.lazy import lazy
from zoo.models.seisbench_card import OPS, normalizer, peak_scaled, seisbench_card, split_args

CLASS_DEFAULTS = {"overlap": 1500, "stacking": "avg", "blinding": (0, 0), "*_threshold": 0.3}


def seisbench(card: ModelCard, args: Mapping[str, Any]) -> ModelCard:
    """The card of a SeisBench PhaseNet with ``{"model_args": ..., "default_args": ...}`` of its JSON."""
    margs, default_args = split_args(args, "PhaseNet")
    channels, classes = margs.positive_int("in_channels", 3), margs.positive_int("classes", 3)
    labels = margs.labels("phases", "NPS", classes)
    per_peak = peak_scaled(margs)
    return seisbench_card(
        card,
        margs,
        default_args,
        CLASS_DEFAULTS,
        samples=3001,
        channels=channels,
        labels=labels,
        normalize=normalizer(scale="peak" if per_peak else "std", trend=margs.flag("norm_detrend")),
        postprocess=lazy(OPS, "curves"),
        pick_labels=tuple(label for label in labels if label != "N"),
    )
