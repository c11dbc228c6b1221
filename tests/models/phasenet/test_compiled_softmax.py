"""PhaseNet's compiled softmax head: the softmax of the output convolution's logits, any batch size."""

import numpy as np
import pytest
import tensorflow as tf

from zoo.models.phasenet.layers import CompiledSoftmax, class_pairs


def _head(classes: int, order: tuple[int, ...], jit_compile: bool, scale: float = 1.0):
    """A head with random logit weights ``[8, classes]``, and those weights."""
    rng = np.random.default_rng(classes)
    weights, bias = rng.normal(0, scale, (8, classes)), rng.normal(0, scale, classes)
    pairs = class_pairs(classes)
    head = CompiledSoftmax(classes, order=order, jit_compile=jit_compile)
    head.build((None, None, 8))
    head.set_weights(
        [
            np.stack([weights[:, j] - weights[:, i] for i, j in pairs], axis=1).astype("float32"),
            np.array([bias[j] - bias[i] for i, j in pairs], "float32"),
        ]
    )
    return head, weights, bias


@pytest.mark.parametrize("jit_compile", [True, False])
@pytest.mark.parametrize(("classes", "order"), [(3, (1, 2, 0)), (2, (0, 1)), (4, (3, 0, 2, 1))])
@pytest.mark.parametrize("windows", [1, 3, 4])
def test_head_is_the_softmax_of_the_logits_in_order(jit_compile, classes, order, windows):
    head, weights, bias = _head(classes, order, jit_compile)
    features = np.random.default_rng(windows).normal(0, 2, (windows, 50, 8)).astype("float32")
    expected = tf.nn.softmax(features.astype("float64") @ weights + bias).numpy()[..., list(order)]
    got = tf.function(head)(features).numpy()
    assert got.shape == (windows, 50, classes)
    np.testing.assert_allclose(got, expected, atol=2e-6)  # float32 logits of size ~10


def test_saturated_logits_give_zeros_and_ones_without_nan():
    head, weights, bias = _head(3, (0, 1, 2), jit_compile=True, scale=400.0)
    features = np.random.default_rng(0).normal(0, 1, (2, 20, 8)).astype("float32")
    got = head(features).numpy()
    assert np.isfinite(got).all()
    expected = tf.nn.softmax(features.astype("float64") @ weights + bias).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-7)


def test_config_round_trip_keeps_order_and_compilation():
    head, _, _ = _head(3, (2, 0, 1), jit_compile=False)
    copy = CompiledSoftmax.from_config(head.get_config())
    assert (copy.classes, copy.order, copy.jit_compile) == (3, (2, 0, 1), False)
