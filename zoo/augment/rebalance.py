"""Class re-balancing for ``tf.data``: sampling weights or rejection resampling by class.

Classes are, for example, magnitude bins of a metadata column (:func:`column_classes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf


def balanced_weights(classes: np.ndarray, target: Sequence[float] | None = None) -> np.ndarray:
    """Per-example sampling weights that give each class its ``target`` share (default: equal shares).

    Example:
        >>> balanced_weights(np.array([0, 0, 0, 1])).tolist()
        [0.16666666666666666, 0.16666666666666666, 0.16666666666666666, 0.5]
    """
    classes = np.asarray(classes)
    if classes.ndim != 1 or not np.issubdtype(classes.dtype, np.integer):
        raise ValueError("classes must be a 1-D integer array (one class index per example).")
    n_classes = int(classes.max()) + 1
    counts = np.bincount(classes, minlength=n_classes).astype(float)
    share = (
        np.full(n_classes, 1.0 / np.count_nonzero(counts)) if target is None else np.asarray(target, float)
    )
    if share.shape != (n_classes,):
        raise ValueError(f"target must give one share per class ({n_classes}), got {len(share)}.")
    w = np.where(counts > 0, share / np.maximum(counts, 1), 0.0)[classes]
    return w / w.sum()


def column_classes(values: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Class index of each value of a metadata column (e.g. magnitude) for bin ``edges`` (``np.digitize``)."""
    return np.digitize(np.asarray(values, float), np.asarray(edges, float)).astype(np.int64)


def rebalance(
    dataset: tf.data.Dataset,
    class_fn: Callable[..., tf.Tensor],
    num_classes: int,
    target: Sequence[float] | None = None,
    initial: Sequence[float] | None = None,
    seed: int | None = None,
) -> tf.data.Dataset:
    """Rejection-resample ``dataset`` so that ``class_fn(element)`` (int32 scalar) follows ``target``.

    ``target`` defaults to equal shares; ``initial`` (the dataset's class shares, if known) avoids the
    running estimate. Unbatched datasets only.

    Example:
        >>> ds = tf.data.Dataset.from_tensor_slices(tf.constant([0] * 90 + [1] * 10)).repeat()
        >>> ds = rebalance(ds, lambda c: c, 2, seed=1)
        >>> 0.35 < float(np.mean([int(v) for v in ds.take(400)])) < 0.65
        True
    """
    target_dist = np.full(num_classes, 1.0 / num_classes) if target is None else np.asarray(target, float)
    out = dataset.rejection_resample(
        lambda *e: tf.cast(class_fn(*e), tf.int32),
        target_dist=target_dist,
        initial_dist=None if initial is None else np.asarray(initial, float),
        seed=seed,
    )
    return out.map(lambda _cls, element: element)
