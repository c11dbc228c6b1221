"""PyTorch -> Keras weight layouts and the strict key bookkeeping of Plan."""

import keras
import numpy as np
import pytest

from zoo.models.torch_layouts import Plan, lstm_keys

RNG = np.random.default_rng(7)


def _random(*shape):
    return RNG.standard_normal(shape).astype("float32")


def test_conv1d_layout_is_pytorch_cross_correlation():
    x, weight, bias = _random(1, 9, 2), _random(4, 2, 3), _random(4)  # torch weight [out, in, k]
    layer = keras.layers.Conv1D(4, 3)
    layer.build((None, 9, 2))
    plan = Plan({"c.weight": weight, "c.bias": bias})
    plan.conv("c", layer)
    plan.apply()
    expected = np.stack(
        [np.einsum("oik,ki->o", weight, x[0, t : t + 3]) + bias for t in range(7)]
    )  # torch's Conv1d on [in, time], transposed
    assert np.abs(np.asarray(layer(x))[0] - expected).max() <= 1e-5


def test_conv2d_layout():
    x, weight = _random(1, 5, 4, 3), _random(2, 3, 3, 2)  # torch [out, in, kh, kw]
    layer = keras.layers.Conv2D(2, (3, 2), use_bias=False)
    layer.build((None, 5, 4, 3))
    plan = Plan({"c.weight": weight})
    plan.conv("c", layer, bias=False)
    plan.apply()
    expected = np.einsum("oihw,hwi->o", weight, x[0, 1:4, 2:4])
    assert np.abs(np.asarray(layer(x))[0, 1, 2] - expected).max() <= 1e-5


def test_conv_transpose_layout_scatters_like_pytorch():
    x, weight = _random(1, 4, 3), _random(3, 2, 5)  # torch ConvTranspose1d [in, out, k]
    layer = keras.layers.Conv1DTranspose(2, 5, strides=2, use_bias=False)
    layer.build((None, 4, 3))
    plan = Plan({"t.weight": weight})
    plan.conv_transpose("t", layer, bias=False)
    plan.apply()
    expected = np.zeros((3 * 2 + 5, 2), np.float32)
    for t in range(4):
        expected[2 * t : 2 * t + 5] += np.einsum("i,iok->ko", x[0, t], weight)
    assert np.abs(np.asarray(layer(x))[0] - expected).max() <= 1e-5


def test_lstm_biases_are_summed_exactly():
    layer = keras.layers.LSTM(2)
    layer.build((None, 3, 4))
    big, small = np.full(8, 1.0, np.float32), np.full(8, 2.0**-30, np.float32)
    state = {
        "l.weight_ih_l0": _random(8, 4),
        "l.weight_hh_l0": _random(8, 2),
        "l.bias_ih_l0": big,
        "l.bias_hh_l0": small,
    }
    plan = Plan(state)
    plan.lstm(lstm_keys("l", "torch"), layer)
    plan.apply()
    assert np.array_equal(layer.cell.kernel.numpy(), state["l.weight_ih_l0"].T)
    assert np.array_equal(layer.cell.bias.numpy(), np.float32(1.0 + 2.0**-30) * np.ones(8, np.float32))


def test_unknown_keys_are_listed_and_nothing_is_assigned():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    before = layer.kernel.numpy().copy()
    plan = Plan({"fc.weight": _random(2, 3), "fc.bias": _random(2), "head.weight": _random(5, 2)}, "x.pt")
    plan.dense("fc", layer)
    with pytest.raises(ValueError, match=r"x\.pt has 1 entry .*'head\.weight' \(5, 2\)"):
        plan.apply()
    assert np.array_equal(layer.kernel.numpy(), before)


def test_missing_key_wrong_shape_and_integer_tensors_are_named():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"x\.pt has no entry 'fc\.weight' \(a tensor of shape \(2, 3\)\)"):
        Plan({}, "x.pt").dense("fc", layer)
    with pytest.raises(ValueError, match=r"'fc\.weight' in x\.pt has shape \(3, 2\), but .* needs \(2, 3\)"):
        Plan({"fc.weight": _random(3, 2)}, "x.pt").dense("fc", layer)
    with pytest.raises(ValueError, match="holds int64 values"):
        Plan({"fc.weight": np.zeros((2, 3), np.int64)}, "x.pt").dense("fc", layer)


def test_batch_norm_counters_are_ignored():
    layer = keras.layers.BatchNormalization()
    layer.build((None, 3))
    names = ("weight", "bias", "running_mean", "running_var")
    state = {f"bn.{n}": _random(3) for n in names} | {"bn.num_batches_tracked": np.array(5)}
    plan = Plan(state)
    plan.batch_norm("bn", layer)
    assert plan.apply() == 12
    assert np.array_equal(layer.moving_variance.numpy(), state["bn.running_var"])


def test_lstm_key_styles():
    assert lstm_keys("a", "torch", reverse=True)["bias_hh"] == "a.bias_hh_l0_reverse"
    assert lstm_keys("a", "cells")["weight_hh"] == "a.cell_f.weight_hh"
    with pytest.raises(ValueError, match="Unknown LSTM key style"):
        lstm_keys("a", "keras")
