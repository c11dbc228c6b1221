"""MAX cards and the packaged synthetic-v1 presets (loaded through the registry with sha256 checks)."""

from __future__ import annotations

import numpy as np
import pytest

import zoo
from zoo.synth.xrf import expected_spectra, synthetic_cores


def test_cards() -> None:
    assert zoo.card("max").task == "autoencoder"
    regressor = zoo.card("max-regressor")
    assert regressor.task == "regressor" and regressor.preset().config["targets"] == ["caco3", "toc"]
    assert regressor.waveform is None and regressor.annotation is None
    assert "synthetic" in regressor.preset().description.lower()
    assert zoo.load("max", pretrained=False).count_params() == 327_184  # max-small


@pytest.mark.parametrize("name", ["max", "max-regressor"])
def test_packaged_files_match_their_pins(name) -> None:
    from pathlib import Path

    from zoo.weights import resolve

    for preset in zoo.card(name).presets.values():
        for path in resolve(preset).values():
            assert path.is_relative_to(Path(zoo.__file__).parent) and path.stat().st_size < 20_000_000


def test_synthetic_v1_autoencoder_reconstructs_hidden_patches() -> None:
    model = zoo.load("max")
    assert model.zoo_preset == "synthetic-v1"
    spectra = synthetic_cores(1, n_depths=16, seed=99)[0].spectra
    hidden = np.zeros((16, 128), "float32")
    hidden[:, 1::2] = 1.0
    out = model(spectra, hidden=hidden)
    loss = float(model.compute_loss(y_pred=out))
    baseline = float(np.mean(np.square(out["target"].numpy()) * hidden[..., None]) / hidden.mean())
    assert loss < 0.5 * baseline  # far better than predicting the channel means


def test_synthetic_v1_regressor_predicts_caco3() -> None:
    model = zoo.load("max-regressor")
    caco3 = np.array([10.0, 30.0, 50.0, 70.0])
    spectra = np.random.default_rng(0).poisson(expected_spectra(caco3, np.full(4, 1.0))).astype("float32")
    predicted = model.predict(spectra[..., None], verbose=0)
    assert np.all(np.diff(predicted[:, 0]) > 0)
    np.testing.assert_allclose(predicted[:, 0], caco3, atol=10.0)
