"""Sampling-rate changes with labels remapped, and the random resampling augmentation.

:func:`resample` changes the rate of a batch (Fourier or polyphase), so a window of ``T`` samples at
``rate_in`` becomes ``round(T * rate_out / rate_in)`` samples at ``rate_out``; label curves are
interpolated at the new sample times, so an arrival at sample ``p`` lands at ``p * rate_out / rate_in``
(within one output sample) and label widths keep their duration in seconds.

:class:`RandomResample` is the augmentation: it resamples each trace by a factor drawn from
``factors`` and reinterprets the result at the original rate, cut or zero-padded to ``T`` samples.
It is a band-limited time stretch: an arrival at ``p`` moves to ``p * factor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import tensorflow as tf

from zoo.augment._common import check_batch, interp_time, recompute_noise, uniform
from zoo.augment.base import Augmentation, Draws

Method = Literal["fourier", "polyphase"]


def _fourier(x: tf.Tensor, n_out: int) -> tf.Tensor:
    t = x.shape[1]
    spec = tf.signal.rfft(tf.transpose(x, [0, 2, 1]), fft_length=[t])
    n_keep = min(t, n_out) // 2 + 1
    spec = spec[:, :, :n_keep]
    if min(t, n_out) % 2 == 0:
        nyq = tf.cast(tf.concat([tf.ones([n_keep - 1]), [0.5 if n_out != t else 1.0]], 0), tf.complex64)
        spec = spec * nyq
    spec = tf.pad(spec, [[0, 0], [0, 0], [0, n_out // 2 + 1 - n_keep]])
    out = tf.signal.irfft(spec, fft_length=[n_out]) * (n_out / t)
    return tf.transpose(out, [0, 2, 1])


def _lowpass_fir(up: int, down: int, half_width: int = 10, beta: float = 5.0) -> np.ndarray:
    """Kaiser-windowed sinc for rational resampling (cut-off at the lower Nyquist, gain ``up``)."""
    m = max(up, down)
    n = 2 * half_width * m + 1
    k = np.arange(n) - half_width * m
    h = np.sinc(k / m) * np.kaiser(n, beta)
    return (h / h.sum() * up).astype(np.float32)


def _polyphase(x: tf.Tensor, up: int, down: int, n_out: int) -> tf.Tensor:
    b, t, c = tf.shape(x)[0], x.shape[1], x.shape[2]
    v = tf.reshape(tf.transpose(x, [0, 2, 1]), [-1, t, 1])
    if up > 1:
        v = tf.reshape(tf.concat([v, tf.zeros([tf.shape(v)[0], t, up - 1])], axis=2), [-1, t * up, 1])
    h = _lowpass_fir(up, down)
    half = len(h) // 2
    v = tf.pad(v, [[0, 0], [half, half + down], [0, 0]])
    out = tf.nn.conv1d(v, tf.constant(h)[:, None, None], stride=down, padding="VALID")[:, :n_out, 0]
    out = tf.pad(out, [[0, 0], [0, n_out - tf.shape(out)[1]]])
    return tf.transpose(tf.reshape(out, [b, c, n_out]), [0, 2, 1])


def resample(
    x: tf.Tensor,
    y: tf.Tensor,
    rate_in: float,
    rate_out: float,
    *,
    method: Method = "fourier",
    max_denominator: int = 100,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Change the sampling rate of a batch from ``rate_in`` to ``rate_out`` (Hz); labels remapped.

    Args:
        method: ``"fourier"`` (FFT, periodic window) or ``"polyphase"`` (Kaiser-windowed FIR at the
            rational ratio ``rate_out / rate_in`` limited to ``max_denominator``).

    Example:
        >>> import tensorflow as tf
        >>> xr, yr = resample(tf.random.normal([2, 3000, 3]), tf.zeros([2, 3000, 3]), 100.0, 50.0)
        >>> xr.shape, yr.shape
        (TensorShape([2, 1500, 3]), TensorShape([2, 1500, 3]))
    """
    x, y = check_batch(x, y)
    if rate_in <= 0 or rate_out <= 0:
        raise ValueError(f"sampling rates must be positive (Hz), got {rate_in} -> {rate_out}.")
    t = x.shape[1]
    ratio = Fraction(rate_out / rate_in).limit_denominator(max_denominator)
    n_out = int(round(t * rate_out / rate_in))
    if method == "fourier":
        xo = _fourier(x, n_out)
    elif method == "polyphase":
        xo = _polyphase(x, ratio.numerator, ratio.denominator, n_out)
    else:
        raise ValueError(f"resampling method must be 'fourier' or 'polyphase', got {method!r}.")
    pos = tf.range(n_out, dtype=tf.float32) * (rate_in / rate_out)
    yo = interp_time(y, tf.broadcast_to(pos[None, :], [tf.shape(y)[0], n_out]))
    return xo, yo


def _fit(v: tf.Tensor, t: int) -> tf.Tensor:
    n = v.shape[1]
    if n >= t:
        return v[:, :t]
    return tf.pad(v, [[0, 0], [0, t - n], [0, 0]])


@dataclass(frozen=True, kw_only=True, repr=False)
class RandomResample(Augmentation):
    """Stretch each trace by a factor drawn from ``factors`` with band-limited resampling (see module).

    Every factor is computed for the whole batch and each trace keeps the one drawn for it (the cost
    grows with ``len(factors)``). The part of the window with no data is zero (noise channel
    recomputed there). ``method`` is ``"fourier"`` or ``"polyphase"`` (see :func:`resample`).

    Draws: ``index`` (int32 ``[B]``, into ``factors``) and ``factor`` (float32 ``[B]``).

    Example:
        >>> import tensorflow as tf
        >>> from zoo.labels import phase_labels
        >>> stretch = RandomResample(factors=(1.25,))
        >>> _, y = stretch(tf.zeros([1, 1000, 3]), phase_labels([[100.0, 200.0]], 1000), [0, 0])
        >>> int(tf.argmax(y[0, :, 0]))
        125
    """

    factors: Sequence[float] = (0.8, 0.9, 1.1, 1.25)
    method: Method = "fourier"
    noise_channel: int | None = -1
    phase_channels: Sequence[int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.factors or min(self.factors) <= 0:
            raise ValueError(
                f"resampling factors must be a non-empty list of positive numbers, got {self.factors}."
            )
        if self.method not in ("fourier", "polyphase"):
            raise ValueError(f"resampling method must be 'fourier' or 'polyphase', got {self.method!r}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        index = uniform([tf.shape(x)[0]], seed, 0, len(self.factors), dtype=tf.int32)
        return {"index": index, "factor": tf.gather(tf.constant(self.factors, tf.float32), index)}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        t = x.shape[1]
        xs, ys = [], []
        for f in self.factors:
            xo, yo = resample(x, y, 1.0, float(f), method=self.method)
            xs.append(_fit(xo, t))
            ys.append(_fit(yo, t))
        x_out = tf.gather(tf.stack(xs, axis=1), draws["index"], batch_dims=1)
        y_out = tf.gather(tf.stack(ys, axis=1), draws["index"], batch_dims=1)
        return x_out, recompute_noise(y_out, self.noise_channel, self.phase_channels)
