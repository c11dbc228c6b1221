"""The base class of every augmentation: a frozen set of parameters with ``draw``, ``apply`` and ``__call__``.

An augmentation is a frozen dataclass whose fields are its parameters (physical units: seconds, Hz,
dB), checked when it is built. It never holds state; three methods work on whole batches
``x [B, T, C]`` (waveforms) and ``y [B, T, K]`` (labels):

- ``draw(x, y, seed)``: the random draws for this batch, a dict of tensors (e.g. ``{"shift": [B]}``);
  the only place randomness comes in, from a ``[2]`` stateless seed (an int ``s`` means ``[s, 0]``);
- ``apply(x, y, draws)``: the augmentation itself, deterministic TensorFlow ops;
- ``__call__(x, y, seed)``: both, with probability ``p`` per trace (``per_sample=True``) or per batch.

With ``p = 1`` (the default) ``aug(x, y, seed)`` is ``aug.apply(x, y, aug.draw(x, y, seed))``. With
``p < 1`` the seed is split into a draw seed and a keep seed, as in every :class:`~zoo.augment.Pipeline`
step. Everything is XLA-compilable, so augmentations run inside a compiled train step.

A new augmentation subclasses :class:`Augmentation` with
``@dataclass(frozen=True, kw_only=True, repr=False)`` and defines ``draw`` and ``apply``; its ``name``
(snake case of the class name, e.g. ``"add_noise"`` for ``AddNoise``) registers it for saved Keras
configs and ``zoo train --augment``.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

import tensorflow as tf

from zoo.augment._common import split, uniform

Draws = dict[str, tf.Tensor]

AUGMENTATIONS: dict[str, type[Augmentation]] = {}
"""Every augmentation class by :attr:`Augmentation.name` (filled as the classes are defined)."""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _jsonable(value) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    return isinstance(value, list | tuple) and all(_jsonable(v) for v in value)


def _shown(value) -> str:
    return (
        repr(value) if _jsonable(value) else f"<{type(value).__name__} {list(getattr(value, 'shape', []))}>"
    )


def _is_default(value, default) -> bool:
    if value is default:
        return True
    return default is not MISSING and _jsonable(value) and value == default


def _plain(value):
    """Tuples as lists, so that configs compare equal after a JSON round trip."""
    return [_plain(v) for v in value] if isinstance(value, list | tuple) else value


@dataclass(frozen=True, kw_only=True, repr=False)
class Augmentation:
    """Base class of the augmentations (see the module docstring).

    Args:
        p: probability of applying the augmentation, in [0, 1].
        per_sample: draw that probability per trace (True) or once for the whole batch (False).
    """

    p: float = 1.0
    per_sample: bool = True

    name: ClassVar[str] = "augmentation"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.name = _snake(cls.__name__)
        AUGMENTATIONS[cls.name] = cls

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"the probability p of {self.name} must be in [0, 1], got {self.p}.")
        object.__setattr__(self, "p", float(self.p))

    def draw(self, x, y, seed) -> Draws:
        """The random draws for the batch ``(x, y)`` from the ``[2]`` seed ``seed``."""
        raise NotImplementedError

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        """Apply the augmentation with the given ``draws`` (from :meth:`draw`) to every trace."""
        raise NotImplementedError

    def __call__(self, x, y, seed) -> tuple[tf.Tensor, tf.Tensor]:
        """Draw and apply; with ``p < 1`` each trace (or the batch) keeps the result with probability ``p``."""
        if self.p == 1.0:
            return self.apply(x, y, self.draw(x, y, seed))
        return run_step(self, x, y, seed)

    def params(self) -> dict[str, Any]:
        """The parameters other than ``p`` and ``per_sample``."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("p", "per_sample")}

    def get_config(self) -> dict[str, Any]:
        """JSON-able description (name, probability, parameters) for Keras saving."""
        for key, value in self.params().items():
            if not _jsonable(value):
                raise TypeError(
                    f"{self.name}: parameter {key!r} ({type(value).__name__}) cannot be saved in a Keras "
                    "config; only numbers, strings, booleans, None and lists of them can (pass noise banks "
                    "to the pipeline in the training step instead of a saved layer)."
                )
        return self.describe()

    def describe(self) -> dict[str, Any]:
        """Like :meth:`get_config`, for provenance records: parameters that are not JSON-able (a noise
        bank) appear as their type and shape instead of failing."""
        params = {
            key: _plain(value) if _jsonable(value) else _shown(value) for key, value in self.params().items()
        }
        return {"name": self.name, "p": self.p, "per_sample": self.per_sample, "params": params}

    def __repr__(self) -> str:
        changed = [
            f"{f.name}={_shown(getattr(self, f.name))}"
            for f in fields(self)
            if not _is_default(getattr(self, f.name), f.default)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    @staticmethod
    def from_config(config: dict[str, Any]) -> Augmentation:
        """The augmentation that :meth:`get_config` describes."""
        name = config["name"]
        if name not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation {name!r}; known: {sorted(AUGMENTATIONS)}.")
        return AUGMENTATIONS[name](p=config["p"], per_sample=config["per_sample"], **config["params"])


def run_step(augmentation: Augmentation, x, y, seed) -> tuple[tf.Tensor, tf.Tensor]:
    """``augmentation`` as one pipeline step: ``seed`` split into a draw seed and a keep seed."""
    s_draw, s_keep = split(seed, 2)
    if augmentation.p == 0.0:
        return x, y
    x = tf.convert_to_tensor(x, tf.float32)
    y = None if y is None else tf.convert_to_tensor(y, tf.float32)
    xa, ya = augmentation.apply(x, y, augmentation.draw(x, y, s_draw))
    if augmentation.p == 1.0:
        return xa, ya
    if y is None:
        raise ValueError(
            f"{augmentation.name} with p < 1 needs the labels y (a trace keeps x and y together)."
        )
    if xa.shape != x.shape or ya.shape != y.shape:
        raise ValueError(
            f"{augmentation.name} changes the batch shape ({x.shape}, {y.shape} -> {xa.shape}, {ya.shape}); "
            "it can only run with p=1."
        )
    n = tf.shape(x)[0] if augmentation.per_sample else 1
    keep = uniform([n], s_keep) < augmentation.p
    keep = tf.broadcast_to(keep, [tf.shape(x)[0]])[:, None, None]
    return tf.where(keep, xa, x), tf.where(keep, ya, y)
