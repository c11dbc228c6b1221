"""Zero masking: a random stretch of every trace set to zero, phase labels inside it removed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import tensorflow as tf

from zoo.augment._common import (
    check_batch,
    check_rate,
    phase_index,
    recompute_noise,
    seconds_to_samples,
    split,
    uniform,
)
from zoo.augment.base import Augmentation, Draws


@dataclass(frozen=True, kw_only=True, repr=False)
class ZeroMask(Augmentation):
    """Set a random stretch of ``duration`` seconds to zero on all components.

    With ``mask_labels`` the phase labels inside the stretch are zeroed too (a picker cannot see a
    phase there) and the noise channel is recomputed.

    Draws: ``start`` and ``length``, int32 ``[B]`` samples.

    Example:
        >>> import tensorflow as tf
        >>> x, _ = ZeroMask(duration=(2.0, 2.0))(tf.ones([2, 1000, 3]), tf.zeros([2, 1000, 3]), [0, 0])
        >>> tf.reduce_sum(tf.cast(x[:, :, 0] == 0, tf.int32), axis=1).numpy().tolist()
        [200, 200]
    """

    sampling_rate: float = 100.0
    duration: tuple[float, float] = (0.5, 5.0)
    mask_labels: bool = True
    noise_channel: int | None = -1
    phase_channels: Sequence[int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        check_rate(self.sampling_rate)
        if not 0 <= self.duration[0] <= self.duration[1]:
            raise ValueError(f"mask duration must be (low, high) seconds, got {self.duration}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        batch, n_samples = tf.shape(x)[0], x.shape[1]
        lo, hi = (seconds_to_samples(d, self.sampling_rate) for d in self.duration)
        if hi > n_samples:
            raise ValueError(f"mask duration {self.duration} s is longer than the {n_samples}-sample window.")
        s_len, s_start = split(seed, 2)
        length = uniform([batch], s_len, lo, hi + 1, dtype=tf.int32)
        start = tf.cast(
            tf.floor(uniform([batch], s_start) * tf.cast(n_samples - length + 1, tf.float32)), tf.int32
        )
        return {"start": start, "length": length}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        start, length = draws["start"], draws["length"]
        t = tf.range(x.shape[1])[None, :]
        inside = ((t >= start[:, None]) & (t < (start + length)[:, None]))[:, :, None]
        x = tf.where(inside, 0.0, x)
        if self.mask_labels:
            k = y.shape[-1]
            phases = phase_index(k, self.noise_channel, self.phase_channels)
            is_phase = tf.constant([i in phases for i in range(k)])
            y = recompute_noise(tf.where(inside & is_phase, 0.0, y), self.noise_channel, self.phase_channels)
        return x, y
