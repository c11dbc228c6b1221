"""Faster forms of Keras ``Conv1D`` and ``Conv1DTranspose`` layers for inference copies of a network.

:func:`rewrite_convolutions` makes an inference copy of any functional model built from Keras layers
(EQTransformer's, PhaseNet's folded one): it calls the model's own layers on a new graph in which
convolutions are replaced by a :class:`MappedConv1D` carrying a kernel computed once from theirs; every
other layer is the model's own (so Monte-Carlo dropout switches act on both). The copy is for
prediction: its kernels are fixed when it is made (the predict path makes a new copy when the model's
weights change). EQTransformer: network 356-370 -> about 190 ms per 128 windows on 2 cores; outputs
within 5e-7.

Each replacement computes the layer's ``same`` convolution as a stride-1 convolution of the input read
in blocks (``[batch, n, c] -> [batch, n / q, q x c]``, a free reshape) with ``r x filters`` outputs
per block, whose kernel is the layer's kernel through a fixed 0/1 map of taps:

- ``UpSampling1D(2) -> Conv1D``: ``q = 1``, ``r = 2`` (EQTransformer's decoders: 0.56-0.71 of the
  arithmetic, and the upsampled tensor is never made);
- a long convolution with fewer than 8 filters: ``q = r = 8`` (EQTransformer's 8 -> 1 output heads:
  oneDNN runs 8 -> 1 filters over 6,000 samples at 10 GFLOP/s, against 150-250 for wide layers; blocked,
  twice as fast);
- a convolution with exactly 8 filters over an even length, where :func:`pairs_fill_a_vector`:
  ``q = r = 2`` ("paired": 16 outputs per pair of samples fill one AVX-512 vector of float32;
  PhaseNet's 3000-sample layers, 8 -> 8 filters 2.46 -> 2.08 ms and 3 -> 8 filters 1.40 -> 1.26 ms per
  64 windows on an AMD EPYC with AVX-512, for 1.4 times the multiply-adds; on an AVX2 CPU, whose
  vectors hold 8 float32, PhaseNet's network is 3-5 % slower paired);
- a strided transposed convolution: ``q = 1``, ``r = stride`` (PhaseNet's up-sampling layers);
- a strided ``Conv1D`` of odd kernel size: ``q = r = 1``, the kernel itself, with the layer's stride
  (PhaseNet's down-sampling layers; their weights become constants in annotation's copy,
  :mod:`zoo.models.constant_weights`);
- any other stride-1 ``Conv1D`` with an activation: ``q = r = 1``, the kernel itself.

:class:`MappedConv1D` is written as a 2-D convolution over one row followed by ``bias_add`` and the
activation: the pattern TensorFlow's remapper fuses into one oneDNN convolution with the bias and ReLU
applied inside. (Keras' ``Conv1D`` squeezes the row axis between the convolution and its activation, so
ReLU ran as one more pass over the output; a transposed convolution fused neither bias nor ReLU.)

Example:
    >>> import numpy as np, keras
    >>> conv = keras.layers.Conv1D(1, 11, padding="same", activation="sigmoid")
    >>> x = np.random.default_rng(0).normal(size=(2, 64, 8)).astype("float32")
    >>> direct = conv(x)
    >>> blocked = replacement(conv, "blocked", x)
    >>> (blocked.phases_in, blocked.phases_out), bool(np.allclose(blocked(x), direct, atol=1e-6))
    ((8, 8), True)
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import keras
import numpy as np
import tensorflow as tf

from zoo.hardware import avx512_vectors, gpu_compute_capability
from zoo.models.constant_weights import ConstantWeights

Kind = Literal["upsampled", "blocked", "paired", "transposed", "strided", "plain"]

_BLOCK = 8
"""Samples per block for convolutions with fewer than this many filters (8 -> 1 over 6,000: 9 -> 4.3 ms)."""
PAIRED_FILTERS = 8
"""Filters of the convolutions computed on pairs of samples (``"paired"``): 16 outputs per pair."""


def pairs_fill_a_vector() -> bool:
    """Whether inference copies compute 8-filter convolutions on pairs of samples here by default: where
    oneDNN runs the network on AVX-512 vectors (16 float32, :func:`zoo.hardware.avx512_vectors`), not
    where a GPU takes it or the vectors hold 8 (an AVX2 CPU, or oneDNN capped at AVX2)."""
    return avx512_vectors() and gpu_compute_capability() is None


@keras.saving.register_keras_serializable(package="zoo")
class MappedConv1D(ConstantWeights, keras.layers.Layer):
    """A ``same`` 1-D convolution on the input read in blocks of ``phases_in`` samples, giving
    ``phases_out`` output samples per block; made by :func:`replacement` with a mapped kernel.

    Args:
        filters: Output channels per output sample.
        size: Kernel length in blocks (odd: ``same`` padding is symmetric).
        phases_in: Input samples per block (the input length must be a multiple of it).
        phases_out: Output samples per block.
        activation: Keras activation.
        use_bias: Whether there is a bias (``phases_out x filters``: the layer's bias, repeated).
        strides: Blocks between outputs (``same`` padding as TensorFlow pads: ``ceil(n / strides)``
            outputs); more than 1 only with one sample per block in and out.
    """

    follows_dtype_policy = True
    """Computes in the layer's dtype policy (bfloat16 copies: :func:`zoo.waveforms.precision.network_in`)."""

    def __init__(
        self,
        filters: int,
        size: int,
        phases_in: int = 1,
        phases_out: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        strides: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if strides > 1 and (phases_in, phases_out) != (1, 1):
            raise ValueError(
                f"strides > 1 needs one sample per block in and out, got {phases_in} and {phases_out}."
            )
        self.filters, self.size, self.use_bias, self.strides = filters, size, use_bias, strides
        self.phases_in, self.phases_out = phases_in, phases_out
        self.activation = keras.activations.get(activation)

    def build(self, input_shape: tuple) -> None:
        if input_shape[1] is not None and input_shape[1] % self.phases_in:
            raise ValueError(
                f"{self.name} reads blocks of {self.phases_in} samples and needs an input length that is a "
                f"multiple of it; got {input_shape[1]} samples."
            )
        shape = (self.size, self.phases_in * input_shape[-1], self.phases_out * self.filters)
        self.kernel = self.add_weight(shape=shape, initializer="glorot_uniform", name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(shape[-1],), initializer="zeros", name="bias")

    def call(self, x: Any) -> Any:
        shape = tf.shape(x)
        blocks = shape[1] // self.phases_in
        rows = tf.reshape(x, (shape[0], 1, blocks, self.phases_in * x.shape[-1]))
        kernel = self.weight(self.kernel)[None]
        y = tf.nn.conv2d(rows, kernel, strides=(1, 1, self.strides, 1), padding="SAME")
        if self.use_bias:
            y = tf.nn.bias_add(y, self.weight(self.bias))
        y = self.activation(y)
        outputs = (blocks + self.strides - 1) // self.strides * self.phases_out
        return tf.reshape(y, (shape[0], outputs, self.filters))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        if input_shape[1] is None:
            return (input_shape[0], None, self.filters)
        blocks = input_shape[1] // self.phases_in
        outputs = (blocks + self.strides - 1) // self.strides * self.phases_out
        return (input_shape[0], outputs, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "size": self.size,
            "phases_in": self.phases_in,
            "phases_out": self.phases_out,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "strides": self.strides,
        }


def _tap_map(
    links: list[tuple[int, int, int, int]], size: int, phases_in: int, phases_out: int
) -> np.ndarray:
    """``[offsets, size, phases_in, phases_out]`` with a 1 at each ``(offset, tap, q, r)`` of ``links``:
    kernel tap ``t`` links input phase ``q`` at block offset ``d`` to output phase ``r``. Offsets run
    symmetrically ``-reach..reach`` so that ``same`` padding of the mapped kernel lines up."""
    reach = max(abs(d) for d, _, _, _ in links)
    taps = np.zeros((2 * reach + 1, size, phases_in, phases_out))
    for d, t, q, r in links:
        taps[d + reach, t, q, r] = 1.0
    return taps


def _blocked_taps(size: int, block: int) -> np.ndarray:
    """The tap map of a stride-1 ``same`` convolution of ``size`` taps on blocks of ``block`` samples."""
    # output block x n + r reads input block x n + r + t - p
    pad = (size - 1) // 2
    links = [((r + t - pad) // block, t, (r + t - pad) % block, r) for t in range(size) for r in range(block)]
    return _tap_map(links, size, block, block)


def _mapped(taps: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``kernel`` ``[taps, channels, filters]`` through ``taps``: ``[offsets, phases_in x channels,
    phases_out x filters]`` (float32)."""
    offsets, _, phases_in, _ = taps.shape
    mapped = np.einsum("dtqr,tio->dqiro", taps, kernel.astype(np.float64))
    return mapped.reshape(offsets, phases_in * kernel.shape[1], -1).astype(np.float32)


def blocked_length(size: int, block: int) -> int:
    """Length in blocks of the kernel that computes a ``size``-tap convolution on blocks of ``block``
    samples (:func:`blocked_kernel`).

    Example:
        >>> blocked_length(7, 2), blocked_length(7, 1)
        (5, 7)
    """
    return _blocked_taps(size, block).shape[0]


def blocked_kernel(kernel: np.ndarray, block: int) -> np.ndarray:
    """The kernel that computes a stride-1 ``same`` convolution with ``kernel`` ``[taps, channels,
    filters]`` on the input read in blocks of ``block`` samples (``block`` output samples per block).

    Example:
        >>> blocked_kernel(np.ones((7, 8, 8)), 2).shape
        (5, 16, 16)
    """
    return _mapped(_blocked_taps(kernel.shape[0], block), kernel)


def _taps(layer: keras.layers.Layer, kind: Kind, block: int) -> np.ndarray:
    size = layer.kernel_size[0]
    if kind == "upsampled":
        # output 2n + r of the convolution over repeated samples reads input n + (r + t - p) // 2
        pad = (size - 1) // 2
        return _tap_map([((r + t - pad) // 2, t, 0, r) for t in range(size) for r in (0, 1)], size, 1, 2)
    if kind == "blocked":
        return _blocked_taps(size, block)
    if kind == "paired":
        return _blocked_taps(size, 2)
    if kind == "transposed":
        # input n times tap t goes to output s n + t - p (TensorFlow's "same": p = max(size - s, 0) // 2),
        # so output s n + r reads input n + (r + p - t) / s where that is whole
        stride = layer.strides[0]
        pad = max(size - stride, 0) // 2
        links = [
            ((r + pad - t) // stride, t, 0, r)
            for t in range(size)
            for r in range(stride)
            if (r + pad - t) % stride == 0
        ]
        return _tap_map(links, size, 1, stride)
    return _tap_map([(t - (size - 1) // 2, t, 0, 0) for t in range(size)], size, 1, 1)


def replacement(layer: keras.layers.Layer, kind: Kind, x: Any, block: int = _BLOCK) -> MappedConv1D:
    """A built :class:`MappedConv1D` computing ``layer`` (a ``same`` ``Conv1D``, or a strided ``same``
    ``Conv1DTranspose`` for ``kind="transposed"``) on inputs like ``x``, with its kernel mapped now
    (``block``: samples per block for ``kind="blocked"``)."""
    taps = _taps(layer, kind, block)
    offsets, _, phases_in, phases_out = taps.shape
    kernel = layer.kernel.numpy()
    if kind == "transposed":
        kernel = kernel.transpose(0, 2, 1)  # Conv1DTranspose keeps [taps, filters, channels]
    filters = kernel.shape[2]
    weights = [_mapped(taps, kernel)]
    if layer.use_bias:
        weights.append(np.tile(layer.bias.numpy(), phases_out))
    new = MappedConv1D(
        filters,
        offsets,
        phases_in,
        phases_out,
        activation=keras.activations.serialize(layer.activation),
        use_bias=layer.use_bias,
        strides=layer.strides[0] if kind == "strided" else 1,
        name=f"{layer.name}_{kind}",
    )
    new.build(tuple(x.shape))
    new.set_weights(weights)
    return new


def source_name(name: str) -> str:
    """The name of the layer that the layer named ``name`` replaces (``name`` itself if it is no
    replacement): :func:`replacement` names its layers ``<source>_<kind>``.

    Example:
        >>> source_name("down_conv1_2_plain"), source_name("down_conv3_1")
        ('down_conv1_2', 'down_conv3_1')
    """
    source, _, kind = name.rpartition("_")
    return source if kind in get_args(Kind) else name


def _same_conv1d(layer: keras.layers.Layer) -> bool:
    """A Keras ``Conv1D`` with ``same`` padding, no dilation and no groups (any stride)."""
    return (
        type(layer) is keras.layers.Conv1D
        and layer.dilation_rate == (1,)
        and layer.padding == "same"
        and layer.groups == 1
    )


def _kinds(model: keras.Model, paired: bool) -> tuple[dict[str, Kind], set[str]]:
    """Layer name -> how it is replaced, and the ``UpSampling1D(2)`` layers folded into the next
    (``paired``: whether 8-filter convolutions over even lengths are ``"paired"``)."""
    kinds: dict[str, Kind] = {}
    skipped = set()
    for layer in model.layers:
        if type(layer) is keras.layers.Conv1DTranspose:
            if layer.strides[0] > 1 and layer.dilation_rate == (1,) and layer.padding == "same":
                if layer.output_padding is None:
                    kinds[layer.name] = "transposed"
            continue
        if not _same_conv1d(layer):
            continue
        if layer.strides[0] > 1:
            if layer.kernel_size[0] % 2:  # an even kernel is mapped to odd, which TensorFlow pads otherwise
                kinds[layer.name] = "strided"
            continue
        producer = layer.input._keras_history.operation
        length = layer.input.shape[1]
        if (
            isinstance(producer, keras.layers.UpSampling1D)
            and producer.size == 2
            and len(producer._outbound_nodes) == 1
        ):
            kinds[layer.name] = "upsampled"
            skipped.add(producer.name)
        elif (
            layer.filters < _BLOCK
            and layer.kernel_size[0] > 1
            and length is not None
            and length % _BLOCK == 0
        ):
            kinds[layer.name] = "blocked"
        elif (
            paired
            and layer.filters == PAIRED_FILTERS
            and layer.kernel_size[0] > 1
            and length is not None
            and length % 2 == 0
        ):
            kinds[layer.name] = "paired"
        elif keras.activations.serialize(layer.activation) != "linear":
            kinds[layer.name] = "plain"
    return kinds, skipped


def rewrite_convolutions(model: keras.Model, paired: bool | None = None) -> keras.Model:
    """An inference copy of ``model`` with its convolutions as :class:`MappedConv1D` (see the module).

    Args:
        model: A functional Keras model.
        paired: Compute 8-filter convolutions over even lengths on pairs of samples; ``None``: where
            :func:`pairs_fill_a_vector`. The outputs are the same either way.

    Raises:
        TypeError: ``paired`` is not ``True``, ``False`` or ``None``.

    Example:
        >>> from zoo.models.eqtransformer.model import build
        >>> fast = rewrite_convolutions(build(), paired=True)
        >>> sorted({layer.name.rsplit("_", 1)[1] for layer in fast.layers if isinstance(layer, MappedConv1D)})
        ['blocked', 'paired', 'plain', 'upsampled']
    """
    if paired is not None and not isinstance(paired, bool):
        raise TypeError(f"paired must be True, False or None (decided by the CPU), got {paired!r}.")
    kinds, skipped = _kinds(model, pairs_fill_a_vector() if paired is None else paired)

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if layer.name in skipped:
            return args[0]
        if layer.name not in kinds:
            return layer(*args, **kwargs)
        return replacement(layer, kinds[layer.name], args[0])(*args, **kwargs)

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
