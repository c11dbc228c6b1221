"""Part of an inference network compiled by XLA: for many small ops on short sequences.

:func:`compile_block` replaces the layers of a functional model between one layer's output and a few
layers' outputs by one :class:`CompiledBlock`, which runs them as one XLA computation. TensorFlow runs
each op of a recurrent or attention layer as its own dispatched kernel (an LSTM step by step, about ten
ops a step), which on short sequences costs more than the arithmetic. EQTransformer's middle (two
BiLSTMs, two transformer blocks and the LSTM + attention heads, all on 47 time steps) takes 44 ms per
64 windows on 2 cores as TensorFlow ops and 20 ms compiled; outputs agree to float32 round-off (about
1e-6, as far from a float64 evaluation as TensorFlow's own).

XLA compiles once per input shape, about 3 s for EQTransformer's middle. So that one shape occurs, a
batch is padded to a multiple of :data:`CHUNK` windows and run ``CHUNK`` at a time (``zoo.annotate``'s
default ``batch_size=128`` is two predict calls of 64; a short stream's few windows cost the middle
of 64, about 20 ms). The compiled function takes the weights as arguments and is shared by every block
of the same architecture in the process, so each ``zoo.load`` does not compile again.

Exports run the block as plain TensorFlow ops (:func:`without_xla`): a served or converted graph should
not depend on the server's XLA.

Example:
    >>> import numpy as np, keras
    >>> inputs = keras.Input((47, 16))
    >>> hidden = keras.layers.Dense(8, name="hidden")(keras.layers.Dense(16, name="first")(inputs))
    >>> model = keras.Model(inputs, keras.layers.Dense(1, name="last")(hidden))
    >>> compiled = compile_block(model, "first", ("hidden",))
    >>> x = np.ones((3, 47, 16), "float32")
    >>> bool(np.allclose(compiled(x), model(x), atol=1e-6))
    True
"""

from __future__ import annotations

import json
from typing import Any

import keras
import tensorflow as tf

CHUNK = 64
"""Batches are padded to a multiple of this many windows and run this many at a time."""

_COMPILED: dict[str, tuple[keras.Model, Any]] = {}
"""Block architecture (its config as JSON, input name left out) -> (template model, compiled stateless call)."""


def _compiled(block: keras.Model) -> Any:
    """The XLA-compiled ``(trainable, non_trainable, x) -> outputs`` of ``block``'s architecture."""
    key = json.dumps(block.get_config(), sort_keys=True, default=repr)
    key = key.replace(json.dumps(block.layers[0].name), '"input"')  # a generated name, new in each copy
    if key not in _COMPILED:
        template = keras.models.clone_model(block)

        @tf.function(jit_compile=True)
        def run(trainable: list, non_trainable: list, x: tf.Tensor) -> Any:
            outputs, _ = template.stateless_call(trainable, non_trainable, x, training=False)
            return tf.nest.flatten(outputs)

        _COMPILED[key] = (template, run)
    return _COMPILED[key][1]


class Compiled:
    """Mixin for layers that run their computation compiled by XLA while :attr:`jit_compile` is true
    (:func:`without_xla` switches it off for exports)."""

    jit_compile = True


def power_of_two_at_least(count: tf.Tensor) -> tf.Tensor:
    """The smallest power of two >= ``count`` (>= 1): padding a batch to it keeps the shapes XLA compiles
    for to one per power of two."""
    powers = tf.bitwise.left_shift(1, tf.range(31))
    return tf.gather(powers, tf.searchsorted(powers, tf.reshape(count, [1]))[0])


@keras.saving.register_keras_serializable(package="zoo")
class CompiledBlock(Compiled, keras.layers.Layer):
    """Runs ``block`` (a functional model of the network's own layers) compiled by XLA, in inference mode;
    returns the list of its outputs.

    Args:
        block: The part of the network to compile; its layers (and weights) stay the network's.
        jit_compile: ``False`` runs ``block`` as plain TensorFlow ops (exports).
    """

    def __init__(self, block: keras.Model, jit_compile: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.jit_compile = jit_compile
        if jit_compile:  # the shared template's variables made now: made while tracing, they trace it twice
            _compiled(block)

    def call(self, x: Any) -> Any:
        if not self.jit_compile:
            return tf.nest.flatten(self.block(x, training=False))
        run = _compiled(self.block)
        trainable = [tf.convert_to_tensor(v) for v in self.block.trainable_variables]
        non_trainable = [tf.convert_to_tensor(v) for v in self.block.non_trainable_variables]
        count = tf.shape(x)[0]
        total = -(-count // CHUNK) * CHUNK
        rest = tf.shape(x)[1:]
        padded = tf.concat([x, tf.zeros(tf.concat([[total - count], rest], 0), x.dtype)], 0)
        chunks = tf.reshape(padded, tf.concat([[total // CHUNK, CHUNK], rest], 0))
        signature = [tf.TensorSpec(None, output.dtype) for output in self.block.outputs]
        outputs = tf.map_fn(
            lambda chunk: run(trainable, non_trainable, chunk), chunks, fn_output_signature=signature
        )
        return [tf.reshape(out, tf.concat([[total], tf.shape(out)[2:]], 0))[:count] for out in outputs]

    def compute_output_shape(self, input_shape: tuple) -> list[tuple]:
        return [tuple(output.shape) for output in self.block.outputs]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "block": keras.saving.serialize_keras_object(self.block),
            "jit_compile": self.jit_compile,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> CompiledBlock:
        block = keras.saving.deserialize_keras_object(config.pop("block"))
        return cls(block, **config)


def compile_block(model: keras.Model, first: str, outputs: tuple[str, ...]) -> keras.Model:
    """``model`` with the layers from layer ``first``'s output to the ``outputs`` layers' run as one
    :class:`CompiledBlock`; every other layer is the model's own."""
    block = keras.Model(
        model.get_layer(first).output,
        [model.get_layer(name).output for name in outputs],
        name=f"{first}_block",
    )
    compiled = CompiledBlock(block, name=f"{first}_compiled")
    ends: dict[str, Any] = {}  # the block's input (under ``first``), then its outputs (under "block")

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if layer.name in outputs:
            if "block" not in ends:
                ends["block"] = compiled(ends[first])
            return ends["block"][outputs.index(layer.name)]
        result = layer(*args, **kwargs)
        if layer.name == first:
            ends[first] = result
        return result

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)


def without_xla(network: keras.Model) -> keras.Model:
    """``network`` with its compiled layers (:class:`Compiled`: blocks, PhaseNet's softmax head) switched to
    plain TensorFlow ops (for exports); returns it."""
    for layer in network.layers:
        if isinstance(layer, Compiled):
            layer.jit_compile = False
    return network
