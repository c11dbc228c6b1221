"""GPD, Generalized Phase Detection (Ross et al. 2018): a CNN that labels 4-s windows as P, S or noise.

Card facts:

- Input: 400 samples (4 s) at 100 Hz, components N, E, Z (GPD's order).
- ``filter_stream``: the original per-trace preprocessing of ``gpd_predict.py``: linear detrend,
  then ObsPy's Butterworth band-pass 3-20 Hz, 4 corners, causal (``zerophase=False``), on a copy.
- ``normalize``: each window divided by its maximum absolute value over all samples and channels
  (an all-zero window is left as zeros).
- Output: one probability triple per window (``output_kind="point"``) in the network's class order
  P, S, noise (labels ``P``, ``S``, ``N``), placed at the window centre; ``output_step`` is the
  default stride of 10 samples (0.1 s), so consecutive windows overlap by 390 samples.
- Pick thresholds 0.95 for P and S (the original's). The original picker (``gpd_predict.py``)
  triggers on at 0.95 and off at 0.1 (ObsPy ``trigger_onset``), drops one-sample triggers and picks
  the maximum inside each trigger; the card states the same rule (``off_thresholds`` 0.1,
  ``min_samples`` 2), so ``zoo.classify`` reproduces the original picks.
- ``inference_model``: batch norm folded into the convolution and dense layers, the convolutions
  rewritten for oneDNN (:mod:`zoo.models.gpd.inference`); ``zoo.annotate`` and exports run it.

Everything for inference is importable from here (TensorFlow is imported on first use): ``build``
(:mod:`.model`), ``filter_stream``, ``normalize`` and ``postprocess`` (:mod:`.preprocessing`).

Example:
    >>> import zoo
    >>> zoo.card("gpd").waveform.components
    'NEZ'
"""

from __future__ import annotations

from zoo.lazy import lazy, lazy_exports
from zoo.models.gpd.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS
from zoo.registry import (
    AnnotationSpec,
    ModelCard,
    TriggerSpec,
    WaveformSpec,
    preset_table,
    register,
)

_MODEL = "zoo.models.gpd.model"
_PREPROCESSING = "zoo.models.gpd.preprocessing"

CARD = register(
    ModelCard(
        name="gpd",
        task="picker",
        description="GPD: CNN that classifies 4-s, 3-component windows at 100 Hz as P, S or noise.",
        citation=CITATION,
        licence=LICENCE,
        display_name="GPD",
        build=lazy(_MODEL, "build"),
        convert=lazy("zoo.models.gpd.convert", "convert"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        waveform=WaveformSpec(
            sampling_rate=100.0,
            samples=400,
            components="NEZ",
            normalize=lazy(_PREPROCESSING, "normalize"),
            filter_stream=lazy(_PREPROCESSING, "filter_stream"),
        ),
        annotation=AnnotationSpec(
            labels=("P", "S", "N"),
            postprocess=lazy(_PREPROCESSING, "postprocess"),
            output_step=10,
            output_kind="point",
            overlap=390,
            stacking="mean",
            inference_model=lazy("zoo.models.gpd.inference", "inference_model"),
        ),
        trigger=TriggerSpec(
            pick_labels=("P", "S"),
            thresholds={"P": 0.95, "S": 0.95},
            off_thresholds={"P": 0.1, "S": 0.1},
            min_samples=2,
        ),
        variants={"seisbench": lazy("zoo.models.gpd.variants", "seisbench")},
    )
)

__all__ = ["CARD", "build", "filter_stream", "normalize", "postprocess"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "build": _MODEL,
        "filter_stream": _PREPROCESSING,
        "normalize": _PREPROCESSING,
        "postprocess": _PREPROCESSING,
    },
    eager=["CARD"],
)
