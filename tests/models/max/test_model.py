"""MAX network: masking, masked loss, shapes, normalisation transforms, serialisation."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from zoo.models.max.layers import sincos_position_embedding
from zoo.models.max.model import (
    MaskedSpectrumAutoencoder,
    SpectrumRegressor,
    build,
    build_regressor,
    hidden_count,
    transfer_encoder,
)

TINY = {
    "embed_dim": 32,
    "depth": 2,
    "num_heads": 2,
    "decoder_embed_dim": 16,
    "decoder_depth": 1,
    "decoder_num_heads": 2,
}


@pytest.fixture(scope="module")
def model() -> MaskedSpectrumAutoencoder:
    return build(seed=3, **TINY)


@pytest.fixture(scope="module")
def spectra() -> np.ndarray:
    return np.random.default_rng(0).poisson(50.0, (3, 2048, 1)).astype("float32")


@pytest.mark.parametrize("ratio, expected", [(0.5, 64), (0.75, 96), (0.3, 38), (0.0, 0), (0.9, 115)])
def test_random_mask_hides_exactly_rounded_count(ratio: float, expected: int, spectra: np.ndarray) -> None:
    assert hidden_count(128, ratio) == round(ratio * 128) == expected
    net = build(mask_ratio=ratio, seed=1, **TINY)
    masks = [net(spectra)["mask"].numpy() for _ in range(2)]
    for mask in masks:
        assert set(np.unique(mask)) <= {0.0, 1.0}
        assert (mask.sum(axis=1) == expected).all()
    if 0 < expected < 128:
        assert not np.array_equal(masks[0][0], masks[0][1])  # per-sample masks
        assert not np.array_equal(masks[0], masks[1])  # fresh masks per call


def test_mask_ratio_out_of_range() -> None:
    with pytest.raises(ValueError, match="mask_ratio"):
        hidden_count(128, 1.0)


def test_loss_ignores_visible_patches(model: MaskedSpectrumAutoencoder, spectra: np.ndarray) -> None:
    hidden = np.zeros((3, 128), "float32")
    hidden[:, ::2] = 1.0
    out = model(spectra, hidden=hidden)
    loss = float(model.compute_loss(y_pred=out))
    target = out["target"].numpy().copy()
    target[:, 1::2, :] += 100.0  # change only visible patches' targets
    changed = float(model.compute_loss(y_pred={**out, "target": target}))
    assert changed == pytest.approx(loss, rel=1e-6)
    target = out["target"].numpy().copy()
    target[:, 0, :] += 1.0  # a hidden patch
    assert float(model.compute_loss(y_pred={**out, "target": target})) > loss + 1e-4


def test_prediction_of_hidden_patch_does_not_see_its_counts(
    model: MaskedSpectrumAutoencoder, spectra: np.ndarray
) -> None:
    hidden = np.zeros((3, 128), "float32")
    hidden[:, 64:] = 1.0
    changed = spectra.copy()
    changed[:, 64 * 16 :, :] += 1000.0  # counts inside hidden patches only
    a = model(spectra, hidden=hidden)["pred"].numpy()
    b = model(changed, hidden=hidden)["pred"].numpy()
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_encoder_output_shapes(model: MaskedSpectrumAutoencoder, spectra: np.ndarray) -> None:
    z = model.standardizer(spectra)
    assert tuple(model.encoder(z).shape) == (3, 129, 32)
    keep = np.tile(np.arange(0, 128, 2), (3, 1))
    assert tuple(model.encoder(z, keep_ids=keep).shape) == (3, 65, 32)
    out = model(spectra)
    assert tuple(out["pred"].shape) == (3, 128, 16) and tuple(out["target"].shape) == (3, 128, 16)
    regressor = build_regressor(**{k: v for k, v in TINY.items() if not k.startswith("decoder")})
    assert tuple(regressor(spectra).shape) == (3, 2)
    assert tuple(regressor.features(spectra).shape) == (3, 32)


def test_bad_input_shape(model: MaskedSpectrumAutoencoder) -> None:
    with pytest.raises(ValueError, match="2048"):
        model(np.zeros((2, 1000, 1), "float32"))


def test_position_embedding_is_fixed_sincos(model: MaskedSpectrumAutoencoder) -> None:
    table = sincos_position_embedding(128, 32)
    assert np.all(table[0] == 0)
    np.testing.assert_allclose(table[1:, 0], np.sin(np.arange(128)), atol=1e-6)
    np.testing.assert_allclose(table[1:, 16], np.cos(np.arange(128)), atol=1e-6)
    np.testing.assert_allclose(model.encoder.pos_embed.numpy()[0], table)
    assert all("pos_embed" not in w.path for w in model.trainable_weights)


def test_standardization_and_reconstruction_units(spectra: np.ndarray) -> None:
    net = build(seed=0, **TINY)
    net.standardizer.adapt(spectra[..., 0])
    z = net.standardizer(spectra).numpy()
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(net.standardizer.inverse(z).numpy(), spectra, rtol=1e-5, atol=1e-3)
    counts, per_channel = net.reconstruct(spectra)
    assert counts.shape == (3, 2048) and per_channel.sum(axis=1).tolist() == [1024.0] * 3


def test_target_transform_inverts(spectra: np.ndarray) -> None:
    regressor = build_regressor(**{k: v for k, v in TINY.items() if not k.startswith("decoder")})
    y = np.array([[10.0, 0.5], [50.0, 1.5], [30.0, 2.5]], "float32")
    regressor.target_scaler.adapt(y)
    z = regressor.target_scaler.normalize(y).numpy()
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(z.std(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(regressor.target_scaler(z).numpy(), y, rtol=1e-6)
    # The network output is the inverse transform of the head: a zero head gives the target means.
    regressor.head.kernel.assign(np.zeros_like(regressor.head.kernel.numpy()))
    regressor.head.bias.assign(np.zeros(2, "float32"))
    np.testing.assert_allclose(regressor(spectra).numpy(), np.tile(y.mean(axis=0), (3, 1)), rtol=1e-5)


def test_linear_probe_freezes_encoder_and_transfer(
    model: MaskedSpectrumAutoencoder, spectra: np.ndarray
) -> None:
    regressor = build_regressor(
        mode="linear_probe", **{k: v for k, v in TINY.items() if not k.startswith("decoder")}
    )
    assert {w.path.split("/")[-2] for w in regressor.trainable_weights} == {"head"}
    transfer_encoder(model, regressor)
    np.testing.assert_allclose(
        regressor.encoder(regressor.standardizer(spectra)).numpy(),
        model.encoder(model.standardizer(spectra)).numpy(),
        atol=1e-5,
    )
    regressor.set_mode("finetune")
    assert len(regressor.trainable_weights) > 2
    with pytest.raises(ValueError, match="mode"):
        regressor.set_mode("frozen")


def test_keras_serialisation_round_trip(
    model: MaskedSpectrumAutoencoder, spectra: np.ndarray, tmp_path
) -> None:
    path = tmp_path / "max.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    hidden = np.zeros((3, 128), "float32")
    hidden[:, 1::2] = 1.0
    np.testing.assert_allclose(
        loaded(spectra, hidden=hidden)["pred"], model(spectra, hidden=hidden)["pred"], atol=1e-5
    )
    regressor = SpectrumRegressor.from_config(
        build_regressor(embed_dim=32, depth=1, num_heads=2).get_config()
    )
    assert regressor.config["targets"] == ["caco3", "toc"]


def test_pretraining_reduces_masked_loss(spectra: np.ndarray) -> None:
    net = build(seed=0, **TINY)
    net.standardizer.adapt(spectra[..., 0])
    data = np.repeat(spectra, 4, axis=0)
    net.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = net.fit(data, epochs=8, batch_size=12, verbose=0).history["loss"]
    assert history[-1] < 0.9 * history[0]
