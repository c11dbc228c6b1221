"""Loading: presets -> weights -> a model with its card attached (one helper, attach_card)."""

import types

import numpy as np
import pytest

import zoo
from zoo.loading import attach_card


def test_unknown_preset_lists_valid_presets():
    with pytest.raises(
        ValueError, match=r"no preset 'orignal'.*Valid presets: original.*Did you mean 'original'"
    ):
        zoo.load("phasenet", pretrained="orignal")


def test_pretrained_type_is_checked():
    with pytest.raises(TypeError, match="pretrained"):
        zoo.load("phasenet", pretrained=1.5)
    with pytest.raises(TypeError, match="string"):
        zoo.card(3)


def test_random_initialisation_differs_from_published_weights(phasenet):
    random = zoo.load("phasenet", pretrained=False)
    assert random.zoo_preset is None and phasenet.zoo_preset == "original"
    kernel = random.get_layer("input_conv").kernel.numpy()
    assert not np.allclose(kernel, phasenet.get_layer("input_conv").kernel.numpy())


def test_overrides_reach_the_builder():
    model = zoo.load("phasenet", pretrained=False, input_samples=1024)
    assert model.input_shape == (None, 1024, 3)


def test_every_way_of_loading_attaches_the_card_the_same_way(phasenet, tmp_path):
    folder = zoo.load(str(zoo.save_preset(phasenet, tmp_path / "pn")))
    for model, preset in ((phasenet, "original"), (folder, str(tmp_path / "pn"))):
        assert model.zoo_card is zoo.card("phasenet") and model.zoo_preset == preset
        assert model.zoo_config == {}
    net = attach_card(types.SimpleNamespace(), zoo.card("gpd"), {"a": 1}, "x")
    assert (net.zoo_card.name, net.zoo_config, net.zoo_preset) == ("gpd", {"a": 1}, "x")
