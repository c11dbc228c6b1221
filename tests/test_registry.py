"""Registry: model names, cards, presets and their look-ups; data only (no other zoo module imported)."""

import ast
from pathlib import Path

import pytest

import zoo
import zoo.registry
from zoo.registry import card_of, waveform_card


def test_list_models_has_phasenet_with_card_facts():
    assert "phasenet" in zoo.list_models()
    card = zoo.card("PhaseNet")
    assert (card.waveform.samples, card.waveform.sampling_rate, card.waveform.components) == (
        3000,
        100.0,
        "ENZ",
    )
    assert list(zoo.presets("phasenet")) == ["original"]


def test_unknown_model_lists_valid_names_and_closest_match():
    with pytest.raises(ValueError, match=r"Unknown model 'phasenett'.*phasenet.*Did you mean 'phasenet'"):
        zoo.load("phasenett")


def test_card_of_rejects_plain_keras_models():
    import keras

    with pytest.raises(TypeError, match="zoo.load"):
        card_of(keras.Sequential())


def _zoo_imports(module: str) -> set[str]:
    tree = ast.parse((Path(zoo.__file__).parent / (module.replace(".", "/")[4:] + ".py")).read_text())
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    return {name for name in imported if name == "zoo" or name.startswith("zoo.")}


def test_registry_is_data_only_without_import_cycles():
    assert _zoo_imports("zoo.registry") == {"zoo.cards", "zoo.weight_presets"}
    assert _zoo_imports("zoo.cards") == {"zoo.weight_presets"}
    assert _zoo_imports("zoo.weight_presets") == _zoo_imports("zoo.lazy") == set()


def test_waveform_models_are_the_pickers_and_detectors():
    assert zoo.registry.waveform_models() == ["cred", "eqtransformer", "gpd", "phasenet"]
    assert not zoo.card("xdisc").takes_waveforms and not zoo.card("max").takes_waveforms
    for name in ("xdisc", "max"):
        with pytest.raises(
            ValueError, match=f"{name} is an? .*not a model of seismic waveforms.*: cred, eqtransformer"
        ):
            waveform_card(zoo.card(name), "zoo.annotate")
    assert waveform_card(zoo.card("gpd"), "zoo.annotate") is zoo.card("gpd")
