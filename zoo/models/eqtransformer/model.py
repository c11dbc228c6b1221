"""EQTransformer (Mousavi et al., 2020): earthquake detection and P/S picking on 60-s windows.

The network takes ``[batch, 6000, 3]`` float32 windows (100 Hz, components E, N, Z), each channel
demeaned and divided by its standard deviation
(:func:`zoo.models.eqtransformer.preprocessing.normalize`), and returns three sigmoid curves
``[batch, 6000, 1]`` named ``detector``, ``picker_P`` and ``picker_S``.

Layout, as in the published HDF5 files (layer names match them so weights load by name):

- encoder: 7 x (Conv1D "same" + ReLU, MaxPooling1D(2, "same")), 6000 -> 47 samples;
- 7 residual units (BN, ReLU, spatial dropout, Conv1D) x 2 with kernels 3, 3, 3, 3, 2, 3, 2;
- 2 (original) or 3 (conservative) blocks of BiLSTM(16) + Conv1D(16, 1) + BN;
- 2 transformer blocks: global additive self-attention (``attentionD0``, ``attentionD``), residual,
  layer normalisation (epsilon 1e-14), feed-forward(128), residual, layer normalisation;
- detector decoder on the encoding; for P and S an LSTM(16) + local attention (width 3) head, then a
  decoder each. A decoder is 7 x (UpSampling1D(2), Conv1D + ReLU) with Cropping1D(1, 1) after the
  fourth upsampling (752 -> 750), then Conv1D(1, 11) + sigmoid.

Differences from the original:

- SpatialDropout1D is inactive at inference by default (the published configs force
  ``training=True``, i.e. one Monte-Carlo dropout pass per call). Use
  :func:`zoo.models.eqtransformer.layers.mc_dropout` for the authors' stochastic behaviour.
- Attention layers return only the attended sequence (the attention matrices were never outputs).

Example:
    >>> import numpy as np
    >>> model = build()
    >>> detector, p, s = model(np.zeros((1, 6000, 3), "float32"))
    >>> tuple(detector.shape)
    (1, 6000, 1)
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import keras

from zoo.models.eqtransformer.decoder_crops import decoder_crops
from zoo.models.eqtransformer.layers import (
    EqtLayerNormalization,
    FeedForward,
    MCSpatialDropout1D,
    SeqSelfAttention,
    keras2_hard_sigmoid,
)

INPUT_SAMPLES = 6000
CHANNELS = 3
OUTPUT_NAMES = ("detector", "picker_P", "picker_S")

_ENCODER_FILTERS = (8, 16, 16, 32, 32, 64, 64)
_ENCODER_KERNELS = (11, 9, 7, 7, 5, 5, 3)
_RESIDUAL_KERNELS = (3, 3, 3, 3, 2, 3, 2)
_RECURRENT_ACTIVATIONS = {"sigmoid": "sigmoid", "hard_sigmoid": keras2_hard_sigmoid}


class _Names:
    """Keras 2 style automatic layer names (``conv1d_1``, ``conv1d_2``, ...), one counter per kind."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))

    def __call__(self, kind: str) -> str:
        return f"{kind}_{next(self._counters[kind])}"


def _conv(
    names: _Names,
    filters: int,
    kernel: int,
    activation: str | None,
    regularized: bool,
    name: str | None = None,
) -> keras.layers.Conv1D:
    """Conv1D with "same" padding; the encoder/decoder convolutions carry the original L1/L2 penalties."""
    penalties: dict[str, Any] = {}
    if regularized:
        penalties = {
            "kernel_regularizer": keras.regularizers.L1L2(l1=0.0, l2=1e-6),
            "bias_regularizer": keras.regularizers.L1L2(l1=1e-4, l2=0.0),
        }
    return keras.layers.Conv1D(
        filters, kernel, padding="same", activation=activation, name=name or names("conv1d"), **penalties
    )


def _residual_unit(names: _Names, x: Any, kernel: int, drop_rate: float) -> Any:
    shortcut = x
    for _ in range(2):
        x = keras.layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=names("batch_normalization"))(x)
        x = keras.layers.Activation("relu", name=names("activation"))(x)
        x = MCSpatialDropout1D(drop_rate, name=names("spatial_dropout1d"))(x)
        x = _conv(names, 64, kernel, None, regularized=False)(x)
    return keras.layers.Add(name=names("add"))([shortcut, x])


def _lstm(names: _Names, drop_rate: float, recurrent_activation: Any) -> keras.layers.LSTM:
    return keras.layers.LSTM(
        16,
        return_sequences=True,
        dropout=drop_rate,
        recurrent_dropout=drop_rate,
        recurrent_activation=recurrent_activation,
        name=names("lstm"),
    )


def _bilstm_block(names: _Names, x: Any, drop_rate: float, recurrent_activation: Any) -> Any:
    lstm = _lstm(names, drop_rate, recurrent_activation)
    x = keras.layers.Bidirectional(lstm, merge_mode="concat", name=names("bidirectional"))(x)
    x = _conv(names, 16, 1, None, regularized=False)(x)
    return keras.layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=names("batch_normalization"))(x)


def _transformer(names: _Names, x: Any, drop_rate: float, attention_name: str, epsilon: float) -> Any:
    attended = SeqSelfAttention(units=32, attention_width=None, epsilon=epsilon, name=attention_name)(x)
    x = keras.layers.Add(name=names("add"))([x, attended])
    x = EqtLayerNormalization(epsilon=1e-14, name=names("layer_normalization"))(x)
    ff = FeedForward(units=128, dropout_rate=drop_rate, name=names("feed_forward"))(x)
    x = keras.layers.Add(name=names("add"))([x, ff])
    return EqtLayerNormalization(epsilon=1e-14, name=names("layer_normalization"))(x)


def _decoder(names: _Names, x: Any, output_name: str, crops: dict[int, tuple[int, int]]) -> Any:
    for depth, (filters, kernel) in enumerate(zip(_ENCODER_FILTERS[::-1], _ENCODER_KERNELS[::-1])):
        x = keras.layers.UpSampling1D(2, name=names("up_sampling1d"))(x)
        if depth in crops:
            x = keras.layers.Cropping1D(crops[depth], name=names("cropping1d"))(x)
        x = _conv(names, filters, kernel, "relu", regularized=True)(x)
    return _conv(names, 1, 11, "sigmoid", regularized=False, name=output_name)(x)


def build(
    bilstm_blocks: int = 2,
    drop_rate: float = 0.2,
    lstm_recurrent_activation: str = "sigmoid",
    name: str = "eqtransformer",
    input_samples: int = INPUT_SAMPLES,
    channels: int = CHANNELS,
    attention_epsilon: float = 1e-7,
    decoder_crop: str = "original",
) -> keras.Model:
    """Build EQTransformer with random weights.

    Args:
        bilstm_blocks: Number of BiLSTM blocks (2 in the original model, 3 in the conservative one).
        drop_rate: Rate of every dropout (spatial, LSTM, feed-forward): 0.2 original, 0.1 conservative.
        lstm_recurrent_activation: ``"sigmoid"`` (original) or ``"hard_sigmoid"`` (Keras 2's
            ``clip(0.2 x + 0.5, 0, 1)``, conservative model).
        name: Keras model name.
        input_samples: Window length in samples (6000 = 60 s at 100 Hz).
        channels: Input components (3: E, N, Z for the published models).
        attention_epsilon: Added to every attention normaliser: 1e-7 (Keras' epsilon, the published
            models), 1e-5 in SeisBench's own architecture.
        decoder_crop: Where the decoders drop samples to end at ``input_samples``: ``"original"`` (one
            at each end after the fourth upsampling) or ``"trailing"`` (SeisBench's rule); see
            :mod:`zoo.models.eqtransformer.decoder_crops`.

    Returns:
        A functional ``keras.Model`` from ``[batch, input_samples, channels]`` to the list of outputs
        ``detector``, ``picker_P``, ``picker_S``, each ``[batch, input_samples, 1]``.

    Example:
        >>> build(bilstm_blocks=3, drop_rate=0.1, lstm_recurrent_activation="hard_sigmoid").count_params()
        378311
    """
    if not isinstance(bilstm_blocks, int) or bilstm_blocks < 1:
        raise ValueError(f"bilstm_blocks must be a positive integer, got {bilstm_blocks!r}.")
    if lstm_recurrent_activation not in _RECURRENT_ACTIVATIONS:
        raise ValueError(
            f"lstm_recurrent_activation must be one of {sorted(_RECURRENT_ACTIVATIONS)}, "
            f"got {lstm_recurrent_activation!r}."
        )
    recurrent_activation = _RECURRENT_ACTIVATIONS[lstm_recurrent_activation]
    crops = decoder_crops(input_samples, decoder_crop, len(_ENCODER_FILTERS))
    names = _Names()
    inputs = keras.Input((input_samples, channels), name="input")
    x = inputs
    for filters, kernel in zip(_ENCODER_FILTERS, _ENCODER_KERNELS):
        x = _conv(names, filters, kernel, "relu", regularized=True)(x)
        x = keras.layers.MaxPooling1D(2, padding="same", name=names("max_pooling1d"))(x)
    for kernel in _RESIDUAL_KERNELS:
        x = _residual_unit(names, x, kernel, drop_rate)
    for _ in range(bilstm_blocks):
        x = _bilstm_block(names, x, drop_rate, recurrent_activation)
    x = _transformer(names, x, drop_rate, "attentionD0", attention_epsilon)
    encoded = _transformer(names, x, drop_rate, "attentionD", attention_epsilon)

    detector = _decoder(names, encoded, "detector", crops)
    phases = []
    for phase in ("P", "S"):
        head = _lstm(names, drop_rate, recurrent_activation)(encoded)
        head = SeqSelfAttention(
            units=32, attention_width=3, epsilon=attention_epsilon, name=f"attention{phase}"
        )(head)
        phases.append(_decoder(names, head, f"picker_{phase}", crops))
    return keras.Model(inputs, [detector, *phases], name=name)
