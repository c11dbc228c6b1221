"""Superposed noise at a target signal-to-noise ratio (dB); labels unchanged.

SNR is defined per trace as ``10 log10(mean(x²) / mean(n²))`` with the means over all samples and
channels of the window, ``x`` the input trace and ``n`` the added noise (demeaned). Demean the input
first if its offset should not count as signal (every model normalisation demeans anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tensorflow as tf

from zoo.augment._common import check_batch, normal, split, uniform
from zoo.augment.base import Augmentation, Draws


def check_snr_range(snr_db: tuple[float, float]) -> None:
    lo, hi = snr_db
    if lo > hi:
        raise ValueError(f"snr_db must be (low, high) in dB with low <= high, got {snr_db}.")


def draw_noise(seed, x: tf.Tensor, snr_db: tuple[float, float], noise: tf.Tensor | None) -> Draws:
    """``snr_db`` (float32 ``[B]``, uniform in the range) and ``noise`` ``[B, T, C]``: Gaussian, or windows
    cut from a bank ``[N, T_bank, C]`` (``T_bank >= T``) at a random record and start sample."""
    s_snr, s_noise = split(seed, 2)
    b = tf.shape(x)[0]
    snr = uniform([b], s_snr, minval=snr_db[0], maxval=snr_db[1])
    s_pick, s_start, s_gauss = split(s_noise, 3)
    if noise is None:
        return {"snr_db": snr, "noise": normal(tf.shape(x), s_gauss)}
    bank = tf.convert_to_tensor(noise, tf.float32)
    if bank.shape.rank != 3 or bank.shape[-1] != x.shape[-1]:
        raise ValueError(f"noise bank must be [records, samples, {x.shape[-1]}], got shape {bank.shape}.")
    n, t_bank, t = bank.shape[0], bank.shape[1], x.shape[1]
    if t_bank < t:
        raise ValueError(f"noise bank records have {t_bank} samples, shorter than the {t}-sample window.")
    pick = uniform([b], s_pick, minval=0, maxval=n, dtype=tf.int32)
    start = uniform([b], s_start, minval=0, maxval=t_bank - t + 1, dtype=tf.int32)
    idx = start[:, None] + tf.range(t, dtype=tf.int32)[None, :]
    return {"snr_db": snr, "noise": tf.gather(tf.gather(bank, pick), idx, batch_dims=1)}


def scale_to_snr(x: tf.Tensor, n: tf.Tensor, snr_db: tf.Tensor) -> tf.Tensor:
    """Demeaned ``n`` scaled so that ``10 log10(mean(x²)/mean(n²)) == snr_db`` per trace."""
    n = n - tf.reduce_mean(n, axis=1, keepdims=True)
    p_x = tf.reduce_mean(tf.square(x), axis=[1, 2])
    p_n = tf.reduce_mean(tf.square(n), axis=[1, 2])
    gain = tf.sqrt(p_x / (tf.maximum(p_n, 1e-30) * tf.pow(10.0, snr_db / 10.0)))
    return n * gain[:, None, None]


@dataclass(frozen=True, kw_only=True, repr=False)
class AddNoise(Augmentation):
    """Add noise at a random SNR drawn uniformly in ``snr_db`` (dB); labels are returned unchanged.

    Args:
        snr_db: (low, high) range of the target SNR in dB (see the module docstring).
        noise: ``None`` for white Gaussian noise, or a bank ``[N, T_bank, C]`` (``T_bank >= T``) from
            which each trace gets a random record and a random start sample.

    Draws: ``snr_db`` (float32 ``[B]``) and ``noise`` (``[B, T, C]``, before scaling).

    Example:
        >>> import tensorflow as tf
        >>> x = tf.random.normal([4, 1000, 3])
        >>> xn, _ = AddNoise(snr_db=(10.0, 10.0))(x, tf.zeros([4, 1000, 3]), [0, 1])
        >>> float(tf.reduce_mean(tf.square(x)) / tf.reduce_mean(tf.square(xn - x))) > 9.0
        True
    """

    snr_db: tuple[float, float] = (-5.0, 20.0)
    noise: tf.Tensor | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_snr_range(self.snr_db)

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        return draw_noise(seed, x, self.snr_db, self.noise)

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        return x + scale_to_snr(x, draws["noise"], draws["snr_db"]), y
