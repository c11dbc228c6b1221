"""Registry: model names, cards, presets and their look-ups; data only (no other zoo module imported)."""

import ast
from pathlib import Path

import pytest

import zoo
from zoo.registry import card_of


def test_list_models_has_phasenet_with_card_facts():
    assert "phasenet" in zoo.list_models()
    card = zoo.card("PhaseNet")
    assert (card.input_samples, card.sampling_rate, card.components) == (3000, 100.0, "ENZ")
    assert list(zoo.presets("phasenet")) == ["original"]


def test_unknown_model_lists_valid_names_and_closest_match():
    with pytest.raises(ValueError, match=r"Unknown model 'phasenett'.*phasenet.*Did you mean 'phasenet'"):
        zoo.load("phasenett")


def test_card_of_rejects_plain_keras_models():
    import keras

    with pytest.raises(TypeError, match="zoo.load"):
        card_of(keras.Sequential())


def test_registry_imports_no_other_zoo_module():
    tree = ast.parse(Path(zoo.registry.__file__).read_text())
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    assert not [name for name in imported if name == "zoo" or name.startswith("zoo.")]
