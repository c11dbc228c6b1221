"""Compose augmentations: :class:`Step`, :class:`Pipeline` and the Keras layer :class:`AugmentationLayer`.

A pipeline derives one sub-seed per step (and one for its probability draw) from a single ``[2]``
seed with ``tf.random.experimental.stateless_split``, so the same seed always gives the same batch.
Each step runs on the whole batch; with ``p < 1`` each trace keeps the augmented version with
probability ``p`` (``per_sample=True``) or the whole batch does (``per_sample=False``).

Example:
    >>> import tensorflow as tf
    >>> from zoo.augment import Pipeline, Step, add_noise, shift
    >>> pipe = Pipeline([Step(shift, max_shift=5.0), Step(add_noise, p=0.5, snr_db=(0.0, 10.0))])
    >>> x, y = pipe(tf.random.normal([8, 3000, 3]), tf.zeros([8, 3000, 3]), seed=[1, 2])
    >>> x.shape
    TensorShape([8, 3000, 3])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import keras
import tensorflow as tf

from zoo.augment._common import as_seed, check_batch, split, uniform

Augmentation = Callable[..., tuple[tf.Tensor, tf.Tensor]]


class Step:
    """One pipeline step: ``fn(x, y, seed, **params)`` applied with probability ``p``.

    Args:
        fn: an augmentation ``(x, y, seed, **params) -> (x, y)``.
        p: probability of applying it (per trace when ``per_sample``), in [0, 1].
        per_sample: draw the probability per trace (True) or once per batch (False).
        **params: keyword parameters of ``fn`` (physical units: seconds, Hz, dB).
    """

    def __init__(self, fn: Augmentation, p: float = 1.0, per_sample: bool = True, **params: Any):
        if not callable(fn):
            raise TypeError(f"a pipeline step needs a callable augmentation, got {type(fn).__name__}.")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"step probability must be in [0, 1], got {p} for {fn.__name__}.")
        self.fn, self.p, self.per_sample, self.params = fn, float(p), per_sample, dict(params)

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", type(self.fn).__name__)

    def __call__(self, x: tf.Tensor, y: tf.Tensor, seed) -> tuple[tf.Tensor, tf.Tensor]:
        s_fn, s_p = split(seed, 2)
        if self.p == 0.0:
            return x, y
        xa, ya = self.fn(x, y, s_fn, **self.params)
        if self.p == 1.0:
            return xa, ya
        if xa.shape != x.shape or ya.shape != y.shape:
            raise ValueError(
                f"step {self.name} changes the batch shape ({x.shape}, {y.shape} -> {xa.shape}, {ya.shape}); "
                "it can only run with p=1."
            )
        n = tf.shape(x)[0] if self.per_sample else 1
        keep = uniform([n], s_p) < self.p
        keep = tf.broadcast_to(keep, [tf.shape(x)[0]])[:, None, None]
        return tf.where(keep, xa, x), tf.where(keep, ya, y)

    def get_config(self) -> dict[str, Any]:
        """JSON-able description (augmentation name, probability, parameters) for Keras saving."""
        for key, value in self.params.items():
            if not _jsonable(value):
                raise TypeError(
                    f"step {self.name}: parameter {key!r} ({type(value).__name__}) cannot be saved in a Keras "
                    "config; only numbers, strings, booleans, None and lists of them can (pass noise banks "
                    "to the pipeline in the training step instead of a saved layer)."
                )
        return {"name": self.name, "p": self.p, "per_sample": self.per_sample, "params": self.params}

    def describe(self) -> dict[str, Any]:
        """Like :meth:`get_config`, for provenance records: parameters that are not JSON-able (a noise
        bank) appear as their type and shape instead of failing."""
        params = {
            key: value
            if _jsonable(value)
            else f"<{type(value).__name__} {list(getattr(value, 'shape', []))}>"
            for key, value in self.params.items()
        }
        return {"name": self.name, "p": self.p, "per_sample": self.per_sample, "params": params}

    def __repr__(self) -> str:
        return f"Step({self.name}, p={self.p}, {self.params})"


def _jsonable(value) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    return isinstance(value, list | tuple) and all(_jsonable(v) for v in value)


def _as_step(s) -> Step:
    if isinstance(s, Step):
        return s
    if callable(s):
        return Step(s)
    if isinstance(s, tuple) and 2 <= len(s) <= 3 and callable(s[0]):
        return Step(s[0], s[1], **(s[2] if len(s) == 3 else {}))
    raise TypeError(f"pipeline steps are Step, a callable, or (fn, p[, params]) tuples; got {s!r}.")


class Pipeline:
    """A sequence of augmentation steps applied in order with per-step sub-seeds.

    Steps are :class:`Step` objects, bare augmentation functions (``p=1``) or ``(fn, p)`` /
    ``(fn, p, params)`` tuples. ``Pipeline(...)(x, y, seed)`` is a pure function, XLA-compilable.
    """

    def __init__(self, steps: Iterable[Step | Augmentation | tuple]):
        self.steps = [_as_step(s) for s in steps]

    def __call__(self, x, y, seed) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        if not self.steps:
            return x, y
        for step, s in zip(self.steps, split(as_seed(seed), len(self.steps)), strict=True):
            x, y = step(x, y, s)
        return x, y

    def layer(self, seed: int | None = None, **kwargs) -> AugmentationLayer:
        """This pipeline as a Keras layer active only in training."""
        return AugmentationLayer(self, seed=seed, **kwargs)

    def __repr__(self) -> str:
        return f"Pipeline({self.steps})"


def _registry() -> Mapping[str, Augmentation]:
    from zoo.augment import AUGMENTATIONS

    return AUGMENTATIONS


@keras.saving.register_keras_serializable(package="zoo")
class AugmentationLayer(keras.layers.Layer):
    """Keras layer applying a :class:`Pipeline` to ``(x, y)`` (or ``x`` alone) when ``training=True``.

    A ``keras.random.SeedGenerator`` supplies a new seed on every call, so each training step differs
    while a fixed ``seed`` makes runs reproducible. Called with ``x`` only, the steps see all-zero
    labels and only ``x`` is returned (use label-free steps then). Outside training it is the identity.

    Example:
        >>> import tensorflow as tf
        >>> from zoo.augment import Pipeline, polarity_flip
        >>> layer = Pipeline([polarity_flip]).layer(seed=3)
        >>> x = tf.ones([4, 100, 3])
        >>> bool(tf.reduce_all(layer(x, training=False) == x))
        True
    """

    def __init__(self, pipeline: Pipeline | Iterable, seed: int | None = None, **kwargs):
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
        registry = _registry()
        steps = []
        for s in config.pop("steps"):
            if s["name"] not in registry:
                raise ValueError(f"unknown augmentation {s['name']!r}; known: {sorted(registry)}.")
            steps.append(Step(registry[s["name"]], s["p"], s["per_sample"], **s["params"]))
        return cls(Pipeline(steps), **config)
