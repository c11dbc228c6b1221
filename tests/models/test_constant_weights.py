"""Convolution weights as graph constants: same outputs, values taken when a function is traced."""

import keras
import numpy as np
import tensorflow as tf

from zoo.models.constant_weights import ConstantWeights, use_constant_weights
from zoo.models.conv_rewrites import MappedConv1D
from zoo.models.phasenet.layers import SkipConv1D
from zoo.waveforms.predict import predict_function


def conv(dtype: str = "float32") -> MappedConv1D:
    layer = MappedConv1D(4, 3, phases_in=2, phases_out=2, activation="relu", dtype=dtype)
    layer.build((None, 16, 3))
    rng = np.random.default_rng(0)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def test_constant_weights_give_the_variables_outputs_and_are_taken_at_tracing():
    x = np.random.default_rng(1).normal(size=(2, 16, 3)).astype("float32")
    layer = conv()
    with_variables = tf.function(layer)
    expected = with_variables(x).numpy()
    assert use_constant_weights(layer) == 1
    with_constants = tf.function(layer)
    np.testing.assert_array_equal(with_constants(x).numpy(), expected)
    layer.kernel.assign(layer.kernel.numpy() * 2.0)
    np.testing.assert_array_equal(with_constants(x).numpy(), expected)  # traced before: values of then
    assert not np.allclose(tf.function(layer)(x).numpy(), expected)  # a new trace takes the new values


def test_constant_weights_follow_a_bfloat16_policy():
    x = np.random.default_rng(2).normal(size=(2, 16, 3)).astype("float32")
    layer = conv("mixed_bfloat16")
    expected = tf.function(layer)(x)  # traced as the constants' will be (eager bfloat16 rounds otherwise)
    use_constant_weights(layer)
    got = tf.function(layer)(x)
    assert got.dtype == tf.bfloat16
    np.testing.assert_array_equal(np.asarray(got, "float32"), np.asarray(expected, "float32"))


def test_skip_convolution_reads_constant_weights():
    rng = np.random.default_rng(3)
    skip, up = rng.normal(size=(1, 12, 2)).astype("float32"), rng.normal(size=(1, 14, 3)).astype("float32")
    layer = SkipConv1D(4, 3, activation="relu")
    expected = layer(skip, up).numpy()
    use_constant_weights(layer)
    np.testing.assert_allclose(tf.function(layer)(skip, up).numpy(), expected, atol=1e-6)


def test_only_layers_that_read_through_weight_are_switched():
    inputs = keras.Input((16, 3))
    outputs = keras.layers.Conv1D(2, 1)(conv()(inputs))
    model = keras.Model(inputs, outputs)
    assert use_constant_weights(model) == 1
    assert [isinstance(layer, ConstantWeights) and layer.constant_weights for layer in model.layers[1:]] == [
        True,
        False,
    ]


def test_predict_reads_only_the_weights_of_other_layers_from_variables(phasenet):
    graph = predict_function(phasenet, phasenet.zoo_card).get_concrete_function().graph.as_graph_def()
    nodes = [*graph.node, *(node for function in graph.library.function for node in function.node_def)]
    reads = sum(node.op == "ReadVariableOp" for node in nodes)
    network = phasenet.zoo_card.annotation.inference_model(phasenet)
    switched = [layer for layer in network.layers if isinstance(layer, ConstantWeights)]
    assert len(switched) > 10
    assert reads == len(network.weights) - sum(len(layer.weights) for layer in switched)
