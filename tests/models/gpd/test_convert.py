"""GPD's converter: the published weights reproduce the original outputs; bad files are named."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from zoo.models.gpd import normalize
from zoo.models.gpd.convert import convert, read_weights
from zoo.models.gpd.model import build


@pytest.fixture(scope="module")
def model(pretrained) -> keras.Model:
    return pretrained("gpd")


def test_parity_with_original_outputs(model: keras.Model, shared) -> None:
    with np.load(shared / "reference" / "gpd_original_stead50.npz") as ref:
        x, y, kind = ref["x"], ref["y"], ref["window_kind"]
        assert list(ref["class_order"]) == ["P", "S", "Noise"]
    np.testing.assert_allclose(normalize(x).numpy(), x, rtol=1e-6)
    got = model.predict(normalize(x), batch_size=150, verbose=0)
    err = np.abs(got - y).max()
    assert err <= 1e-4, err
    assert (got.argmax(axis=1) == kind).mean() == pytest.approx(0.967, abs=0.005)


def test_every_value_assigned(model: keras.Model, shared) -> None:
    stored = read_weights(shared / "weights" / "gpd" / "model_pol_best.hdf5")
    assert sum(v.size for layer in stored.values() for v in layer.values()) == model.count_params()
    np.testing.assert_array_equal(model.get_layer("dense_3").kernel.numpy(), stored["dense_3_1"]["kernel"])


def test_missing_weights_file_is_named() -> None:
    with pytest.raises(ValueError, match="model_pol_best.hdf5"):
        convert(build(), {"model_pol.json": Path("model_pol.json")})


def test_shape_mismatch_is_named(shared) -> None:
    with pytest.raises(ValueError, match=r"dense_1/kernel has shape \(6400, 200\)"):
        convert(
            build(dense_units=100),
            {"model_pol_best.hdf5": shared / "weights" / "gpd" / "model_pol_best.hdf5"},
        )
