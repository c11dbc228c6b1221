"""CRED's card variants: ``seisbench``, the card of a SeisBench CRED weight file.

SeisBench's CRED takes ``in_samples`` windows (3000) in ``component_order`` and puts out one
``Detection`` value per STFT frame after two stride-2 convolutions: 19 per 3000 samples, so the output
step is the fraction ``in_samples / outputs`` (3000/19 samples) and each window's outputs are placed
from the output sample nearest its start (halves to even). It removes each channel's mean and divides
by one unbiased std over all channels and samples plus 1e-10. Class defaults: overlap 1500 samples,
mean stacking, no blinding, detection threshold 0.5. See :mod:`zoo.models.seisbench_card`.

Example:
    >>> import zoo
    >>> from zoo.weight_presets import Variant
    >>> card = zoo.card("cred").with_variant(Variant("seisbench", {"model_args": {}}))
    >>> card.annotation.output_step, card.annotation.overlap
    (Fraction(3000, 19), 1500)
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from zoo.cards import ModelCard
from zoo.lazy import lazy
from zoo.models.seisbench_card import OPS, normalizer, seisbench_card, split_args

CLASS_DEFAULTS = {"overlap": 1500, "stacking": "avg", "detection_threshold": 0.5}
HOP = 40  # STFT hop in samples


def outputs_per_window(samples: int) -> int:
    """Output steps of SeisBench's CRED for ``samples``: STFT frames ``1 + samples // 40``, halved twice."""
    frames = 1 + samples // HOP
    half = (frames + 1) // 2
    return (half + 1) // 2


def seisbench(card: ModelCard, args: Mapping[str, Any]) -> ModelCard:
    """The card of a SeisBench CRED with ``{"model_args": ..., "default_args": ...}`` of its JSON."""
    margs, default_args = split_args(args, "CRED")
    samples = margs.positive_int("in_samples", 3000)
    step = Fraction(samples, outputs_per_window(samples))
    return seisbench_card(
        card,
        margs,
        default_args,
        CLASS_DEFAULTS,
        samples=samples,
        channels=margs.positive_int("in_channels", 3),
        labels=("Detection",),
        normalize=normalizer(scale="std", joint=True),
        postprocess=lazy(OPS, "curves"),
        pick_labels=(),
        detection_labels=("Detection",),
        output_step=step if step.denominator != 1 else int(step),
    )
