"""EQTransformer's card variants: ``seisbench``, the card of a SeisBench EQTransformer weight file.

SeisBench's EQTransformer takes ``in_samples`` windows (6000) in ``component_order`` and puts out
``Detection`` and ``phases`` (``"PS"``); it removes each channel's mean (and trend with
``norm_detrend``), divides by one unbiased std over all channels and samples (``norm="std"``) or by
each channel's peak (``norm="peak"`` or ``norm_amp_per_comp``) plus 1e-10, and tapers 6 samples at
each end. Class defaults: overlap 3000 samples, max stacking, blinding 500 samples at each end of
every window, pick thresholds 0.1, detection threshold 0.3. See :mod:`zoo.models.seisbench_card`.

Example:
    >>> import zoo
    >>> from zoo.weight_presets import Variant
    >>> card = zoo.card("eqtransformer").with_variant(Variant("seisbench", {"model_args": {}}))
    >>> card.annotation.stacking, card.annotation.blinding, card.annotation.segment_ends
    ('max', (500, 500), 'drop')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoo.cards import ModelCard
from zoo.lazy import lazy
from zoo.models.seisbench_card import normalizer, peak_scaled, seisbench_card, split_args

CLASS_DEFAULTS = {
    "overlap": 3000,
    "stacking": "max",
    "blinding": (500, 500),
    "*_threshold": 0.1,
    "detection_threshold": 0.3,
}


def seisbench(card: ModelCard, args: Mapping[str, Any]) -> ModelCard:
    """The card of a SeisBench EQTransformer with ``{"model_args": ..., "default_args": ...}`` of its JSON."""
    margs, default_args = split_args(args, "EQTransformer")
    phases = margs.labels("phases", "PS", margs.positive_int("classes", 2))
    per_peak = peak_scaled(margs)
    return seisbench_card(
        card,
        margs,
        default_args,
        CLASS_DEFAULTS,
        samples=margs.positive_int("in_samples", 6000),
        channels=margs.positive_int("in_channels", 3),
        labels=("Detection", *phases),
        normalize=normalizer(
            scale="peak" if per_peak else "std", joint=not per_peak, trend=margs.flag("norm_detrend"), taper=6
        ),
        postprocess=lazy("zoo.models.eqtransformer.preprocessing", "postprocess"),
        pick_labels=phases,
        detection_labels=("Detection",),
    )
