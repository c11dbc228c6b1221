"""PhaseNet (Zhu & Beroza 2019): the original U-Net picker with the authors' published weights.

Everything for inference is importable from here (TensorFlow is imported on first use): ``build``,
``fold_batch_norm`` (:mod:`.model`), ``normalize`` and ``postprocess`` (:mod:`.preprocessing`).

Example:
    >>> import zoo
    >>> zoo.card("phasenet").annotation.labels
    ('P', 'S', 'N')
"""

from __future__ import annotations

from zoo.lazy import lazy, lazy_exports
from zoo.models.phasenet.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS
from zoo.registry import (
    AnnotationSpec,
    ModelCard,
    TrainingSpec,
    TriggerSpec,
    WaveformSpec,
    preset_table,
    register,
)

_MODEL = "zoo.models.phasenet.model"
_PREPROCESSING = "zoo.models.phasenet.preprocessing"

CARD = register(
    ModelCard(
        name="phasenet",
        task="picker",
        description="U-Net P/S picker on 30-s three-component windows (the original TF1 network).",
        citation=CITATION,
        licence=LICENCE,
        display_name="PhaseNet",
        build=lazy(_MODEL, "build"),
        convert=lazy("zoo.models.phasenet.convert", "convert"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        waveform=WaveformSpec(
            sampling_rate=100.0,
            samples=3000,
            components="ENZ",
            normalize=lazy(_PREPROCESSING, "normalize"),
            compile_normalize=True,
        ),
        annotation=AnnotationSpec(
            labels=("P", "S", "N"),
            postprocess=lazy(_PREPROCESSING, "postprocess"),
            overlap=1500,
            stacking="mean",
            inference_model=lazy("zoo.models.phasenet.inference", "inference_model"),
            float32_layers=(
                *("input_conv", "down_conv1_1", "up_conv0_1", "up_conv1_1"),  # 3000 samples
                *("down_conv3_1", "down_conv1_2", "up_conv0_2", "up_conv1_2"),  # 750 samples
            ),
        ),
        trigger=TriggerSpec(pick_labels=("P", "S"), thresholds={"P": 0.3, "S": 0.3}),
        training=TrainingSpec(
            recipe="zoo.train.pickers",
            layer_groups={"encoder": r"^(input|down)_", "decoder": r"^(up|output)_"},
        ),
        variants={"seisbench": lazy("zoo.models.phasenet.variants", "seisbench")},
    )
)


__all__ = ["CARD", "build", "fold_batch_norm", "normalize", "postprocess"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {"build": _MODEL, "fold_batch_norm": _MODEL, "normalize": _PREPROCESSING, "postprocess": _PREPROCESSING},
    eager=["CARD"],
)
