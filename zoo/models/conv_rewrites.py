"""Faster forms of a Keras ``Conv1D`` for inference networks: same configuration, same weights.

:func:`rewrite_convolutions` is a card's ``inference_model`` for any functional model built from Keras
layers (EQTransformer's): it calls the model's own layers on a new graph in which each
``UpSampling1D(2) -> Conv1D`` pair is one :class:`UpsampledConv1D` and each long, narrow convolution a
:class:`BlockedConv1D`, with copies of their weights; every other layer is the model's own (so
Monte-Carlo dropout switches act on both; the predict path rebuilds the copy when the weights change).
EQTransformer: network 356-370 -> about 230 ms per 128 windows on 2 cores, outputs within 5e-7.

oneDNN runs a 1-D convolution well when it has many input and output channels, and poorly when the
sequence is long and the channels few (8 -> 1 filters over 6,000 samples: 10 GFLOP/s, against 150-250
for the wider layers). Both layers here compute a ``stride-1``, ``same`` convolution as another
convolution whose kernel is made from the layer's own kernel by a fixed 0/1 map of taps (so the layers
load, save and fine-tune like ``Conv1D``):

- :class:`UpsampledConv1D`: ``conv(UpSampling1D(2)(x))`` as one convolution of ``x`` with both output
  phases as channels (EQTransformer's decoders: 0.56-0.71 of the arithmetic, no upsampled tensor).
- :class:`BlockedConv1D`: ``conv(x)`` on ``x`` reshaped to blocks of ``block`` samples
  (``[batch, n, c] -> [batch, n / block, block x c]``, a free reshape) with ``block x filters``
  outputs: more arithmetic, far better used (EQTransformer's 8 -> 1 output heads: 2x as fast).

Example:
    >>> import numpy as np, keras
    >>> conv = keras.layers.Conv1D(1, 11, padding="same", activation="sigmoid")
    >>> x = np.random.default_rng(0).normal(size=(2, 64, 8)).astype("float32")
    >>> direct = conv(x)
    >>> blocked = BlockedConv1D.from_config({**conv.get_config(), "block": 8})
    >>> _ = blocked(x); blocked.set_weights(conv.get_weights())
    >>> bool(np.allclose(blocked(x), direct, atol=1e-6))
    True
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf


def _tap_map(
    links: list[tuple[int, int, int, int]], size: int, phases_in: int, phases_out: int
) -> np.ndarray:
    """``[offsets, size, phases_in, phases_out]`` with a 1 at each ``(offset, tap, q, r)`` of ``links``;
    offsets run symmetrically ``-reach..reach`` so that ``same`` padding of the new kernel lines up."""
    reach = max(abs(d) for d, _, _, _ in links)
    taps = np.zeros((2 * reach + 1, size, phases_in, phases_out), "float32")
    for d, t, q, r in links:
        taps[d + reach, t, q, r] = 1.0
    return taps


class _TapMappedConv1D(keras.layers.Conv1D):
    """A stride-1 ``same`` ``Conv1D`` computed as a convolution with the kernel ``einsum(taps, kernel)``.

    ``_taps()`` is ``[offsets, kernel_size, phases_in, phases_out]`` (:func:`_tap_map`): 1 where kernel
    tap ``t`` links input phase ``q`` at block offset ``d`` to output phase ``r``. The input is read as
    ``[batch, n, phases_in x channels]``; the output ``[batch, n, phases_out x filters]`` is reshaped
    back to samples. The convolution is written as a 2-D one over a single row with ``bias_add``, the
    pattern TensorFlow's remapper fuses with the activation into one oneDNN convolution (bias and ReLU
    had run as two more passes over the output: a quarter of these layers' time).
    """

    def _taps(self) -> np.ndarray:
        raise NotImplementedError

    def call(self, x: Any) -> Any:
        taps = self._taps()
        offsets, _, phases_in, phases_out = taps.shape
        kernel = keras.ops.einsum("dtqr,tio->dqiro", taps, self.kernel)
        channels = self.kernel.shape[1]
        kernel = keras.ops.reshape(kernel, (offsets, phases_in * channels, phases_out * self.filters))
        shape = tf.shape(x)
        blocks = shape[1] // phases_in
        rows = tf.reshape(x, (shape[0], 1, blocks, phases_in * channels))
        y = tf.nn.conv2d(rows, kernel[None], strides=1, padding="SAME")
        if self.use_bias:
            y = tf.nn.bias_add(y, tf.tile(self.bias, [phases_out]))
        y = self.activation(y)
        return tf.reshape(y, (shape[0], blocks * phases_out, self.filters))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        _, _, phases_in, phases_out = self._taps().shape
        length = None if input_shape[1] is None else input_shape[1] // phases_in * phases_out
        return (input_shape[0], length, self.filters)


@keras.saving.register_keras_serializable(package="zoo")
class UpsampledConv1D(_TapMappedConv1D):
    """``conv(UpSampling1D(2)(x))`` as one convolution of ``x`` at the lower rate.

    Output sample ``2n + r`` of the convolution over repeated samples reads input samples
    ``n + (r + t - p) // 2`` for taps ``t`` (``p = (kernel_size - 1) // 2``), so the two output phases
    are one convolution with ``2 x filters`` outputs, the taps that read the same input sample summed.
    """

    def _taps(self) -> np.ndarray:
        size = self.kernel_size[0]
        pad = (size - 1) // 2
        links = [((r + t - pad) // 2, t, 0, r) for t in range(size) for r in (0, 1)]
        return _tap_map(links, size, 1, 2)


@keras.saving.register_keras_serializable(package="zoo")
class BlockedConv1D(_TapMappedConv1D):
    """``conv(x)`` computed on blocks of ``block`` samples (the input length must be a multiple of it).

    Output sample ``block x n + r`` reads input sample ``block x n + r + t - p``: block offset
    ``(r + t - p) // block``, phase ``(r + t - p) % block``.
    """

    def __init__(self, *args: Any, block: int = 8, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.block = block

    def build(self, input_shape: tuple) -> None:
        if input_shape[1] is not None and input_shape[1] % self.block:
            raise ValueError(
                f"BlockedConv1D needs an input length that is a multiple of block={self.block}; "
                f"got {input_shape[1]} samples."
            )
        super().build(input_shape)

    def _taps(self) -> np.ndarray:
        size, block = self.kernel_size[0], self.block
        pad = (size - 1) // 2
        links = [
            ((r + t - pad) // block, t, (r + t - pad) % block, r) for t in range(size) for r in range(block)
        ]
        return _tap_map(links, size, block, block)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "block": self.block}


_BLOCK = 8
"""Samples per block for convolutions with fewer than this many filters (8 -> 1 over 6,000: 9 -> 4.3 ms)."""


def _rewritable(layer: keras.layers.Layer) -> bool:
    return (
        type(layer) is keras.layers.Conv1D
        and layer.strides == (1,)
        and layer.dilation_rate == (1,)
        and layer.padding == "same"
        and layer.groups == 1
    )


def _upsampled(model: keras.Model) -> dict[str, str]:
    """Convolution name -> the ``UpSampling1D(2)`` that feeds it directly and nothing else."""
    pairs = {}
    for layer in model.layers:
        if _rewritable(layer):
            producer = layer.input._keras_history.operation
            if (
                isinstance(producer, keras.layers.UpSampling1D)
                and producer.size == 2
                and len(producer._outbound_nodes) == 1
            ):
                pairs[layer.name] = producer.name
    return pairs


def _blocked(model: keras.Model, upsampled: dict[str, str]) -> set[str]:
    """Convolutions with fewer than ``_BLOCK`` filters over a known length that is a multiple of it."""
    return {
        layer.name
        for layer in model.layers
        if _rewritable(layer)
        and layer.name not in upsampled
        and layer.filters < _BLOCK
        and layer.kernel_size[0] > 1
        and layer.input.shape[1] is not None
        and layer.input.shape[1] % _BLOCK == 0
    }


def rewrite_convolutions(model: keras.Model) -> keras.Model:
    """``model`` with upsampling + convolution pairs fused and narrow convolutions blocked.

    Example:
        >>> from zoo.models.eqtransformer.model import build
        >>> fast = rewrite_convolutions(build())
        >>> sorted({type(layer).__name__ for layer in fast.layers} & {"UpsampledConv1D", "BlockedConv1D"})
        ['BlockedConv1D', 'UpsampledConv1D']
    """
    upsampled = _upsampled(model)
    replaced: dict[str, tuple[type, dict[str, Any]]] = {name: (UpsampledConv1D, {}) for name in upsampled}
    replaced.update({name: (BlockedConv1D, {"block": _BLOCK}) for name in _blocked(model, upsampled)})
    skipped = set(upsampled.values())

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if layer.name in skipped:
            return args[0]
        if layer.name not in replaced:
            return layer(*args, **kwargs)
        make, extra = replaced[layer.name]
        new = make.from_config({**layer.get_config(), "name": f"{layer.name}_{make.__name__}", **extra})
        outputs = new(*args, **kwargs)
        new.set_weights(layer.get_weights())
        return outputs

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
