"""Time stretch by linear interpolation; labels resampled with the data.

Label widths stretch too. Samples that come from outside the record are zeros (the noise label channel
is recomputed there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import tensorflow as tf

from zoo.augment._common import check_batch, interp_time, recompute_noise, uniform
from zoo.augment.base import Augmentation, Draws


@dataclass(frozen=True, kw_only=True, repr=False)
class TimeStretch(Augmentation):
    """Stretch each trace in time by a random factor, labels with it.

    A sample at ``p`` moves to ``a + (p - a) * factor`` with ``a`` the first sample (``anchor="start"``)
    or the centre of the window (``"centre"``); factors are log-uniform in ``factor`` (> 1 slows the
    record down).

    Draws: ``factor``, float32 ``[B]``.

    Example:
        >>> import tensorflow as tf
        >>> from zoo.labels import phase_labels
        >>> stretch = TimeStretch(factor=(1.5, 1.5))
        >>> _, y = stretch(tf.zeros([1, 1000, 3]), phase_labels([[100.0, 200.0]], 1000), [0, 0])
        >>> int(tf.argmax(y[0, :, 0]))
        150
    """

    factor: tuple[float, float] = (0.8, 1.25)
    anchor: Literal["start", "centre"] = "start"
    noise_channel: int | None = -1
    phase_channels: Sequence[int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        lo, hi = self.factor
        if not 0 < lo <= hi:
            raise ValueError(f"stretch factor range must be positive (low, high), got {self.factor}.")
        if self.anchor not in ("start", "centre"):
            raise ValueError(f"anchor must be 'start' or 'centre', got {self.anchor!r}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        lo, hi = self.factor
        return {"factor": tf.exp(uniform([tf.shape(x)[0]], seed, math.log(lo), math.log(hi)))}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        t = x.shape[1]
        a = 0.0 if self.anchor == "start" else (t - 1) / 2.0
        pos = a + (tf.range(t, dtype=tf.float32)[None, :] - a) / draws["factor"][:, None]
        y = recompute_noise(interp_time(y, pos), self.noise_channel, self.phase_channels)
        return interp_time(x, pos), y
