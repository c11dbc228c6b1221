"""Custom layers of EQTransformer, written from the published equations (Mousavi et al., 2020).

- :class:`SeqSelfAttention`: additive self-attention (Zheng et al., 2018, arXiv:1806.01264) with an
  optional local window, as used in EQTransformer's transformer blocks and phase heads.
- :class:`FeedForward`: position-wise two-layer perceptron of the transformer block.
- :class:`EqtLayerNormalization`: layer normalisation over the feature axis with EQTransformer's
  epsilon (1e-14, added to the variance inside the square root).
- :class:`MCSpatialDropout1D`: spatial dropout that is also active at inference while a Monte-Carlo
  switch (a non-trainable ``tf.Variable``) is on; see :func:`mc_dropout`.
- :func:`keras2_hard_sigmoid`: Keras 2's piecewise-linear sigmoid ``clip(0.2 x + 0.5, 0, 1)``, the
  recurrent activation of the conservative model's LSTMs (Keras 3's ``hard_sigmoid`` uses slope 1/6).

Example:
    >>> import numpy as np
    >>> from zoo.models.eqtransformer.layers import SeqSelfAttention
    >>> SeqSelfAttention(units=32, attention_width=3)(np.zeros((2, 47, 16), "float32")).shape
    TensorShape([2, 47, 16])
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import keras
import tensorflow as tf

_PACKAGE = "zoo"


@keras.saving.register_keras_serializable(package=_PACKAGE)
def keras2_hard_sigmoid(x: Any) -> Any:
    """Keras 2's hard sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``."""
    return keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SeqSelfAttention(keras.layers.Layer):
    """Additive self-attention over the time axis, optionally restricted to a local window.

    For an input sequence ``x`` of shape ``[batch, time, features]``::

        h[t, t'] = tanh(x[t] Wt + x[t'] Wx + bh)          # [units]
        e[t, t'] = h[t, t'] Wa + ba                        # scalar score
        e[t, t'] = exp(e[t, t'] - max_t' e[t, t'])         # max over the full row
        e[t, t'] = 0 unless t - width // 2 <= t' < t - width // 2 + width   (if width is set)
        a[t, t'] = e[t, t'] / (sum_t' e[t, t'] + epsilon)
        out[t]   = sum_t' a[t, t'] x[t']

    The row maximum is taken before the local window is applied and ``epsilon`` (1e-7, Keras'
    epsilon) is added to the normaliser, exactly as in the published EQTransformer layer.

    Args:
        units: Size of the hidden additive-attention vector ``h``.
        attention_width: Width of the local window in time steps, or ``None`` for global attention.
        return_attention: Also return the attention matrix ``a`` ``[batch, time, time]``.
        epsilon: Added to the normaliser (1e-7 published models; SeisBench's own architecture 1e-5).
    """

    def __init__(
        self,
        units: int = 32,
        attention_width: int | None = None,
        return_attention: bool = False,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if attention_width is not None and attention_width < 1:
            raise ValueError(
                f"attention_width must be a positive number of time steps, got {attention_width}."
            )
        self.units = units
        self.attention_width = attention_width
        self.return_attention = return_attention
        self.epsilon = float(epsilon)

    def build(self, input_shape: tuple) -> None:
        features = int(input_shape[-1])
        kernel = keras.initializers.GlorotNormal()
        self.Wt = self.add_weight(shape=(features, self.units), initializer=kernel, name="Wt")
        self.Wx = self.add_weight(shape=(features, self.units), initializer=kernel, name="Wx")
        self.bh = self.add_weight(shape=(self.units,), initializer="zeros", name="bh")
        self.Wa = self.add_weight(shape=(self.units, 1), initializer=kernel, name="Wa")
        self.ba = self.add_weight(shape=(1,), initializer="zeros", name="ba")

    def call(self, inputs: Any) -> Any:
        q = tf.expand_dims(tf.matmul(inputs, self.Wt), 2)  # [B, T, 1, U]
        k = tf.expand_dims(tf.matmul(inputs, self.Wx), 1)  # [B, 1, T, U]
        h = tf.tanh(q + k + self.bh)  # [B, T, T, U]
        e = tf.squeeze(tf.matmul(h, self.Wa), -1) + self.ba  # [B, T, T]
        e = tf.exp(e - tf.reduce_max(e, axis=-1, keepdims=True))
        if self.attention_width is not None:
            length = tf.shape(inputs)[1]
            lower = tf.expand_dims(tf.range(length) - self.attention_width // 2, -1)
            upper = lower + self.attention_width
            indices = tf.expand_dims(tf.range(length), 0)
            window = tf.logical_and(lower <= indices, indices < upper)
            e = e * tf.cast(window, e.dtype)
        a = e / (tf.reduce_sum(e, axis=-1, keepdims=True) + self.epsilon)
        out = tf.matmul(a, inputs)
        if self.return_attention:
            return out, a
        return out

    def compute_output_shape(self, input_shape: tuple) -> Any:
        if self.return_attention:
            return input_shape, (input_shape[0], input_shape[1], input_shape[1])
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "attention_width": self.attention_width,
            "return_attention": self.return_attention,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package=_PACKAGE)
class FeedForward(keras.layers.Layer):
    """Position-wise feed-forward block: ``relu(x W1 + b1) W2 + b2``, dropout on the hidden units.

    Args:
        units: Hidden size (128 in EQTransformer).
        dropout_rate: Dropout on the hidden units, active in training only.
    """

    def __init__(self, units: int = 128, dropout_rate: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.dropout_rate = dropout_rate
        self.dropout = keras.layers.Dropout(dropout_rate)

    def build(self, input_shape: tuple) -> None:
        features = int(input_shape[-1])
        kernel = keras.initializers.GlorotNormal()
        self.W1 = self.add_weight(shape=(features, self.units), initializer=kernel, name="W1")
        self.b1 = self.add_weight(shape=(self.units,), initializer="zeros", name="b1")
        self.W2 = self.add_weight(shape=(self.units, features), initializer=kernel, name="W2")
        self.b2 = self.add_weight(shape=(features,), initializer="zeros", name="b2")

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        hidden = tf.nn.relu(tf.matmul(inputs, self.W1) + self.b1)
        hidden = self.dropout(hidden, training=training)
        return tf.matmul(hidden, self.W2) + self.b2

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "dropout_rate": self.dropout_rate}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class EqtLayerNormalization(keras.layers.Layer):
    """Layer normalisation over the last axis: ``(x - mean) / sqrt(var + epsilon) * gamma + beta``.

    Args:
        epsilon: Added to the variance; EQTransformer uses 1e-14 (Keras epsilon squared).
    """

    def __init__(self, epsilon: float = 1e-14, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape: tuple) -> None:
        features = int(input_shape[-1])
        self.gamma = self.add_weight(shape=(features,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(features,), initializer="zeros", name="beta")

    def call(self, inputs: Any) -> Any:
        mean = tf.reduce_mean(inputs, axis=-1, keepdims=True)
        variance = tf.reduce_mean(tf.square(inputs - mean), axis=-1, keepdims=True)
        return (inputs - mean) / tf.sqrt(variance + self.epsilon) * self.gamma + self.beta

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MCSpatialDropout1D(keras.layers.Layer):
    """Spatial dropout over whole channels of ``[batch, time, channels]``, with a Monte-Carlo switch.

    Dropout is applied (kept channels scaled by ``1 / (1 - rate)``) when the layer is called with
    ``training=True`` or while :attr:`mc_active` is on. The switch is a non-trainable boolean
    ``tf.Variable`` read inside the graph, so flipping it with :func:`mc_dropout` changes an already
    compiled predict function without retracing. It is not a model weight (not saved or converted).

    Args:
        rate: Fraction of channels dropped, in [0, 1).
        seed: Optional seed of the layer's random generator.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.mc_active = tf.Variable(False, trainable=False, name="mc_active")

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if self.rate == 0.0:
            return inputs
        shape = tf.shape(inputs)
        noise = keras.random.uniform((shape[0], 1, shape[2]), seed=self.seed_generator, dtype=inputs.dtype)
        keep = tf.cast(noise >= self.rate, inputs.dtype) / (1.0 - self.rate)
        if training is True:
            return inputs * keep
        return inputs * tf.where(self.mc_active, keep, tf.ones_like(keep))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


def mc_dropout_layers(model: keras.Model) -> list[MCSpatialDropout1D]:
    """All :class:`MCSpatialDropout1D` layers of ``model``, including those in nested models."""
    found: list[MCSpatialDropout1D] = []
    stack = list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, MCSpatialDropout1D):
            found.append(layer)
        stack.extend(getattr(layer, "layers", []))
    return found


@contextlib.contextmanager
def mc_dropout(model: keras.Model) -> Iterator[keras.Model]:
    """Switch on Monte-Carlo (inference-time) spatial dropout of ``model`` inside a ``with`` block.

    Batch normalisation and all other dropout stay in inference mode, as in the authors' published
    models (which call every SpatialDropout1D with ``training=True``). Each call of the model inside
    the block is one stochastic pass; the previous state is restored on exit.

    Example:
        >>> import numpy as np
        >>> from zoo.models.eqtransformer.model import build
        >>> model = build()
        >>> with mc_dropout(model):
        ...     passes = [model(np.ones((1, 6000, 3), "float32"))[1] for _ in range(2)]
    """
    layers = mc_dropout_layers(model)
    if not layers:
        raise ValueError(f"Model {model.name!r} has no Monte-Carlo dropout layers (MCSpatialDropout1D).")
    previous = [bool(layer.mc_active.numpy()) for layer in layers]
    for layer in layers:
        layer.mc_active.assign(True)
    try:
        yield model
    finally:
        for layer, state in zip(layers, previous):
            layer.mc_active.assign(state)
