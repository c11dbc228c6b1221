"""Compose augmentations: :class:`Pipeline` and the Keras layer :class:`AugmentationLayer`.

A pipeline derives one sub-seed per step from a single ``[2]`` seed with
``tf.random.experimental.stateless_split``, so the same seed always gives the same batch. Each step
splits its sub-seed into a draw seed and a keep seed and runs on the whole batch; with ``p < 1`` each
trace keeps the augmented version with probability ``p`` (``per_sample=True``) or the whole batch does
(``per_sample=False``).

Example:
    >>> import tensorflow as tf
    >>> from zoo.augment import AddNoise, Pipeline, Shift
    >>> pipe = Pipeline([Shift(max_shift=5.0), AddNoise(snr_db=(0.0, 10.0), p=0.5)])
    >>> x, y = pipe(tf.random.normal([8, 3000, 3]), tf.zeros([8, 3000, 3]), seed=[1, 2])
    >>> x.shape
    TensorShape([8, 3000, 3])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import keras
import tensorflow as tf

from zoo.augment._common import as_seed, check_batch, split
from zoo.augment.base import Augmentation, run_step


class Pipeline:
    """A sequence of augmentations applied in order with per-step sub-seeds.

    ``Pipeline(...)(x, y, seed)`` is a pure function of its inputs, XLA-compilable.

    Args:
        steps: augmentation objects (e.g. ``Shift()``, ``AddNoise(p=0.5)``), each applied with its
            own probability ``p``.
    """

    def __init__(self, steps: Iterable[Augmentation]):
        self.steps = list(steps)
        for step in self.steps:
            if not isinstance(step, Augmentation):
                raise TypeError(
                    "pipeline steps are augmentation objects such as zoo.augment.Shift(max_shift=5.0), "
                    f"got {step!r}."
                )

    def __call__(self, x, y, seed) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        if not self.steps:
            return x, y
        for step, s in zip(self.steps, split(as_seed(seed), len(self.steps)), strict=True):
            x, y = run_step(step, x, y, s)
        return x, y

    def describe(self) -> list[dict[str, Any]]:
        """One :meth:`~zoo.augment.base.Augmentation.describe` record per step (for provenance)."""
        return [step.describe() for step in self.steps]

    def layer(self, seed: int | None = None, **kwargs) -> AugmentationLayer:
        """This pipeline as a Keras layer active only in training."""
        return AugmentationLayer(self, seed=seed, **kwargs)

    def __repr__(self) -> str:
        return f"Pipeline({self.steps})"


@keras.saving.register_keras_serializable(package="zoo")
class AugmentationLayer(keras.layers.Layer):
    """Keras layer applying a :class:`Pipeline` to ``(x, y)`` (or ``x`` alone) when ``training=True``.

    A ``keras.random.SeedGenerator`` supplies a new seed on every call, so each training step differs
    while a fixed ``seed`` makes runs reproducible. Called with ``x`` only, the steps see all-zero
    labels and only ``x`` is returned (use label-free steps then). Outside training it is the identity.

    Example:
        >>> import tensorflow as tf
        >>> from zoo.augment import Pipeline, PolarityFlip
        >>> layer = Pipeline([PolarityFlip()]).layer(seed=3)
        >>> x = tf.ones([4, 100, 3])
        >>> bool(tf.reduce_all(layer(x, training=False) == x))
        True
    """

    def __init__(self, pipeline: Pipeline | Iterable[Augmentation], seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.pipeline = pipeline if isinstance(pipeline, Pipeline) else Pipeline(pipeline)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        seed = tf.cast(self.seed_generator.next(), tf.int64)
        if isinstance(inputs, tuple | list):
            x, y = inputs
            return self.pipeline(x, y, seed)
        y = tf.zeros_like(inputs[..., :1])
        return self.pipeline(inputs, y, seed)[0]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"seed": self.seed, "steps": [s.get_config() for s in self.pipeline.steps]})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> AugmentationLayer:
        config = dict(config)
        steps = [Augmentation.from_config(s) for s in config.pop("steps")]
        return cls(Pipeline(steps), **config)
