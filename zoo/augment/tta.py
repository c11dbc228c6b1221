"""Test-time augmentation: average a model's predictions over filtered and shifted inputs.

``tta_predict(predict_fn, x, ...)`` runs ``predict_fn`` once per (filter, shift) combination:

- every filter is ``None`` (the raw window) or a ``(freqmin, freqmax)`` pair in Hz for a zero-phase
  Butterworth filter, ``None`` corners meaning open (``(1.0, None)`` = 1 Hz high-pass);
- every shift (seconds) moves the window content (``out[t] = x[t - d]``, zero-filled); sequence
  outputs are shifted back by ``d / output_step`` output samples and only the output samples that
  saw real data are averaged.

Point outputs (``[B, K]``) are averaged (or maximised) without shifting back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import product
from typing import Literal

import numpy as np
import tensorflow as tf

from zoo.augment._common import check_batch, gather_time, seconds_to_samples
from zoo.augment.bandpass import bandpass

Filter = tuple[float | None, float | None] | None


def _shift(v: tf.Tensor, d: int) -> tuple[tf.Tensor, tf.Tensor]:
    """``out[t] = v[t - d]`` zero-filled, and the validity mask ``[B, T]``."""
    t = v.shape[1]
    src = tf.range(t)[None, :] - d
    valid = tf.broadcast_to((src >= 0) & (src < t), [tf.shape(v)[0], t])
    return gather_time(v, tf.broadcast_to(src, tf.shape(valid)), valid), valid


def tta_predict(
    predict_fn: Callable,
    x,
    *,
    sampling_rate: float = 100.0,
    filters: Sequence[Filter] = (None, (1.0, None)),
    shifts: Sequence[float] = (0.0,),
    reduce: Literal["mean", "max"] = "mean",
    order: int = 4,
):
    """Average (or max) ``predict_fn`` over filtered and shifted versions of windows ``x``.

    Args:
        predict_fn: ``[B, T, C] -> [B, T_out, K]`` (sequence; ``T`` must be a multiple of ``T_out``)
            or ``[B, K]`` (point), returning tensors or arrays.
        x: windows ``[B, T, C]`` as ``predict_fn`` takes them. Let ``predict_fn`` include the model's
            normalisation (``card.waveform.normalize`` + model + ``card.annotation.postprocess``) and pass raw windows, so
            that filtering and zero-filling happen before normalisation.
        sampling_rate: Hz of ``x``; filters: ``None`` or ``(freqmin, freqmax)`` Hz; shifts: seconds.
        reduce: ``"mean"`` or ``"max"`` over the versions.
        order: Butterworth order of the filters.

    Returns:
        Predictions shaped like one ``predict_fn`` output (NumPy when ``x`` is NumPy).

    Example:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(2, 400, 3)).astype("float32")
        >>> p = tta_predict(lambda w: w[:, ::2, :1] ** 2, x, shifts=(0.0, 0.5))
        >>> p.shape
        (2, 200, 1)
    """
    is_numpy = not tf.is_tensor(x)
    x, _ = check_batch(x)
    if reduce not in ("mean", "max"):
        raise ValueError(f"reduce must be 'mean' or 'max', got {reduce!r}.")
    if not filters or not shifts:
        raise ValueError("tta_predict needs at least one filter (None = raw) and one shift (0.0 = none).")
    t = x.shape[1]
    total, count = None, None
    for filt, sec in product(filters, shifts):
        xf = x if filt is None else bandpass(x, sampling_rate, filt[0], filt[1], order)
        d = seconds_to_samples(sec, sampling_rate)
        xs, _ = _shift(xf, d)
        p = tf.convert_to_tensor(predict_fn(xs), tf.float32)
        if p.shape.rank == 3:
            step = t // p.shape[1]
            if step * p.shape[1] != t:
                raise ValueError(f"window of {t} samples is not a multiple of the {p.shape[1]} outputs.")
            p, valid = _shift(p, -int(round(d / step)))
            valid = tf.cast(valid, tf.float32)[:, :, None]
        else:
            valid = tf.ones_like(p)
        if total is None:
            total = tf.zeros_like(p) if reduce == "mean" else tf.fill(tf.shape(p), -np.inf)
            count = tf.zeros_like(p)
        if reduce == "mean":
            total = total + p * valid
        else:
            total = tf.where(valid > 0, tf.maximum(total, p), total)
        count = count + valid
    out = total / tf.maximum(count, 1.0) if reduce == "mean" else tf.where(count > 0, total, 0.0)
    return out.numpy() if is_numpy else out
