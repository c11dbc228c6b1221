"""MAX: masked autoencoder on XRF core-scanner spectra (Lee et al. 2024), and its CaCO3/TOC regressor.

Two cards:

- ``max`` (task ``"autoencoder"``): :class:`~zoo.models.max.model.MaskedSpectrumAutoencoder`, input
  ``[batch, 2048, 1]`` counts per detector channel; ``build(arch="max-small" | "max-large")``.
- ``max-regressor`` (task ``"regressor"``): the same encoder with a head predicting CaCO3 and TOC
  in wt% (``mode="finetune"`` or ``"linear_probe"``).

Spectra are not seismic streams: the cards have no waveform spec and ``zoo.annotate`` refuses them;
call the network on spectra directly. Both cards' default preset ``synthetic-v1`` was trained on
SYNTHETIC spectra (``zoo.synth.xrf``) and ships inside this folder (``weights/``). Everything for
inference is importable from here (TensorFlow is imported on first use): ``build``,
``build_regressor``, ``transfer_encoder``, ``MaskedSpectrumAutoencoder``, ``SpectrumRegressor``
(:mod:`.model`).

Example:
    >>> import zoo
    >>> zoo.card("max").task, zoo.card("max-regressor").preset().config["targets"]
    ('autoencoder', ['caco3', 'toc'])
"""

from __future__ import annotations

from zoo.lazy import lazy, lazy_exports
from zoo.models.max.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS, REGRESSOR_PRESETS
from zoo.registry import ModelCard, TrainingSpec, preset_table, register

_MODEL = "zoo.models.max.model"

CARD = register(
    ModelCard(
        name="max",
        task="autoencoder",
        description="MAX: 1-D ViT masked autoencoder on 2048-channel XRF core-scanner spectra.",
        citation=CITATION,
        licence=LICENCE,
        display_name="MAX",
        build=lazy(_MODEL, "build"),
        convert=lazy("zoo.models.max.convert", "convert"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        training=TrainingSpec(recipe="zoo.train.max"),
    )
)

REGRESSOR_CARD = register(
    ModelCard(
        name="max-regressor",
        task="regressor",
        description="MAX encoder + regression head: CaCO3 and TOC (wt%) from XRF core-scanner spectra.",
        citation=CITATION,
        licence=LICENCE,
        display_name="MAX",
        build=lazy(_MODEL, "build_regressor"),
        convert=lazy("zoo.models.max.convert", "convert"),
        presets=preset_table(REGRESSOR_PRESETS),
        default_preset=DEFAULT_PRESET,
    )
)

__all__ = [
    "CARD",
    "REGRESSOR_CARD",
    "MaskedSpectrumAutoencoder",
    "SpectrumRegressor",
    "build",
    "build_regressor",
    "transfer_encoder",
]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        name: _MODEL
        for name in (
            "MaskedSpectrumAutoencoder",
            "SpectrumRegressor",
            "build",
            "build_regressor",
            "transfer_encoder",
        )
    },
    eager=["CARD", "REGRESSOR_CARD"],
)
