"""Cut training windows of a model's length out of longer labelled records, inside tf.data.

Each record (a dict with the keys of :mod:`zoo.data`: ``waveform [samples, channels]``,
``trace_p_arrival_sample``, ``trace_s_arrival_sample``, ``trace_name``) becomes one window of
``n_samples`` with its arrival samples moved into window coordinates; arrivals that fall outside the
window become NaN and records shorter than the window are zero-padded at the end.

Where the window starts:

- ``p_position=None`` (random shift on the fly): anywhere that keeps every labelled arrival inside the
  window (anywhere at all when the arrivals span more than a window or there are none);
- ``p_position=t`` seconds: the P arrival sits ``t`` s after the window start (no shift);
- ``p_position=(t0, t1)`` seconds: the P arrival is drawn uniformly between ``t0`` and ``t1``.

A record with too little data before or after P for the requested position gets the nearest window
that fits inside it, so P lands earlier or later than asked (a STEAD record with P at 5 s cannot put
P at 10 s); records without P get a random window.

Training windows (``training=True``) draw a new start each epoch from ``seed``; evaluation windows draw
it from a hash of the trace name, so they are the same in every epoch and every run.

Example:
    >>> import numpy as np, tensorflow as tf
    >>> records = tf.data.Dataset.from_tensors({
    ...     "waveform": np.zeros((6000, 3), "float32"), "trace_name": "A",
    ...     "trace_p_arrival_sample": np.float32(1000), "trace_s_arrival_sample": np.float32(1500)})
    >>> w = next(iter(cut_windows(records, 3000, sampling_rate=100.0, p_position=5.0)))
    >>> w["waveform"].shape, float(w["trace_p_arrival_sample"]), float(w["trace_s_arrival_sample"])
    (TensorShape([3000, 3]), 500.0, 1000.0)
"""

from __future__ import annotations

import tensorflow as tf

from zoo.train.targets import PHASES

WAVEFORM = "waveform"
NAME = "trace_name"
ARRIVAL_KEYS = tuple(f"trace_{phase.lower()}_arrival_sample" for phase in PHASES)
KEYS = (WAVEFORM, NAME, *ARRIVAL_KEYS)

PPosition = float | tuple[float, float] | None


def _check_records(dataset: tf.data.Dataset) -> None:
    spec = dataset.element_spec
    if not isinstance(spec, dict):
        raise TypeError(f"training records must be dicts with keys {list(KEYS)}; got elements {spec}.")
    missing = [key for key in KEYS if key not in spec]
    if missing:
        raise ValueError(f"training records lack {missing}; expected keys {list(KEYS)} (see zoo.data).")
    if spec[WAVEFORM].shape.rank != 2:
        raise ValueError(
            f"'waveform' must be [samples, channels] per record (unbatched), got shape {spec[WAVEFORM].shape}."
        )


def _uniform_int(lo: tf.Tensor, hi: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    u = tf.random.stateless_uniform([], seed=seed, dtype=tf.float32)
    return lo + tf.cast(tf.floor(u * tf.cast(hi - lo + 1, tf.float32)), tf.int32)


def _start(
    arrivals: tf.Tensor, length: tf.Tensor, n: int, rate: float, p_position: PPosition, seed
) -> tf.Tensor:
    last_start = tf.maximum(length - n, 0)
    present = tf.math.is_finite(arrivals) & (arrivals >= 0)
    if p_position is not None:
        t0, t1 = (p_position, p_position) if isinstance(p_position, int | float) else p_position
        target = _uniform_int(tf.cast(round(t0 * rate), tf.int32), tf.cast(round(t1 * rate), tf.int32), seed)
        start = tf.cast(tf.round(tf.where(present[0], arrivals[0], 0.0)), tf.int32) - target
        random = _uniform_int(0, last_start, seed)
        return tf.clip_by_value(tf.where(present[0], start, random), 0, last_start)
    first = tf.cast(tf.reduce_min(tf.where(present, arrivals, 1e9)), tf.int32)
    last = tf.cast(tf.math.ceil(tf.reduce_max(tf.where(present, arrivals, -1e9))), tf.int32)
    lo = tf.clip_by_value(last - (n - 1), 0, last_start)
    hi = tf.clip_by_value(first, 0, last_start)
    fits = tf.reduce_any(present) & (lo <= hi)
    return _uniform_int(tf.where(fits, lo, 0), tf.where(fits, hi, last_start), seed)


def cut_windows(
    records: tf.data.Dataset,
    n_samples: int,
    *,
    sampling_rate: float,
    p_position: PPosition = None,
    seed: int = 0,
    training: bool = True,
) -> tf.data.Dataset:
    """Windows of ``n_samples`` (see the module docstring for where they start).

    Args:
        records: unbatched dicts with ``waveform``, ``trace_name`` and the P/S arrival samples.
        n_samples: window length in samples (the model's ``input_samples``).
        sampling_rate: Hz of the records, converts ``p_position`` seconds to samples.
        p_position: ``None``, seconds, or a ``(min, max)`` range of seconds for the P arrival.
        seed: integer seed of the window starts.
        training: new random starts each epoch (True) or fixed starts per trace name (False).

    Returns:
        Dicts with exactly the keys ``waveform [n_samples, C]`` float32, ``trace_name`` and the arrival
        samples (float32, NaN outside the window).
    """
    _check_records(records)
    if isinstance(p_position, tuple) and not (len(p_position) == 2 and 0 <= p_position[0] <= p_position[1]):
        raise ValueError(
            f"p_position range must be (min, max) seconds with 0 <= min <= max, got {p_position}."
        )
    if p_position is not None and not isinstance(p_position, tuple | int | float):
        raise TypeError(f"p_position must be None, seconds or a (min, max) tuple, got {p_position!r}.")
    window = tf.range(n_samples)

    def cut(record, element_seed):
        x = tf.cast(record[WAVEFORM], tf.float32)
        arrivals = tf.stack([tf.cast(record[key], tf.float32) for key in ARRIVAL_KEYS])
        if not training:
            element_seed = tf.stack(
                [tf.strings.to_hash_bucket_fast(record[NAME], 2**31 - 1), tf.cast(seed, tf.int64)]
            )
        start = _start(arrivals, tf.shape(x)[0], n_samples, sampling_rate, p_position, element_seed)
        idx = start + window
        valid = idx < tf.shape(x)[0]
        cut_x = tf.where(valid[:, None], tf.gather(x, tf.minimum(idx, tf.shape(x)[0] - 1)), 0.0)
        moved = arrivals - tf.cast(start, tf.float32)
        inside = tf.math.is_finite(moved) & (moved >= 0) & (moved < n_samples)
        moved = tf.where(inside, moved, float("nan"))
        out = {WAVEFORM: tf.ensure_shape(cut_x, [n_samples, x.shape[-1]]), NAME: record[NAME]}
        out.update({key: moved[i] for i, key in enumerate(ARRIVAL_KEYS)})
        return out

    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=training).batch(2)
    return tf.data.Dataset.zip(records, seeds).map(
        cut, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
    )
