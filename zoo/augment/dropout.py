"""Channel dropout: zero one or more components at random and rescale the others.

Rescaling follows PhaseNet's training reader: the kept traces are multiplied by
``C / n_nonzero`` (``C`` channels, ``n_nonzero`` channels still non-zero after the dropout), so a
model whose normalisation divides by the standard deviation over all channels sees the same
amplitude level as with all components. Set ``rescale=False`` for per-channel normalisations.
Labels are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

from zoo.augment._common import check_batch, split, uniform
from zoo.augment.base import Augmentation, Draws


@dataclass(frozen=True, kw_only=True, repr=False)
class ChannelDropout(Augmentation):
    """Drop ``1..max_drop`` random components per trace (zeros); see the module note on rescaling.

    Draws: ``keep``, float32 ``[B, C]`` (1 = kept, 0 = dropped).

    Example:
        >>> import tensorflow as tf
        >>> x, _ = ChannelDropout(max_drop=1)(tf.ones([8, 100, 3]), tf.zeros([8, 100, 3]), [3, 4])
        >>> sorted(set(tf.reduce_sum(tf.cast(x[:, 0] == 0, tf.int32), axis=1).numpy().tolist()))
        [1]
    """

    max_drop: int = 2
    rescale: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_drop < 1:
            raise ValueError(f"max_drop must be at least 1 (components dropped), got {self.max_drop}.")

    def draw(self, x, y, seed) -> Draws:
        x, _ = check_batch(x)
        batch, channels = tf.shape(x)[0], x.shape[-1]
        if self.max_drop >= channels:
            raise ValueError(
                f"max_drop must be between 1 and channels - 1 = {channels - 1}, got {self.max_drop}."
            )
        s_n, s_order = split(seed, 2)
        n_drop = uniform([batch], s_n, minval=1, maxval=self.max_drop + 1, dtype=tf.int32)
        rank = tf.argsort(tf.argsort(uniform([batch, channels], s_order), axis=1), axis=1)
        return {"keep": tf.cast(rank >= n_drop[:, None], tf.float32)}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        out = x * draws["keep"][:, None, :]
        if not self.rescale:
            return out, y
        nonzero = tf.reduce_sum(tf.cast(tf.reduce_any(out != 0.0, axis=1), tf.float32), axis=1)
        factor = tf.cast(tf.shape(x)[2], tf.float32) / tf.maximum(nonzero, 1.0)
        return out * factor[:, None, None], y
