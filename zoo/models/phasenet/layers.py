"""PhaseNet's custom layers: the U-Net's crop-and-concatenate skip connection, and for the folded
inference network the convolution of that concatenation without building it and the softmax head (as
TensorFlow ops, and as one XLA-compiled pass for annotation).

Example:
    >>> import numpy as np
    >>> skip, up = np.zeros((1, 750, 8), "float32"), np.ones((1, 752, 16), "float32")
    >>> tuple(CropAndConcat()(skip, up).shape)
    (1, 750, 24)
"""

from __future__ import annotations

import functools
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from zoo.models.compiled_block import Compiled, power_of_two_at_least
from zoo.models.constant_weights import ConstantWeights
from zoo.models.conv_rewrites import blocked_length


@keras.saving.register_keras_serializable(package="zoo")
class CropAndConcat(layers.Layer):
    """Crop ``up`` centrally to the length of ``skip`` and concatenate ``[skip, up]`` on channels."""

    def call(self, skip, up):
        return keras.ops.concatenate([skip, _central(up, keras.ops.shape(skip)[1])], axis=-1)

    def compute_output_shape(self, skip_shape, up_shape):
        return (skip_shape[0], skip_shape[1], skip_shape[2] + up_shape[2])


def _central(up, length):
    """``up`` cropped centrally to ``length`` samples (the rule of :class:`CropAndConcat`)."""
    offset = (keras.ops.shape(up)[1] - length) // 2
    return up[:, offset : offset + length, :]


@keras.saving.register_keras_serializable(package="zoo")
class SkipConv1D(ConstantWeights, layers.Layer):
    """``Conv1D(CropAndConcat()(skip, up))`` (``same`` padding, stride 1) without the concatenated tensor.

    The kernel's first ``skip`` input channels convolve ``skip``, the others the cropped ``up``; the
    second convolution, its bias, the sum with the first and the activation run as one oneDNN call.
    The sum is an ``AddN``: TensorFlow's remapper fuses an ``Add`` into a convolution only when it can
    prove both inputs have the same shape, which the unknown batch size prevents (PhaseNet's network,
    24.0 -> 22.0 ms per 64 windows). Kernel ``[kernel_size, skip + up channels, filters]`` and bias are
    those of the ``Conv1D`` it replaces. In PhaseNet's folded network this saves the copy into the
    concatenation (at 3000 samples: 5.4 -> 3.9 ms per 64 windows).

    With ``block`` > 1 (PhaseNet's inference copy at 3000 samples:
    :func:`zoo.models.phasenet.inference.pair_skip_convolutions`) both inputs are read
    in blocks of ``block`` samples, and the kernel is the ``Conv1D``'s mapped for them
    (:func:`zoo.models.conv_rewrites.blocked_kernel`, skip and ``up`` parts each).

    Args:
        filters: Output channels.
        kernel_size: Kernel length in samples.
        activation: Keras activation applied last (``"relu"`` in PhaseNet).
        use_bias: Whether the convolution has a bias.
        padding: ``"same"`` (the only padding it computes; accepted so that it takes a ``Conv1D``'s
            arguments).
        block: Samples per block (the input length must be a multiple of it).

    Example:
        >>> import numpy as np
        >>> skip, up = np.ones((1, 750, 8), "float32"), np.ones((1, 752, 8), "float32")
        >>> tuple(SkipConv1D(8, 7)(skip, up).shape)
        (1, 750, 8)
    """

    follows_dtype_policy = True
    """Computes in the layer's dtype policy (bfloat16 copies: :func:`zoo.waveforms.precision.network_in`)."""

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        activation=None,
        use_bias: bool = True,
        padding: str = "same",
        block: int = 1,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if padding != "same":
            raise ValueError(f"SkipConv1D computes 'same' convolutions only, got padding={padding!r}.")
        self.filters, self.kernel_size, self.use_bias, self.block = filters, kernel_size, use_bias, block
        self.activation = keras.activations.get(activation)

    def build(self, skip_shape, up_shape):
        if skip_shape[1] is not None and skip_shape[1] % self.block:
            raise ValueError(
                f"{self.name} reads blocks of {self.block} samples and needs a skip length that is a "
                f"multiple of it; got {skip_shape[1]} samples."
            )
        channels = self.block * (skip_shape[-1] + up_shape[-1])
        self.kernel = self.add_weight(
            shape=(blocked_length(self.kernel_size, self.block), channels, self.block * self.filters),
            initializer="glorot_uniform",
            name="kernel",
        )
        self.bias = (
            self.add_weight(shape=(self.block * self.filters,), initializer="zeros", name="bias")
            if self.use_bias
            else None
        )

    def call(self, skip, up):
        shape = tf.shape(skip)
        channels = self.block * skip.shape[-1]
        cropped = _central(up, shape[1])

        def rows(x):
            return tf.reshape(x, (shape[0], 1, shape[1] // self.block, self.block * x.shape[-1]))

        kernel = self.weight(self.kernel)[None]
        y = tf.nn.conv2d(rows(cropped), kernel[:, :, channels:], strides=1, padding="SAME")
        if self.use_bias:
            y = tf.nn.bias_add(y, self.weight(self.bias))
        y = tf.math.add_n([y, tf.nn.conv2d(rows(skip), kernel[:, :, :channels], strides=1, padding="SAME")])
        return tf.reshape(self.activation(y), (shape[0], shape[1], self.filters))

    def compute_output_shape(self, skip_shape, up_shape):
        return (skip_shape[0], skip_shape[1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "block": self.block,
        }


def class_pairs(classes: int) -> list[tuple[int, int]]:
    """The ordered pairs ``(i, j)``, ``i != j``, of ``classes`` classes, ``i`` major: the inputs of
    :class:`SoftmaxOfDifferences` are the logit differences ``z_j - z_i`` in this order."""
    return [(i, j) for i in range(classes) for j in range(classes) if j != i]


_LARGEST_DIFFERENCE = 80.0
"""exp(80) = 5.5e34: summed over any realistic number of classes it stays finite in float32."""


@keras.saving.register_keras_serializable(package="zoo")
class SoftmaxOfDifferences(layers.Layer):
    """Softmax over ``classes`` computed from the pairwise logit differences of :func:`class_pairs`.

    ``softmax(z)_i = 1 / (1 + sum_{j != i} exp(z_j - z_i))``: one exponential per pair and a matrix
    product that sums each class's pairs. A softmax over an innermost axis of 3 runs element by element
    on a CPU (oneDNN and Eigen alike: a fifth of PhaseNet's network time at batch 128); this head costs
    a 1x1 convolution with ``classes * (classes - 1)`` filters (which produces the differences) and
    a few passes over the data. ``order`` lists the classes in the order they are put out (class
    ``order[k]`` at ``k``; ascending by default): the summing matrix's columns in that order, so a
    relabelling costs nothing. Differences are capped at 80 before the exponential (a product of
    ``inf`` with the summing matrix's zeros would be NaN): a class that far behind gets a probability
    of at most 2e-35 instead of a smaller one.

    Example:
        >>> import numpy as np
        >>> z = np.array([[[0.5, -1.0, 2.0]]], "float32")
        >>> d = np.array([[[z[0, 0, j] - z[0, 0, i] for i, j in class_pairs(3)]]], "float32")
        >>> p = np.exp(z) / np.exp(z).sum()
        >>> bool(np.allclose(SoftmaxOfDifferences(3)(d), p, atol=1e-7))
        True
    """

    def __init__(self, classes: int, order: tuple[int, ...] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.classes = classes
        self.order = tuple(range(classes)) if order is None else tuple(int(c) for c in order)
        if sorted(self.order) != list(range(classes)):
            raise ValueError(f"order must list the classes 0..{classes - 1} once each, got {order!r}.")
        self._sums = np.zeros((classes * (classes - 1), classes), "float32")
        for k, (i, _) in enumerate(class_pairs(classes)):
            self._sums[k, self.order.index(i)] = 1.0

    def call(self, differences):
        shape = keras.ops.shape(differences)
        capped = keras.ops.minimum(differences, _LARGEST_DIFFERENCE)
        flat = keras.ops.reshape(keras.ops.exp(capped), (-1, shape[-1]))
        sums = keras.ops.matmul(flat, keras.ops.convert_to_tensor(self._sums, dtype=flat.dtype))
        return keras.ops.reshape(1.0 / (1.0 + sums), (shape[0], shape[1], self.classes))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.classes)

    def get_config(self):
        return {**super().get_config(), "classes": self.classes, "order": self.order}


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
    out in ``order`` (class ``order[k]`` at ``k``; ascending by default), as one XLA-compiled pass: the
    head of PhaseNet's inference copy (:func:`zoo.models.phasenet.inference.labelled`).

    TensorFlow runs the folded head (the convolution and :class:`SoftmaxOfDifferences`) as five passes
    over ``[windows, 3000, 6]`` (convolution, minimum, exponential, matrix product, reciprocal), which move
    about 35 MB per 64 windows for a few MFLOP. This layer computes the same probabilities in one loop
    compiled by XLA: at each sample the logits relative to the first class from the features (the
    convolution's own difference columns), and a softmax that subtracts the largest. PhaseNet's network,
    64 windows per call, 100 alternating calls on an AMD EPYC Zen 4: 25.6 -> 24.1 ms with oneDNN and XLA
    capped at AVX2, 20.7 -> 20.1 ms with AVX-512 (25th percentiles); probabilities within 3e-7.

    XLA compiles once per input shape, so a batch is padded with zero windows to a power of two (at most
    8 shapes for up to 128 windows, each compiled once per process, about 0.1-0.2 s; a full batch is not
    copied). The compiled function takes the weights as arguments and is shared by every copy with the
    same label order. With ``jit_compile=False`` (exports:
    :func:`zoo.models.compiled_block.without_xla`) it runs the folded network's own head, which TensorFlow
    runs well without XLA.

    Weights are the convolution's: kernel ``[channels, classes * (classes - 1)]`` (the 1x1 kernel without
    its length axis) and bias, in the order of :func:`~zoo.models.phasenet.layers.class_pairs`.

    Args:
        classes: Number of classes.
        order: Output order of the classes.
        jit_compile: ``False`` runs the convolution and :class:`SoftmaxOfDifferences` as plain ops.

    Example:
        >>> head = CompiledSoftmax(3, order=(1, 2, 0))
        >>> head.build((None, 10, 8))
        >>> p = head(np.random.default_rng(0).normal(size=(3, 10, 8)).astype("float32"))
        >>> tuple(p.shape), bool(np.allclose(p.numpy().sum(axis=-1), 1.0))
        ((3, 10, 3), True)
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
