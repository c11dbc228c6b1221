"""EQTransformer (Mousavi et al., 2020): registers the model card and its presets.

Picks follow the original picker's association: detections shorter than 10 samples are dropped, and each
detection keeps the most probable P and the most probable S between 1 s (100 samples) before its start
and its end; picks outside every detection are dropped, and so are detections without a pick (the original
``mseed_predictor`` writes only detections with a P or an S). (The original also requires P before S - 10
samples; not applied here.)

Everything for inference is importable from here (TensorFlow is imported on first use): ``build``
(:mod:`.model`), ``normalize``, ``postprocess``, ``validate_window`` (:mod:`.preprocessing`) and
``mc_dropout`` (:mod:`.layers`).

Example:
    >>> import zoo
    >>> zoo.card("eqtransformer").annotation.labels
    ('Detection', 'P', 'S')
"""

from __future__ import annotations

from zoo.lazy import lazy, lazy_exports
from zoo.models.eqtransformer.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS
from zoo.registry import (
    AnnotationSpec,
    ModelCard,
    TrainingSpec,
    TriggerSpec,
    WaveformSpec,
    preset_table,
    register,
)

_MODEL = "zoo.models.eqtransformer.model"
_PREPROCESSING = "zoo.models.eqtransformer.preprocessing"
_LAYERS = "zoo.models.eqtransformer.layers"

CARD = register(
    ModelCard(
        name="eqtransformer",
        task="picker",
        description="Earthquake detection and P/S picking with an attentive encoder-decoder on 60-s windows.",
        citation=CITATION,
        licence=LICENCE,
        display_name="EQTransformer",
        build=lazy(_MODEL, "build"),
        convert=lazy("zoo.models.eqtransformer.convert", "convert"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        waveform=WaveformSpec(
            sampling_rate=100.0, samples=6000, components="ENZ", normalize=lazy(_PREPROCESSING, "normalize")
        ),
        annotation=AnnotationSpec(
            labels=("Detection", "P", "S"),
            postprocess=lazy(_PREPROCESSING, "postprocess"),
            output_step=1,
            output_kind="sequence",
            overlap=3000,
            stacking="max",
            blinding=(500, 500),
            mc_dropout=lazy(_LAYERS, "mc_dropout"),
            inference_model=lazy("zoo.models.eqtransformer.inference", "inference_model"),
        ),
        trigger=TriggerSpec(
            pick_labels=("P", "S"),
            detection_labels=("Detection",),
            thresholds={"P": 0.1, "S": 0.1, "Detection": 0.3},
            min_samples={"Detection": 10},
            picks_within_detections=1.0,
            detections_need_picks=True,
        ),
        training=TrainingSpec(
            recipe="zoo.train.pickers",
            layer_groups={
                "encoder": r"^(conv1d_([1-9]|1\d|2[0-3])$|batch_normalization_|bidirectional_|attentionD|add_|"
                r"layer_normalization_|feed_forward_|spatial_dropout1d_|max_pooling1d_|activation_)",
                "decoder": r"^(lstm_|attentionP|attentionS|up_sampling1d_|cropping1d_|conv1d_(2[4-9]|[34]\d)$|"
                r"detector|picker_)",
            },
        ),
        variants={"seisbench": lazy("zoo.models.eqtransformer.variants", "seisbench")},
    )
)

__all__ = ["CARD", "build", "mc_dropout", "normalize", "postprocess", "validate_window"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "build": _MODEL,
        "mc_dropout": _LAYERS,
        "normalize": _PREPROCESSING,
        "postprocess": _PREPROCESSING,
        "validate_window": _PREPROCESSING,
    },
    eager=["CARD"],
)
