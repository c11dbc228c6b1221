"""Adding a model touches only its folder: a toy model package, written to a temporary folder outside the zoo,
registers its card on import and runs through load, annotate, classify, save_preset (and back, with its
card variant) and export like the built-in models."""

from __future__ import annotations

import hashlib
import json
import runpy
import sys
import textwrap
import uuid

import numpy as np
import obspy
import pytest

import zoo
import zoo.registry
from zoo.cli import main

MODEL = '''
"""The toy picker: one 1x1 convolution and a softmax over (P, S, N)."""

import keras


def build(samples=400):
    inputs = keras.Input((samples, 3), name="waveform")
    logits = keras.layers.Conv1D(3, 1, name="head")(inputs)
    return keras.Model(inputs, keras.layers.Softmax(name="probabilities")(logits), name="toy")
'''

PREPROCESSING = '''
"""The toy picker's window normalisation (demean) and its (identity) output step."""

import tensorflow as tf


def normalize(x):
    x = tf.convert_to_tensor(x, tf.float32)
    return x - tf.reduce_mean(x, axis=1, keepdims=True)


def postprocess(outputs):
    return tf.convert_to_tensor(outputs)
'''

VARIANTS = '''
"""A card variant: another window length, overlap and threshold, from JSON-able arguments."""


def long_window(card, args):
    threshold = float(args["threshold"])
    return card.replace(
        waveform={"samples": int(args["samples"])},
        annotation={"overlap": int(args["overlap"])},
        trigger={"thresholds": {"P": threshold, "S": threshold}},
    )
'''

PRESETS = '''
"""The toy picker's presets (data only): one shipped weights file, used as is and with a card variant."""

CITATION = "Nobody, A. (2025). A toy picker. Journal of Tests 1, 1-2."
LICENCE = "MIT"
_FILE = {{"path": "weights/v1.weights.h5", "package": "{package}", "url": "", "sha256": "{sha256}", "size": {size}}}
PRESETS = {{
    "v1": {{"description": "Hand-set weights: P follows Z, S follows N.", "files": [_FILE]}},
    "v1-long": {{
        "description": "The same weights on 800-sample windows (card variant long).",
        "files": [_FILE],
        "config": {{"samples": 800}},
        "variant": {{"name": "long", "args": {{"samples": 800, "overlap": 400, "threshold": 0.2}}}},
    }},
}}
DEFAULT_PRESET = "v1"
'''

INIT = '''
"""{name}: a toy picker in its own package (card, model, preprocessing, presets, shipped weights)."""

from zoo.lazy import lazy, lazy_exports
from zoo.registry import AnnotationSpec, ModelCard, TriggerSpec, WaveformSpec, preset_table, register

from {package}.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS

CARD = register(
    ModelCard(
        name="{name}",
        task="picker",
        description="Toy picker for the template test.",
        citation=CITATION,
        licence=LICENCE,
        display_name="Toy",
        build=lazy("{package}.model", "build"),
        convert=lazy("zoo.weights", "load_keras_weights"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        waveform=WaveformSpec(100.0, 400, "ZNE", normalize=lazy("{package}.preprocessing", "normalize")),
        annotation=AnnotationSpec(("P", "S", "N"), lazy("{package}.preprocessing", "postprocess"), overlap=200),
        trigger=TriggerSpec(pick_labels=("P", "S"), thresholds={{"P": 0.5, "S": 0.5}}),
        variants={{"long": lazy("{package}.variants", "long_window")}},
    )
)

__getattr__, __dir__ = lazy_exports(__name__, {{"build": "{package}.model"}}, eager=["CARD"])
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy package written, imported and registered (registry and ``sys.modules`` restored afterwards)."""
    package = f"toy_zoo_{uuid.uuid4().hex[:8]}"
    name = package.replace("_", "-")
    folder = tmp_path / package
    (folder / "weights").mkdir(parents=True)
    for file, text in (("model.py", MODEL), ("preprocessing.py", PREPROCESSING), ("variants.py", VARIANTS)):
        (folder / file).write_text(textwrap.dedent(text))
    network = runpy.run_path(str(folder / "model.py"))["build"]()
    kernel = np.zeros((1, 3, 3), np.float32)
    kernel[0, 0, 0] = kernel[0, 1, 1] = 0.05  # P logit from Z, S logit from N (components Z, N, E)
    network.get_layer("head").set_weights([kernel, np.array([0.0, 0.0, 3.0], np.float32)])
    weights = folder / "weights" / "v1.weights.h5"
    network.save_weights(weights)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    presets = PRESETS.format(package=package, sha256=digest, size=weights.stat().st_size)
    (folder / "presets.py").write_text(textwrap.dedent(presets))
    (folder / "__init__.py").write_text(textwrap.dedent(INIT.format(package=package, name=name)))
    zoo.list_models()  # the built-in cards registered first, so the copy below holds them all
    monkeypatch.setattr(zoo.registry, "_REGISTRY", dict(zoo.registry._REGISTRY))
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__(package)
    yield name
    for module in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[module]


def _event(seconds: float = 20.0) -> obspy.Stream:
    """Noise on Z, N, E at 100 Hz with a spike on Z at 5 s and on N at 12 s."""
    rng = np.random.default_rng(0)
    n = int(seconds * 100)
    data = {c: rng.normal(0, 1, n) for c in "ZNE"}
    data["Z"][500] = data["N"][1200] = 400.0
    header = {
        "network": "XX",
        "station": "TOY",
        "sampling_rate": 100.0,
        "starttime": obspy.UTCDateTime(2020, 1, 1),
    }
    return obspy.Stream([obspy.Trace(data[c], {**header, "channel": f"HH{c}"}) for c in "ZNE"])


def test_a_model_in_its_own_package_runs_everywhere(toy, tmp_path):
    assert toy in zoo.list_models() and zoo.card(toy).takes_waveforms
    model = zoo.load(toy)
    assert model.zoo_preset == "v1" and model.zoo_variant is None
    annotations = zoo.annotate(model, _event())
    assert sorted(tr.stats.channel for tr in annotations) == ["Toy_N", "Toy_P", "Toy_S"]
    picks = zoo.classify(model, _event())
    t0 = obspy.UTCDateTime(2020, 1, 1)
    assert [(p.phase, p.time - t0, p.channel) for p in picks] == [("P", 5.0, "HHZ"), ("S", 12.0, "HHN")]
    folder = zoo.save_preset(model, tmp_path / "saved")
    again = zoo.load(str(folder))
    assert again.zoo_card is zoo.card(toy) and zoo.classify(again, _event()) == picks
    served = zoo.export(model, tmp_path / "serving", version=1)
    info = json.loads((served / "assets.extra" / "zoo_model.json").read_text())
    assert (info["model"], info["input_samples"], info["variant"]) == (toy, 400, None)


def test_a_card_variant_follows_the_model_through_save_and_export(toy, tmp_path, capsys):
    model = zoo.load(toy, pretrained="v1-long")
    card = model.zoo_card
    assert (card.waveform.samples, card.annotation.overlap, card.trigger.thresholds) == (
        800,
        400,
        {"P": 0.2, "S": 0.2},
    )
    assert zoo.card(toy).waveform.samples == 400  # the registered card is unchanged
    assert model.zoo_variant.to_dict() == {
        "name": "long",
        "args": {"samples": 800, "overlap": 400, "threshold": 0.2},
    }
    assert model.input_shape == (None, 800, 3)
    picks = zoo.classify(model, _event())
    assert [p.phase for p in picks] == ["P", "S"]
    folder = zoo.save_preset(model, tmp_path / "long")
    assert json.loads((folder / "config.json").read_text())["variant"] == model.zoo_variant.to_dict()
    again = zoo.load(str(folder))
    assert again.zoo_card == card and again.zoo_variant == model.zoo_variant
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "input: 800 samples x ZNE at 100 Hz" in out and "card variant: {'name': 'long'" in out
    assert zoo.classify(again, _event()) == picks
    served = zoo.export(again, tmp_path / "serving", version=1)
    info = json.loads((served / "assets.extra" / "zoo_model.json").read_text())
    assert (info["input_samples"], info["overlap_samples"], info["variant"]["name"]) == (800, 400, "long")


def test_variants_are_checked(toy):
    from zoo.registry import Preset, Variant

    card = zoo.card(toy)
    with pytest.raises(ValueError, match="no card variant 'wide'; its variants: long"):
        card.with_variant(Variant("wide"))
    with pytest.raises(TypeError, match="JSON-able"):
        Variant.from_dict({"name": "long", "args": {"samples": object()}})
    with pytest.raises(TypeError, match='"name"'):
        Preset.from_dict("x", {"description": "", "files": [], "variant": "long"})
    bad = card.replace(
        presets={"v1": Preset.from_dict("v1", {"description": "", "files": [], "variant": {"name": "wide"}})}
    )
    with pytest.raises(ValueError, match="unknown card variant 'wide'"):
        bad.check()
