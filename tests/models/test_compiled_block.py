"""XLA-compiled blocks of inference networks: same outputs at every batch size, weights as arguments,
one compile per architecture, plain TensorFlow for exports."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from zoo.models import compiled_block
from zoo.models.compiled_block import CompiledBlock, compile_block, without_xla


def _model(seed: int) -> keras.Model:
    """A small recurrent network: Dense -> LSTM -> Dense -> Dense, layers named for compile_block."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((12, 3))
    x = keras.layers.Dense(8, name="first")(inputs)
    x = keras.layers.LSTM(6, return_sequences=True, name="lstm")(x)
    x = keras.layers.Dense(4, activation="tanh", name="last")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(x))


def _windows(count: int) -> np.ndarray:
    return np.random.default_rng(count).normal(size=(count, 12, 3)).astype(np.float32)


def _xla_functions(network: keras.Model) -> list[str]:
    """Names of the functions in the network's traced graph that XLA must compile."""
    traced = tf.function(lambda x: network(x)).get_concrete_function(tf.TensorSpec([None, 12, 3], tf.float32))
    library = traced.graph.as_graph_def().library.function
    return [f.signature.name for f in library if "_XlaMustCompile" in f.attr and f.attr["_XlaMustCompile"].b]


@pytest.mark.parametrize("count", [1, 3, 4, 9])
def test_compiled_block_gives_the_models_outputs_at_every_batch_size(monkeypatch, count):
    """Batches padded to a multiple of CHUNK and run in chunks."""
    monkeypatch.setattr(compiled_block, "CHUNK", 4)
    model = _model(0)
    network = compile_block(model, "first", ("last",))
    assert [type(layer).__name__ for layer in network.layers].count("CompiledBlock") == 1
    x = _windows(count)
    got = tf.function(lambda x: network(x))(x).numpy()
    np.testing.assert_allclose(got, model(x).numpy(), atol=1e-6)


def test_a_function_around_a_new_architecture_is_traced_once():
    """The block's shared template exists before the first trace: variables made while tracing make
    tf.function trace everything again."""
    keras.utils.set_random_seed(3)
    inputs = keras.Input((12, 3))
    x = keras.layers.Dense(8, name="first")(inputs)
    x = keras.layers.GRU(5, return_sequences=True, name="gru")(x)  # an architecture no other test compiles
    x = keras.layers.Dense(4, name="last")(x)
    model = keras.Model(inputs, keras.layers.Dense(2, name="head")(x))
    network = compile_block(model, "first", ("last",))
    traces = []

    @tf.function
    def run(x):
        traces.append(1)
        return network(x)

    np.testing.assert_allclose(run(_windows(3)).numpy(), model(_windows(3)).numpy(), atol=1e-6)
    assert len(traces) == 1


def test_weights_are_arguments_one_compile_serves_every_copy():
    """Two models of one architecture share the compiled function but each gets its own outputs, and
    weights changed after the first call (fine-tuning) are used."""
    first, second = _model(1), _model(2)
    x = _windows(3)
    compiled = []
    for model in (first, second):
        network = compile_block(model, "first", ("last",))
        np.testing.assert_allclose(network(x).numpy(), model(x).numpy(), atol=1e-6)
        compiled.append(dict(compiled_block._COMPILED))
    assert compiled[0] == compiled[1]
    second.set_weights(first.get_weights())
    np.testing.assert_allclose(network(x).numpy(), first(x).numpy(), atol=1e-6)


def test_without_xla_leaves_no_compiled_function_in_the_graph():
    model = _model(3)
    network = compile_block(model, "first", ("last",))
    assert _xla_functions(network)
    plain = without_xla(network)
    assert not _xla_functions(plain)
    x = _windows(5)
    np.testing.assert_allclose(plain(x).numpy(), model(x).numpy(), atol=1e-6)


def test_a_compiled_block_rebuilt_from_its_config_computes_the_same():
    """The bfloat16 path clones inference networks layer by layer from their configs."""
    model = _model(4)
    layer = next(
        layer for layer in compile_block(model, "first", ("last",)).layers if isinstance(layer, CompiledBlock)
    )
    copy = CompiledBlock.from_config(layer.get_config())
    copy.set_weights(layer.get_weights())
    hidden = model.get_layer("first")(_windows(3))
    np.testing.assert_allclose(copy(hidden)[0].numpy(), layer(hidden)[0].numpy(), atol=1e-6)
