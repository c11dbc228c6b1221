"""Random time shift of whole windows, labels moved by the same number of samples.

Convention: a shift ``d`` (samples) gives ``out[t] = x[t - d]``, so every arrival moves from ``p`` to
``p + d``. When the input record is longer than ``n_samples`` the output is a crop of it (no zero
padding, ``d <= 0``); otherwise the window wraps around (``mode="wrap"``) or is zero-filled
(``mode="zero"``, the noise label channel is recomputed in the filled part).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import tensorflow as tf

from zoo.augment._common import (
    check_batch,
    check_rate,
    gather_time,
    phase_activity,
    recompute_noise,
    seconds_to_samples,
    uniform,
)
from zoo.augment.base import Augmentation, Draws

Mode = Literal["wrap", "zero"]


def _phase_span(y: tf.Tensor, threshold: float, noise_channel, phase_channels) -> tuple[tf.Tensor, tf.Tensor]:
    """First and last sample (int32 [B]) where a phase label exceeds ``threshold``; -1 when none."""
    on = phase_activity(y, noise_channel, phase_channels) > threshold
    t = tf.shape(y)[1]
    any_on = tf.reduce_any(on, axis=1)
    first = tf.argmax(tf.cast(on, tf.int32), axis=1, output_type=tf.int32)
    last = t - 1 - tf.argmax(tf.cast(tf.reverse(on, [1]), tf.int32), axis=1, output_type=tf.int32)
    return tf.where(any_on, first, -1), tf.where(any_on, last, -1)


@dataclass(frozen=True, kw_only=True, repr=False)
class Shift(Augmentation):
    """Shift every trace by a random number of samples, labels with it.

    Args:
        n_samples: output length; when shorter than ``T`` the window is cut from the longer record
            (no padding) at a random offset.
        sampling_rate: Hz, converts ``max_shift`` to samples.
        max_shift: largest shift in seconds (around the centre of a longer record), or ``"full"``.
        mode: ``"wrap"`` (circular) or ``"zero"`` (zero-fill) when the output is as long as the input.
        keep_phases: with zero-fill or cropping, limit the shift so that every sample whose phase label
            exceeds ``threshold`` stays in the window (traces where that is impossible ignore it).
        noise_channel, phase_channels: label layout; the noise channel is recomputed where zero-filled.

    Draws: ``shift``, int32 ``[B]`` samples.

    Example:
        >>> import tensorflow as tf
        >>> x, y = tf.random.normal([2, 6000, 3]), tf.zeros([2, 6000, 3])
        >>> xs, ys = Shift(n_samples=3000)(x, y, seed=[1, 2])
        >>> xs.shape
        TensorShape([2, 3000, 3])
    """

    n_samples: int | None = None
    sampling_rate: float = 100.0
    max_shift: float | Literal["full"] = "full"
    mode: Mode = "wrap"
    keep_phases: bool = False
    threshold: float = 0.5
    noise_channel: int | None = -1
    phase_channels: Sequence[int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.mode not in ("wrap", "zero"):
            raise ValueError(f"shift mode must be 'wrap' or 'zero', got {self.mode!r}.")
        check_rate(self.sampling_rate)

    def _range(self, n_in: int, n_out: int) -> tuple[int, int]:
        """Smallest and largest shift (samples) before ``keep_phases``."""
        if n_out < n_in:
            lo, hi = -(n_in - n_out), 0
            if self.max_shift != "full":
                centre = -((n_in - n_out) // 2)
                m = seconds_to_samples(self.max_shift, self.sampling_rate)
                lo, hi = max(lo, centre - m), min(hi, centre + m)
            return lo, hi
        if self.max_shift == "full":
            return (0, n_in - 1) if self.mode == "wrap" else (-(n_in - 1), n_in - 1)
        m = seconds_to_samples(self.max_shift, self.sampling_rate)
        return -min(m, n_in - 1), min(m, n_in - 1)

    def draw(self, x, y, seed) -> Draws:
        x = tf.convert_to_tensor(x, tf.float32)
        n_in = x.shape[1]
        n_out = n_in if self.n_samples is None else self.n_samples
        if n_out > n_in:
            raise ValueError(f"n_samples={n_out} is longer than the {n_in}-sample record it is cut from.")
        lo, hi = self._range(n_in, n_out)
        b = tf.shape(x)[0]
        lo_b = tf.fill([b], lo)
        hi_b = tf.fill([b], hi)
        if self.keep_phases and (self.mode == "zero" or n_out < n_in):
            if y is None:
                raise ValueError("keep_phases=True needs the labels y to know where the phases are.")
            y = tf.convert_to_tensor(y, tf.float32)
            first, last = _phase_span(y, self.threshold, self.noise_channel, self.phase_channels)
            k_lo = tf.maximum(lo_b, -first)
            k_hi = tf.minimum(hi_b, n_out - 1 - last)
            ok = (first >= 0) & (k_lo <= k_hi)
            lo_b, hi_b = tf.where(ok, k_lo, lo_b), tf.where(ok, k_hi, hi_b)
        u = uniform([b], seed)
        span = tf.cast(hi_b - lo_b + 1, tf.float32)
        return {"shift": lo_b + tf.minimum(tf.cast(tf.floor(u * span), tf.int32), hi_b - lo_b)}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        n_in = x.shape[1]
        n_out = n_in if self.n_samples is None else self.n_samples
        src = tf.range(n_out, dtype=tf.int32)[None, :] - tf.cast(draws["shift"], tf.int32)[:, None]
        if n_out == n_in and self.mode == "wrap":
            src = tf.math.floormod(src, n_in)
            return gather_time(x, src), gather_time(y, src)
        valid = (src >= 0) & (src < n_in)
        y_out = gather_time(y, src, valid)
        return gather_time(x, src, valid), recompute_noise(y_out, self.noise_channel, self.phase_channels)
