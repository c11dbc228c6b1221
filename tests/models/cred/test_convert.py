"""CRED's converter: the published weights reproduce the original outputs; bad files are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from zoo.models.cred import normalize
from zoo.models.cred.convert import convert, read_weights
from zoo.models.cred.model import build


@pytest.fixture(scope="module")
def model(pretrained) -> keras.Model:
    return pretrained("cred")


@pytest.fixture(scope="module")
def reference(shared) -> dict[str, np.ndarray]:
    with np.load(shared / "reference" / "cred_original_stead50.npz") as ref:
        return {k: ref[k] for k in ("raw", "y")}


def test_parity_with_original_outputs(model: keras.Model, reference) -> None:
    y = model.predict(normalize(reference["raw"]), batch_size=50, verbose=0)
    assert y.shape == (50, 38, 1)
    err = np.abs(y - reference["y"]).max()
    assert err <= 1e-4, err


def test_every_value_assigned(model: keras.Model, shared) -> None:
    stored = read_weights(shared / "weights" / "cred" / "final_model.h5")
    assert sum(v.size for layer in stored.values() for v in layer.values()) == 292_641
    kernel = model.get_layer("bidirectional_1").backward_layer.cell.recurrent_kernel.numpy()
    np.testing.assert_array_equal(kernel, stored["bidirectional_1"]["backward/recurrent_kernel"])


def test_weights_only_file_gives_same_model(model: keras.Model, shared) -> None:
    other = build()
    convert(other, {"model_weights.h5": shared / "weights" / "cred" / "model_weights.h5"})
    for a, b in zip(model.weights, other.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_missing_file_is_named() -> None:
    with pytest.raises(ValueError, match="final_model.h5"):
        convert(build(), {"other.h5": Path("other.h5")})


def test_shape_mismatch_is_named(shared) -> None:
    with pytest.raises(ValueError, match=r"bidirectional_1/forward/kernel has shape \(176, 256\)"):
        convert(build(lstm_units=32), {"final_model.h5": shared / "weights" / "cred" / "final_model.h5"})


def test_leftover_file_weight_is_named(shared, tmp_path) -> None:
    path = tmp_path / "final_model.h5"
    shutil.copy(shared / "weights" / "cred" / "final_model.h5", path)
    with h5py.File(path, "r+") as fh:
        root = fh["model_weights"]
        group = root.create_group("dense_9")
        group.create_dataset("dense_9/kernel:0", data=np.zeros((2, 2), "float32"))
        group.attrs["weight_names"] = [b"dense_9/kernel:0"]
        root.attrs["layer_names"] = list(root.attrs["layer_names"]) + [b"dense_9"]
    with pytest.raises(ValueError, match="dense_9"):
        convert(build(), {"final_model.h5": path})
