"""EQTransformer (Mousavi et al., 2020): registers the model card and its presets.

Picks follow the original picker's association: detections shorter than 10 samples are dropped, and each
detection keeps the most probable P and the most probable S between 1 s (100 samples) before its start
and its end; picks outside every detection are dropped, and so are detections without a pick (the original
``mseed_predictor`` writes only detections with a P or an S). (The original also requires P before S - 10
samples; not applied here.)

Example:
    >>> import zoo.registry
    >>> zoo.registry.card("eqtransformer").labels
    ('Detection', 'P', 'S')
"""

from zoo.models.eqtransformer.convert import convert
from zoo.models.eqtransformer.layers import mc_dropout
from zoo.models.eqtransformer.model import build, normalize, postprocess, validate_window
from zoo.models.eqtransformer.presets import DEFAULT_PRESET, PRESETS
from zoo.registry import ModelCard, Preset, register

CARD = register(
    ModelCard(
        name="eqtransformer",
        task="picker",
        description="Earthquake detection and P/S picking with an attentive encoder-decoder on 60-s windows.",
        citation="Mousavi et al. (2020), Nat. Commun. 11, 3952",
        build=build,
        convert=convert,
        presets={name: Preset.from_dict(name, entry) for name, entry in PRESETS.items()},
        default_preset=DEFAULT_PRESET,
        sampling_rate=100.0,
        input_samples=6000,
        components="ENZ",
        labels=("Detection", "P", "S"),
        normalize=normalize,
        postprocess=postprocess,
        output_step=1,
        output_kind="sequence",
        overlap=3000,
        stacking="max",
        blinding=(500, 500),
        pick_labels=("P", "S"),
        detection_labels=("Detection",),
        thresholds={"P": 0.1, "S": 0.1, "Detection": 0.3},
        display_name="EQTransformer",
        licence="MIT",
        min_trigger_samples={"Detection": 10},
        picks_within_detections=1.0,
        layer_groups={
            "encoder": r"^(conv1d_([1-9]|1\d|2[0-3])$|batch_normalization_|bidirectional_|attentionD|add_|"
            r"layer_normalization_|feed_forward_|spatial_dropout1d_|max_pooling1d_|activation_)",
            "decoder": r"^(lstm_|attentionP|attentionS|up_sampling1d_|cropping1d_|conv1d_(2[4-9]|[34]\d)$|"
            r"detector|picker_)",
        },
        mc_dropout=mc_dropout,
    )
)

__all__ = ["CARD", "build", "convert", "mc_dropout", "normalize", "postprocess", "validate_window"]
