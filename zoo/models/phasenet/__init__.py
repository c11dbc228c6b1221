"""PhaseNet (Zhu & Beroza 2019): the original U-Net picker with the authors' published weights."""

from zoo.models.phasenet.convert import convert
from zoo.models.phasenet.model import build, fold_batch_norm
from zoo.models.phasenet.preprocessing import normalize, postprocess
from zoo.models.phasenet.presets import DEFAULT_PRESET, PRESETS
from zoo.registry import ModelCard, Preset, register

CARD = register(
    ModelCard(
        name="phasenet",
        task="picker",
        description="U-Net P/S picker on 30-s three-component windows (the original TF1 network).",
        citation="Zhu & Beroza (2019), Geophys. J. Int. 216, 261-273",
        build=build,
        convert=convert,
        presets={name: Preset.from_dict(name, entry) for name, entry in PRESETS.items()},
        default_preset=DEFAULT_PRESET,
        sampling_rate=100.0,
        input_samples=3000,
        components="ENZ",
        labels=("P", "S", "N"),
        normalize=normalize,
        postprocess=postprocess,
        overlap=1500,
        stacking="mean",
        blinding=(0, 0),
        pick_labels=("P", "S"),
        thresholds={"P": 0.3, "S": 0.3},
        display_name="PhaseNet",
        inference_model=fold_batch_norm,
        licence="MIT",
        layer_groups={"encoder": r"^(input|down)_", "decoder": r"^(up|output)_"},
    )
)
