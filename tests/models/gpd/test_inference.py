"""GPD's inference copy: batch norm folded, convolutions rewritten; the network's probabilities."""

from __future__ import annotations

import keras
import numpy as np

from zoo.models.conv_rewrites import MappedConv1D
from zoo.models.gpd.inference import inference_model
from zoo.models.gpd.model import build


def test_inference_copy_gives_the_published_networks_probabilities(pretrained, shared) -> None:
    model = pretrained("gpd")
    x = np.load(shared / "reference" / "gpd_original_stead50.npz")["x"][:64].astype("float32")
    fast = inference_model(model)
    assert not [layer.name for layer in fast.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert [layer.name for layer in fast.layers if isinstance(layer, MappedConv1D)] == [
        f"conv1d_{i}_plain" for i in (1, 2, 3, 4)
    ]
    expected = model(x, training=False).numpy()
    assert expected.max() > 0.95  # real arrivals: some windows are confidently P or S
    np.testing.assert_allclose(fast(x, training=False).numpy(), expected, atol=1e-5)
    labelled, _ = model.zoo_card.annotation.label_network(model)  # the card's post-processing inside
    np.testing.assert_allclose(labelled(x, training=False).numpy(), expected[:, None, :], atol=1e-5)


def test_folding_uses_each_batch_norms_statistics_and_keeps_the_output_activation() -> None:
    """Random batch-norm statistics (not the identity of a fresh network) and SeisBench's one-class
    sigmoid."""
    model = build(classes=1, output_activation="sigmoid", dense_units=16)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = (w.numpy() for w in layer.weights)
            layer.set_weights(
                [
                    rng.uniform(0.5, 2.0, gamma.shape),
                    rng.normal(0, 0.5, beta.shape),
                    rng.normal(0, 0.5, mean.shape),
                    rng.uniform(0.5, 2.0, variance.shape),
                ]
            )
    x = rng.normal(size=(8, 400, 3)).astype("float32")
    fast = inference_model(model)
    assert fast.layers[-1].activation.__name__ == "sigmoid" and fast.output_shape == (None, 1)
    np.testing.assert_allclose(fast(x).numpy(), model(x, training=False).numpy(), atol=1e-5)
