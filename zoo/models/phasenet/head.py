"""PhaseNet's output head in its inference copy: the 1x1 output convolution and the softmax as one pass.

The folded network's head (:func:`zoo.models.phasenet.model.fold_batch_norm`) is a 1x1 convolution
giving the pairwise logit differences and :class:`~zoo.models.phasenet.layers.SoftmaxOfDifferences`.
TensorFlow runs that as five passes over ``[windows, 3000, 6]`` (convolution, minimum, exponential,
matrix product, reciprocal), which move about 35 MB per 64 windows for a few MFLOP of arithmetic.
:class:`CompiledSoftmax` computes the same probabilities in one loop compiled by XLA: at each sample
the logits relative to the first class from the features (the convolution's own difference columns),
and a softmax that subtracts the largest. PhaseNet's network, 64 windows per call, 100 alternating
calls on an AMD EPYC Zen 4: 25.6 -> 24.1 ms with oneDNN and XLA capped at AVX2, 20.7 -> 20.1 ms with
AVX-512 (25th percentiles); probabilities within 3e-7.

XLA compiles once per input shape, so a batch is padded with zero windows to a power of two (at most
8 shapes for up to 128 windows, each compiled once per process; a full batch is not copied). The
compiled function takes the weights as arguments and is shared by every copy with the same label order.
With ``jit_compile=False`` (exports: :func:`zoo.models.compiled_block.without_xla`) it runs the
folded network's own head, which TensorFlow runs well without XLA.

Example:
    >>> import numpy as np
    >>> head = CompiledSoftmax(3, order=(1, 2, 0))
    >>> head.build((None, 10, 8))
    >>> p = head(np.random.default_rng(0).normal(size=(3, 10, 8)).astype("float32"))
    >>> tuple(p.shape), bool(np.allclose(p.numpy().sum(axis=-1), 1.0))
    ((3, 10, 3), True)
"""

from __future__ import annotations

import functools
from typing import Any

import keras
import tensorflow as tf
from keras import layers

from zoo.models.compiled_block import Compiled, power_of_two_at_least
from zoo.models.phasenet.layers import SoftmaxOfDifferences, class_pairs


@functools.lru_cache(maxsize=16)
def _fused(classes: int, order: tuple[int, ...]) -> Any:
    """``(features, kernel, bias) -> probabilities`` compiled by XLA, from the differences convolution's
    ``kernel`` ``[channels, pairs]`` and ``bias``: class ``order[k]``'s probability at ``k``."""
    pairs = class_pairs(classes)
    columns = [pairs.index((0, j)) for j in range(1, classes)]  # z_j - z_0

    @tf.function(jit_compile=True)
    def run(features: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) -> tf.Tensor:
        logits = [tf.zeros_like(features[..., 0])]
        logits += [tf.reduce_sum(features * kernel[:, c], axis=-1) + bias[c] for c in columns]
        largest = functools.reduce(tf.maximum, logits)
        exponentials = [tf.exp(z - largest) for z in logits]
        total = tf.add_n(exponentials)
        return tf.stack([exponentials[c] / total for c in order], axis=-1)

    return run


@keras.saving.register_keras_serializable(package="zoo")
class CompiledSoftmax(Compiled, layers.Layer):
    """The folded network's ``output_differences`` convolution (1x1) and its softmax over ``classes``, put
    out in ``order`` (class ``order[k]`` at ``k``; ascending by default), as one XLA-compiled pass.

    Weights are the convolution's: kernel ``[channels, classes * (classes - 1)]`` (the 1x1 kernel without
    its length axis) and bias, in the order of :func:`~zoo.models.phasenet.layers.class_pairs`.

    Args:
        classes: Number of classes.
        order: Output order of the classes.
        jit_compile: ``False`` runs the convolution and :class:`SoftmaxOfDifferences` as plain ops.
    """

    def __init__(
        self, classes: int, order: tuple[int, ...] | None = None, jit_compile: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.softmax = SoftmaxOfDifferences(classes, order=order, name=f"{self.name}_differences")
        self.classes, self.order, self.jit_compile = classes, self.softmax.order, jit_compile

    def build(self, input_shape: tuple) -> None:
        pairs = self.classes * (self.classes - 1)
        self.kernel = self.add_weight(shape=(input_shape[-1], pairs), initializer="zeros", name="kernel")
        self.bias = self.add_weight(shape=(pairs,), initializer="zeros", name="bias")

    def call(self, features: Any) -> Any:
        kernel, bias = tf.convert_to_tensor(self.kernel), tf.convert_to_tensor(self.bias)
        if not self.jit_compile:
            return self.softmax(tf.tensordot(features, kernel, axes=1) + bias)
        shape = tf.shape(features)
        count = shape[0]
        total = power_of_two_at_least(count)
        padded = tf.cond(
            total > count,
            lambda: tf.concat(
                [features, tf.zeros(tf.concat([[total - count], shape[1:]], 0), features.dtype)], 0
            ),
            lambda: features,
        )
        return _fused(self.classes, self.order)(padded, kernel, bias)[:count]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.classes)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "classes": self.classes,
            "order": self.order,
            "jit_compile": self.jit_compile,
        }
