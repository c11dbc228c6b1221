"""PhaseNet port: parity with the original TF1 graph and the original preprocessing."""

import numpy as np
import pytest

import zoo
from zoo.models.phasenet.model import build


def test_parameter_counts_match_the_checkpoint():
    model = build()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert (trainable, frozen) == (268_443, 1_232)


@pytest.mark.parametrize("dataset", ["ncedc77", "stead50"])
def test_outputs_match_the_original_graph(phasenet, shared, dataset):
    ref = np.load(shared / "reference" / f"phasenet_original_{dataset}.npz")
    probabilities = phasenet.predict(ref["x"][:, :, 0, :], batch_size=64, verbose=0)
    assert np.abs(probabilities - ref["y"][:, :, 0, :]).max() <= 1e-4


@pytest.mark.parametrize("dataset", ["ncedc77", "stead50"])
def test_card_normalisation_reproduces_original_inputs(shared, dataset):
    ref = np.load(shared / "reference" / f"phasenet_original_{dataset}.npz")
    x = zoo.card("phasenet").waveform.normalize(ref["raw"]).numpy()
    assert np.abs(x - ref["x"][:, :, 0, :]).max() <= 1e-5


def test_vertical_only_windows_are_scaled_by_three():
    raw = np.zeros((1, 3000, 3), np.float32)
    raw[0, :, 2] = np.random.default_rng(0).normal(size=3000)
    x = zoo.card("phasenet").waveform.normalize(raw).numpy()
    assert np.std(x[0, :, 2]) == pytest.approx(3.0, rel=1e-5)
    assert not x[0, :, :2].any()


def test_postprocess_orders_labels_as_the_card():
    card = zoo.card("phasenet")
    softmax = np.array([[[0.7, 0.2, 0.1]]], np.float32)
    assert card.annotation.postprocess(softmax).numpy().tolist() == [
        [[pytest.approx(0.2), pytest.approx(0.1), pytest.approx(0.7)]]
    ]
    assert card.annotation.labels == ("P", "S", "N")


def test_inference_copy_matches_the_network(phasenet, shared):
    """Batch norm folded, transposed convolutions polyphase: the probabilities to float32 round-off."""
    from zoo.models.phasenet.inference import inference_model

    ref = np.load(shared / "reference" / "phasenet_original_ncedc77.npz")
    x = ref["x"][:16, :, 0, :]
    fast = inference_model(phasenet, paired=True)
    names = [layer.name for layer in fast.layers]
    assert not any("bn" in name for name in names)
    assert [name for name in names if name.endswith("_transposed")] == [
        f"up_conv0_{d}_transposed" for d in (4, 3, 2, 1)
    ]
    assert [name for name in names if name.endswith("_paired")] == [  # the 8-filter layers at 3000 samples
        "input_conv_paired",
        "down_conv1_1_paired",
        "up_conv1_1_paired",
    ]
    expected = phasenet.predict(x, verbose=0)
    np.testing.assert_allclose(fast.predict(x, verbose=0), expected, atol=1e-5)
    singles = inference_model(phasenet, paired=False)  # AVX2 CPUs: 8 float32 per vector
    assert not any(layer.name.endswith("_paired") for layer in singles.layers)
    np.testing.assert_allclose(singles.predict(x, verbose=0), expected, atol=1e-5)
    with pytest.raises(TypeError, match="paired must be True, False or None"):
        inference_model(phasenet, paired=1)


def test_label_network_orders_the_softmax_by_the_labels_without_a_pass(phasenet, shared):
    """The card's copy computes ``postprocess(model(x))``: PhaseNet's own label order inside its compiled
    head (no post-processing layer after it), also run as plain ops for exports; a SeisBench file's
    post-processing after the network."""
    from zoo.models.compiled_block import without_xla
    from zoo.models.label_curves import LabelCurves
    from zoo.models.phasenet.layers import CompiledSoftmax
    from zoo.models.seisbench_ops import curves

    annotation = phasenet.zoo_card.annotation
    x = np.load(shared / "reference" / "phasenet_original_ncedc77.npz")["x"][:5, :, 0, :]
    network, finish = annotation.label_network(phasenet)
    assert finish(x) is x
    head = network.layers[-1]
    assert isinstance(head, CompiledSoftmax) and head.order == (1, 2, 0) and head.jit_compile
    assert "output_differences" not in [layer.name for layer in network.layers]
    expected = annotation.postprocess(phasenet(x, training=False)).numpy()
    np.testing.assert_allclose(network(x, training=False).numpy(), expected, atol=1e-5)
    np.testing.assert_allclose(without_xla(network)(x, training=False).numpy(), expected, atol=1e-5)
    assert not head.jit_compile
    other = annotation.inference_model(phasenet, curves)
    assert isinstance(other.layers[-1], LabelCurves)
    np.testing.assert_allclose(other(x, training=False).numpy(), phasenet(x, training=False), atol=1e-5)


def test_softmax_of_differences_puts_out_classes_in_any_order():
    from zoo.models.phasenet.layers import SoftmaxOfDifferences, class_pairs

    z = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    d = np.stack([z[..., j] - z[..., i] for i, j in class_pairs(3)], axis=-1)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(SoftmaxOfDifferences(3, order=(2, 0, 1))(d), p[..., [2, 0, 1]], atol=1e-6)
    with pytest.raises(ValueError, match=r"order must list the classes 0..2 once each, got \(0, 0, 1\)"):
        SoftmaxOfDifferences(3, order=(0, 0, 1))
