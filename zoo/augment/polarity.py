"""Polarity flip and rotation of the horizontal components; labels unchanged."""

from __future__ import annotations

import math
from dataclasses import dataclass

import tensorflow as tf

from zoo.augment._common import check_batch, uniform
from zoo.augment.base import Augmentation, Draws


@dataclass(frozen=True, kw_only=True, repr=False)
class PolarityFlip(Augmentation):
    """Multiply each trace (all components) by -1 with probability ``p_flip``; labels unchanged.

    Draws: ``sign``, float32 ``[B]`` (-1 or 1).

    Example:
        >>> import tensorflow as tf
        >>> float(PolarityFlip(p_flip=1.0)(tf.ones([1, 5, 3]), tf.zeros([1, 5, 1]), [0, 0])[0][0, 0, 0])
        -1.0
    """

    p_flip: float = 0.5

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.p_flip <= 1.0:
            raise ValueError(f"the probability p_flip must be in [0, 1], got {self.p_flip}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        return {"sign": tf.where(uniform([tf.shape(x)[0]], seed) < self.p_flip, -1.0, 1.0)}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        return x * draws["sign"][:, None, None], y


@dataclass(frozen=True, kw_only=True, repr=False)
class RotateHorizontals(Augmentation):
    """Rotate the horizontal pair (channels ``horizontal``, e.g. E, N) by a random angle in degrees.

    Draws: ``angle``, float32 ``[B]`` degrees, uniform in ``angle``.

    Example:
        >>> import tensorflow as tf
        >>> x, _ = RotateHorizontals(angle=(90.0, 90.0))(tf.ones([1, 5, 3]), tf.zeros([1, 5, 1]), [0, 0])
        >>> [round(float(v), 3) for v in x[0, 0]]
        [-1.0, 1.0, 1.0]
    """

    horizontal: tuple[int, int] = (0, 1)
    angle: tuple[float, float] = (0.0, 360.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.horizontal) != 2 or self.horizontal[0] == self.horizontal[1]:
            raise ValueError(f"horizontal must name two different channels, got {self.horizontal}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        return {"angle": uniform([tf.shape(x)[0]], seed, self.angle[0], self.angle[1])}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        e, n = self.horizontal
        theta = draws["angle"] * (math.pi / 180.0)
        c, s = tf.cos(theta)[:, None], tf.sin(theta)[:, None]
        xe, xn = x[:, :, e], x[:, :, n]
        new = {e: c * xe - s * xn, n: s * xe + c * xn}
        return tf.stack([new.get(i, x[:, :, i]) for i in range(x.shape[-1])], axis=-1), y
