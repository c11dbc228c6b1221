"""Zero-phase Butterworth filtering in the frequency domain, and the random narrow band-pass augmentation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import tensorflow as tf

from zoo.augment._common import check_batch, split, uniform
from zoo.augment.base import Augmentation, Draws


def _warp(f: tf.Tensor, sampling_rate: float) -> tf.Tensor:
    """Bilinear-transform pre-warping ``tan(pi f / fs)``, kept finite at Nyquist."""
    return tf.tan(math.pi * tf.minimum(f, 0.4999 * sampling_rate) / sampling_rate)


def bandpass(
    x: tf.Tensor,
    sampling_rate: float,
    freqmin: float | tf.Tensor | None = None,
    freqmax: float | tf.Tensor | None = None,
    order: int = 4,
) -> tf.Tensor:
    """Zero-phase Butterworth filter applied in the frequency domain (like a forward-backward filter).

    The gain is ``|H(f)|²`` of the digital Butterworth filter that ``scipy.signal.butter(order, ...)``
    (and ObsPy's ``bandpass``/``highpass``/``lowpass``) designs, i.e. what ``filtfilt`` applies; the
    trace is zero-padded to twice its length before the FFT so the filter does not wrap around.
    ``freqmin`` only is a high-pass, ``freqmax`` only a low-pass. Corners (Hz) are floats or per-trace
    ``[B]`` tensors.

    Example:
        >>> import tensorflow as tf
        >>> bandpass(tf.random.normal([2, 3000, 3]), 100.0, freqmin=1.0).shape
        TensorShape([2, 3000, 3])
    """
    x, _ = check_batch(x)
    if freqmin is None and freqmax is None:
        return x
    t = x.shape[1]
    n_fft = 2 * t
    f = tf.range(n_fft // 2 + 1, dtype=tf.float32) * (sampling_rate / n_fft)
    w = _warp(f, sampling_rate)[None, :]
    if freqmin is not None and freqmax is not None:
        w1 = _warp(tf.reshape(tf.cast(freqmin, tf.float32), [-1, 1]), sampling_rate)
        w2 = _warp(tf.reshape(tf.cast(freqmax, tf.float32), [-1, 1]), sampling_rate)
        omega = (tf.square(w) - w1 * w2) / (tf.maximum(w, 1e-12) * (w2 - w1))
    elif freqmin is not None:
        omega = _warp(tf.reshape(tf.cast(freqmin, tf.float32), [-1, 1]), sampling_rate) / tf.maximum(w, 1e-12)
    else:
        omega = w / _warp(tf.reshape(tf.cast(freqmax, tf.float32), [-1, 1]), sampling_rate)
    gain = 1.0 / (1.0 + tf.pow(tf.abs(omega), 2.0 * order))
    spec = tf.signal.rfft(tf.transpose(x, [0, 2, 1]), fft_length=[n_fft])
    spec = spec * tf.cast(gain[:, None, :], tf.complex64)
    out = tf.signal.irfft(spec, fft_length=[n_fft])[:, :, :t]
    return tf.transpose(out, [0, 2, 1])


@dataclass(frozen=True, kw_only=True, repr=False)
class RandomBandpass(Augmentation):
    """Band-pass each trace in a random narrow band inside ``freq_range`` (Hz).

    The band is ``bandwidth`` octaves wide (uniform) and its low corner log-uniform so that the band
    fits in ``freq_range``. Labels are unchanged (zero-phase filter, see :func:`bandpass`).

    Draws: ``freqmin`` and ``freqmax``, float32 ``[B]`` Hz.

    Example:
        >>> import tensorflow as tf
        >>> xf, _ = RandomBandpass()(tf.random.normal([2, 3000, 3]), tf.zeros([2, 3000, 3]), [0, 1])
        >>> xf.shape
        TensorShape([2, 3000, 3])
    """

    sampling_rate: float = 100.0
    freq_range: tuple[float, float] = (0.5, 30.0)
    bandwidth: tuple[float, float] = (1.0, 3.0)
    order: int = 4

    def __post_init__(self) -> None:
        super().__post_init__()
        lo, hi = self.freq_range
        if not 0 < lo < hi <= self.sampling_rate / 2:
            raise ValueError(f"freq_range must satisfy 0 < low < high <= Nyquist, got {self.freq_range} Hz.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        lo, hi = self.freq_range
        s_bw, s_f = split(seed, 2)
        b = tf.shape(x)[0]
        octaves = uniform([b], s_bw, self.bandwidth[0], self.bandwidth[1])
        top = tf.maximum(math.log2(hi) - octaves, math.log2(lo))
        log_f1 = math.log2(lo) + uniform([b], s_f) * (top - math.log2(lo))
        f1 = tf.pow(2.0, log_f1)
        return {"freqmin": f1, "freqmax": tf.minimum(f1 * tf.pow(2.0, octaves), hi)}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        return bandpass(x, self.sampling_rate, draws["freqmin"], draws["freqmax"], self.order), y
