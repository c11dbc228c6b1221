"""GPD's Keras 3 network against the inner Sequential of the published ``model_pol.json``."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from zoo.models.gpd.convert import check_architecture
from zoo.models.gpd.model import build


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return build()


def test_matches_published_architecture(model: keras.Model, shared) -> None:
    path = shared / "weights" / "gpd" / "model_pol.json"
    check_architecture(model, path)
    with open(path) as fh:
        layers = json.load(fh)["config"]["layers"]
    (inner,) = [entry["config"] for entry in layers if entry["class_name"] == "Sequential"]
    assert len(inner) == len(model.layers) - 1


def test_size_and_shapes(model: keras.Model) -> None:
    assert model.count_params() == 1_742_763
    assert model.input_shape == (None, 400, 3)
    assert model.get_layer("flatten_1").output.shape == (None, 6400)
    assert model.output_shape == (None, 3)
    out = model(np.random.default_rng(0).standard_normal((4, 400, 3)).astype("float32")).numpy()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)


def test_architecture_mismatch_is_named(shared) -> None:
    with pytest.raises(ValueError, match="dense_1.*units=100"):
        check_architecture(build(dense_units=100), shared / "weights" / "gpd" / "model_pol.json")


@pytest.mark.parametrize("shape", [(1, 399, 3), (1, 400, 2)])
def test_wrong_window_shape_is_a_clear_error(shape: tuple[int, ...]) -> None:
    model = build()
    with pytest.raises(ValueError, match=r"expected shape=\(None, 400, 3\)"):
        model.predict(np.zeros(shape, "float32"), verbose=0)


def test_sigmoid_output_for_a_single_class() -> None:
    model = build(classes=1, output_activation="sigmoid")
    out = model(np.random.default_rng(1).standard_normal((3, 400, 3)).astype("float32")).numpy()
    assert out.shape == (3, 1)
    assert 0.0 < out.min() and out.max() < 1.0
    with pytest.raises(ValueError, match="output_activation must be"):
        build(output_activation="relu")
