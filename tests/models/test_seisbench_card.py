"""The seisbench card variant: SeisBench's window, labels, annotate and trigger settings from a file's JSON."""

from fractions import Fraction

import pytest

import zoo
from zoo.weight_presets import Variant


def _card(name, model_args=None, default_args=None):
    args = {"model_args": model_args or {}, "default_args": default_args or {}}
    return zoo.card(name).with_variant(Variant("seisbench", args))


def test_class_defaults_of_the_four_models():
    phasenet, eqt, gpd, cred = (_card(n) for n in ("phasenet", "eqtransformer", "gpd", "cred"))
    assert (phasenet.waveform.samples, phasenet.annotation.labels) == (3001, ("N", "P", "S"))
    assert (phasenet.annotation.overlap, phasenet.annotation.stacking) == (1500, "mean")
    assert eqt.annotation.labels == ("Detection", "P", "S") and eqt.annotation.stacking == "max"
    assert dict(eqt.trigger.thresholds) == {"P": 0.1, "S": 0.1, "Detection": 0.3}
    assert eqt.trigger.min_trigger("Detection") == 1 and eqt.trigger.picks_within_detections is None
    assert gpd.annotation.labels == ("0", "1", "2") and gpd.trigger.pick_labels == ("0", "1", "2")
    assert (gpd.annotation.output_step, gpd.annotation.output_kind, gpd.waveform.filter_stream) == (
        10,
        "point",
        None,
    )
    assert cred.annotation.output_step == Fraction(3000, 19) and dict(cred.trigger.thresholds) == {
        "Detection": 0.5
    }
    assert _card("cred", {"in_samples": 6000}).annotation.output_step == Fraction(6000, 38)
    for card in (phasenet, eqt, gpd, cred):
        assert card.waveform.components == "ZNE" and card.trigger.off_fraction == 0.5
        assert (card.annotation.segment_ends, card.annotation.short_segments) == ("drop", "skip")


def test_default_args_override_the_class_defaults():
    card = _card(
        "phasenet",
        {"phases": "PSN", "component_order": "ENZ", "sampling_rate": 50},
        {"overlap": 0.25, "stacking": "max", "blinding": [100, 200], "P_threshold": 0.5},
    )
    assert card.annotation.labels == ("P", "S", "N") and card.trigger.pick_labels == ("P", "S")
    assert (card.waveform.components, card.waveform.sampling_rate) == ("ENZ", 50.0)
    assert (card.annotation.overlap, card.annotation.stacking, card.annotation.blinding) == (
        750,
        "max",
        (100, 200),
    )
    assert dict(card.trigger.thresholds) == {"P": 0.5, "S": 0.3}
    assert _card("gpd", default_args={"stride": 5}).annotation.output_step == 5


def test_a_filter_is_applied_to_a_copy():
    import obspy

    card = _card("eqtransformer", {"filter_args": ["highpass"], "filter_kwargs": {"freq": 1.0}})
    stream = obspy.read()
    filtered = card.waveform.filter_stream(stream)
    assert filtered[0].stats.processing[-1].startswith("ObsPy") and not stream[0].stats.get("processing")


@pytest.mark.parametrize(
    ("name", "model_args", "default_args", "message"),
    [
        ("eqtransformer", {}, {"stacking": "sum"}, "stacking='sum' is not supported"),
        ("cred", {}, {"overlap": -1}, "overlap=-1 is not supported"),
        ("gpd", {"pred_sample": 100}, {}, "pred_sample=100 is not supported"),
        ("gpd", {}, {"stride": 0}, "stride=0 is not supported"),
        ("phasenet", {"filter_args": {"Z": ["highpass"]}}, {}, "one filter to every channel"),
        ("phasenet", {"component_order": "ZN"}, {}, "component_order='ZN' is not supported"),
    ],
)
def test_unsupported_settings_are_named(name, model_args, default_args, message):
    with pytest.raises(ValueError, match=message):
        _card(name, model_args, default_args)
    with pytest.raises(ValueError, match="takes model_args and default_args"):
        zoo.card(name).with_variant(Variant("seisbench", {"model_arg": {}}))
