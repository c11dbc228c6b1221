"""Semi-synthetic training pairs: the target is a waveform, not phase labels.

Both augmentations replace ``y`` by a waveform target ``[B, T, C]`` (the ``y`` they get is ignored
and may be None); in a :class:`~zoo.augment.Pipeline` put them last, after the steps that act on
phase labels.

- :class:`ClipPair`: input clipped at ``level`` times the trace's peak amplitude, target the
  unclipped waveform (de-clipping networks).
- :class:`DenoisePair`: input signal + noise at a random SNR, target the signal, the noise, or the
  time-domain mask ``|s| / (|s| + |n|)`` per sample and component (denoising networks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import tensorflow as tf

from zoo.augment._common import check_batch, uniform
from zoo.augment.base import Augmentation, Draws
from zoo.augment.noise import check_snr_range, draw_noise, scale_to_snr


@dataclass(frozen=True, kw_only=True, repr=False)
class ClipPair(Augmentation):
    """``(clipped x, x)``: the input clipped at a random fraction ``level`` of its peak.

    Draws: ``level``, float32 ``[B]``, the absolute clipping level (``level`` times the peak ``|x|``).

    Example:
        >>> import tensorflow as tf
        >>> x = tf.random.normal([2, 500, 3])
        >>> xc, target = ClipPair(level=(0.2, 0.2))(x, None, [0, 1])
        >>> bool(tf.reduce_all(target == x))
        True
    """

    level: tuple[float, float] = (0.05, 0.5)

    def __post_init__(self) -> None:
        super().__post_init__()
        lo, hi = self.level
        if not 0 < lo <= hi:
            raise ValueError(
                f"clip level must be a positive (low, high) fraction of the peak, got {self.level}."
            )

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        peak = tf.reduce_max(tf.abs(x), axis=[1, 2])
        return {"level": uniform([tf.shape(x)[0]], seed, self.level[0], self.level[1]) * peak}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, _ = check_batch(x)
        c = draws["level"][:, None, None]
        return tf.clip_by_value(x, -c, c), x


@dataclass(frozen=True, kw_only=True, repr=False)
class DenoisePair(Augmentation):
    """``(x + n, target)`` with ``n`` Gaussian or from a noise bank ``[N, T_bank, C]`` at a random SNR (dB).

    ``x`` is taken as the clean signal. ``target`` is ``"signal"``, ``"noise"`` or ``"mask"``. See
    :mod:`zoo.augment.noise` for the SNR definition; the draws are those of
    :class:`~zoo.augment.AddNoise` (``snr_db`` and ``noise``).

    Example:
        >>> import tensorflow as tf
        >>> x = tf.random.normal([2, 500, 3])
        >>> noisy, mask = DenoisePair(target="mask")(x, None, [0, 1])
        >>> bool(tf.reduce_all((mask >= 0) & (mask <= 1)))
        True
    """

    snr_db: tuple[float, float] = (-5.0, 10.0)
    noise: tf.Tensor | None = field(default=None, compare=False)
    target: Literal["signal", "noise", "mask"] = "signal"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_snr_range(self.snr_db)
        if self.target not in ("signal", "noise", "mask"):
            raise ValueError(f"denoising target must be 'signal', 'noise' or 'mask', got {self.target!r}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        return draw_noise(seed, x, self.snr_db, self.noise)

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, _ = check_batch(x)
        n = scale_to_snr(x, draws["noise"], draws["snr_db"])
        if self.target == "signal":
            out = x
        elif self.target == "noise":
            out = n
        else:
            out = tf.abs(x) / tf.maximum(tf.abs(x) + tf.abs(n), 1e-30)
        return x + n, out
