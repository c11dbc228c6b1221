"""CRED (Mousavi et al. 2019) exactly as in the published ``final_model.h5`` (Keras 2.3.1).

The published network takes STFT magnitudes ``[batch, 151, 41, 3]``; this port puts the STFT into
the model as its first layer (:class:`~zoo.models.cred.stft.STFTMagnitude`), so the model takes the
normalised waveform ``[batch, 6000, 3]`` (E, N, Z at 100 Hz; see the card's ``normalize``).

Layout (layer names as in the file; all convolutions ``same`` padding, batch norm epsilon 1e-3):

- ``stft``: magnitude, 151 frames (hop 40 samples) x 41 frequencies x 3 channels;
- ``conv2d_1`` 8 x 9x9 stride 2, ReLU -> [76, 21, 8]; residual block ``batch_normalization_1`` ->
  ReLU -> ``conv2d_2`` 8 x 7x7 -> ``batch_normalization_2`` -> ReLU -> ``conv2d_3`` 8 x 7x7,
  ``add_1`` with the output of ``conv2d_1``;
- ``conv2d_4`` 16 x 5x5 stride 2, ReLU -> [38, 11, 16]; residual block ``batch_normalization_3`` ->
  ReLU -> ``conv2d_5`` 16 x 3x3 -> ``batch_normalization_4`` -> ReLU -> ``conv2d_6`` 16 x 3x3,
  ``add_2`` with the output of ``conv2d_4``;
- ``reshape_1`` -> [38, 176];
- ``bidirectional_1`` (LSTM 64, concat) -> ``dropout_1`` (0.7) -> ``bidirectional_2`` (LSTM 64,
  concat) -> ``dropout_2`` (0.7); ``add_3`` of ``dropout_1`` and ``dropout_2``;
- ``lstm_3`` (LSTM 64) -> ``dropout_3`` (0.8) -> ``batch_normalization_5`` ->
  ``time_distributed_1`` (Dense 64, ReLU, L1 0.01) -> ``batch_normalization_6`` -> ``dropout_4``
  (0.8) -> ``time_distributed_2`` (Dense 1, sigmoid, L1 0.01) -> ``[batch, 38, 1]``.

Output frame ``k`` (0..37) has its receptive-field centre at STFT frame ``4k + 2``, i.e. input
sample ``160k + 80``: frame ``k`` stands for input samples ``[160k, 160k + 160)``. (CRED's training
labels used ``int(sample * 38 / 6000)``, i.e. 157.9 samples per frame.)

Differences from the original: the STFT is inside the model (the original computed it with SciPy in
its data generator, in float64); the LSTMs use Keras 3's implementation with the same gate order
(i, f, c, o) and ``unit_forget_bias``; nothing else.

Bad input: a window of the wrong length or channel count raises ``ValueError`` from Keras' input
check (``expected shape=(None, 6000, 3)``) on a direct call and on a first ``predict``; once a
``predict`` has run, Keras may retrace with unknown shapes and the STFT layer then raises
``tf.errors.InvalidArgumentError`` (``... not compatible with expected shape [?,6000,3]``). NaN
samples are not checked here: eagerly they give NaN outputs, but under XLA (Keras' default for
``predict``) they can come out as finite numbers; ``zoo.annotate`` never passes NaN to the network.

Example:
    >>> from zoo.models.cred.model import build
    >>> build().output_shape
    (None, 38, 1)
"""

from __future__ import annotations

import keras
from keras import layers, regularizers

from zoo.models.cred.stft import STFTMagnitude


def _residual_block(x, filters: int, kernel: int, bn: int, conv: int):
    """BN -> ReLU -> conv -> BN -> ReLU -> conv, numbered from ``bn`` and ``conv`` as in the file."""
    shortcut = x
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=f"batch_normalization_{bn}")(x)
    x = layers.Activation("relu", name=f"activation_{bn}")(x)
    x = layers.Conv2D(filters, kernel, padding="same", name=f"conv2d_{conv}")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=f"batch_normalization_{bn + 1}")(x)
    x = layers.Activation("relu", name=f"activation_{bn + 1}")(x)
    x = layers.Conv2D(filters, kernel, padding="same", name=f"conv2d_{conv + 1}")(x)
    return x, shortcut


def _strided_conv(x, filters: int, kernel: int, name: str, padding: list | None):
    """Conv2D stride 2 + ReLU: Keras ``same`` padding, or explicit ``((t0, t1), (f0, f1))`` zeros."""
    if padding is None:
        return layers.Conv2D(filters, kernel, strides=2, padding="same", activation="relu", name=name)(x)
    pads = tuple(tuple(int(n) for n in pair) for pair in padding)
    x = layers.ZeroPadding2D(pads, name=f"{name}_padding")(x)
    return layers.Conv2D(filters, kernel, strides=2, padding="valid", activation="relu", name=name)(x)


def build(
    input_samples: int = 6000,
    channels: int = 3,
    frame_length: int = 80,
    frame_step: int = 40,
    lstm_units: int = 64,
    strided_padding: list | None = None,
) -> keras.Model:
    """Build CRED with random weights.

    Args:
        input_samples: Window length in samples (6000 = 60 s at 100 Hz for the published weights).
        channels: Number of input components (3: E, N, Z).
        frame_length: STFT window length in samples (SciPy ``nperseg``; 80 = 0.8 s).
        frame_step: STFT hop in samples (``nperseg - noverlap``; 40 = 0.4 s).
        lstm_units: Units of every LSTM (64).
        strided_padding: ``None`` (the published model): the two stride-2 convolutions ``conv2d_1`` and
            ``conv2d_4`` pad as Keras ``same``; or, for each of them, explicit zero padding
            ``[[time_before, time_after], [freq_before, freq_after]]`` in STFT frames and frequency
            bins followed by a ``valid`` convolution (SeisBench's CRED pads symmetrically:
            ``[[[4, 4], [4, 4]], [[2, 2], [2, 2]]]``).

    Returns:
        A ``keras.Model`` named ``"cred"`` mapping ``[batch, input_samples, channels]`` to detection
        probabilities ``[batch, frames, 1]`` (38 frames for the defaults).
    """
    if strided_padding is not None and len(strided_padding) != 2:
        raise ValueError(
            f"strided_padding needs one padding for each of the 2 strided convolutions, got {strided_padding!r}."
        )
    paddings = [None, None] if strided_padding is None else list(strided_padding)
    inputs = keras.Input((input_samples, channels), name="waveform")
    x = STFTMagnitude(frame_length, frame_step, name="stft")(inputs)

    x = _strided_conv(x, 8, 9, "conv2d_1", paddings[0])
    x, shortcut = _residual_block(x, 8, 7, bn=1, conv=2)
    x = layers.Add(name="add_1")([x, shortcut])

    x = _strided_conv(x, 16, 5, "conv2d_4", paddings[1])
    x, shortcut = _residual_block(x, 16, 3, bn=3, conv=5)
    x = layers.Add(name="add_2")([x, shortcut])

    frames, freqs, filters = x.shape[1], x.shape[2], x.shape[3]
    x = layers.Reshape((frames, freqs * filters), name="reshape_1")(x)

    x = layers.Bidirectional(
        layers.LSTM(lstm_units, return_sequences=True, name="lstm_1"),
        merge_mode="concat",
        name="bidirectional_1",
    )(x)
    first = layers.Dropout(0.7, name="dropout_1")(x)
    x = layers.Bidirectional(
        layers.LSTM(lstm_units, return_sequences=True, name="lstm_2"),
        merge_mode="concat",
        name="bidirectional_2",
    )(first)
    x = layers.Dropout(0.7, name="dropout_2")(x)
    x = layers.Add(name="add_3")([first, x])

    x = layers.LSTM(lstm_units, return_sequences=True, name="lstm_3")(x)
    x = layers.Dropout(0.8, name="dropout_3")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name="batch_normalization_5")(x)
    x = layers.TimeDistributed(
        layers.Dense(64, activation="relu", kernel_regularizer=regularizers.L1(0.01), name="dense_1"),
        name="time_distributed_1",
    )(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name="batch_normalization_6")(x)
    x = layers.Dropout(0.8, name="dropout_4")(x)
    outputs = layers.TimeDistributed(
        layers.Dense(1, activation="sigmoid", kernel_regularizer=regularizers.L1(0.01), name="dense_2"),
        name="time_distributed_2",
    )(x)
    return keras.Model(inputs, outputs, name="cred")
