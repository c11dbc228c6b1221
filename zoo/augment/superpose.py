"""Superimposed events: add a second event taken from another trace of the batch.

The partner trace is delayed (zero-filled, never wrapped) so that its P arrival falls after the end
of the first event and inside the window, scaled so that its peak amplitude is ``ratio`` times the
first trace's peak, and added. Labels are combined by maximum and the noise channel is recomputed.
Traces for which no such delay exists (the first event lasts to the end of the window) or batches
of one trace are returned unchanged.

Event end of the first trace: ``S + coda_factor * (S - P)`` from the label peaks
(``end="labels"``, falling back to the envelope when P or S has no label), or the last sample where
the smoothed envelope exceeds ``envelope_level`` times its maximum (``end="envelope"``). The P of the
partner is its P label peak, or its first sample when it has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import tensorflow as tf

from zoo.augment._common import (
    check_batch,
    check_rate,
    recompute_noise,
    seconds_to_samples,
    split,
    uniform,
)
from zoo.augment.base import Augmentation, Draws
from zoo.augment.shift import Shift


def label_peak(y: tf.Tensor, channel: int, threshold: float = 0.5) -> tf.Tensor:
    """Sample (float32 ``[B]``) of the maximum of label ``channel``; -1 where it stays below ``threshold``."""
    v = y[:, :, channel]
    peak = tf.cast(tf.argmax(v, axis=1, output_type=tf.int32), tf.float32)
    return tf.where(tf.reduce_max(v, axis=1) >= threshold, peak, -1.0)


def envelope_end(x: tf.Tensor, sampling_rate: float = 100.0, smooth: float = 1.0, level: float = 0.1):
    """Last sample (float32 ``[B]``) where the moving-average envelope (``smooth`` s) exceeds ``level`` x max."""
    w = max(1, seconds_to_samples(smooth, sampling_rate))
    env = tf.reduce_max(tf.abs(x), axis=2)
    env = tf.nn.avg_pool1d(env[:, :, None], ksize=w, strides=1, padding="SAME")[:, :, 0]
    on = env >= level * tf.reduce_max(env, axis=1, keepdims=True)
    t = tf.shape(x)[1]
    last = t - 1 - tf.argmax(tf.cast(tf.reverse(on, [1]), tf.int32), axis=1, output_type=tf.int32)
    return tf.cast(last, tf.float32)


@dataclass(frozen=True, kw_only=True, repr=False)
class Superpose(Augmentation):
    """Superimpose a second event from the batch on each trace (see the module docstring).

    Args:
        ratio: range of the partner's peak amplitude relative to the trace's peak.
        end: how the first event's end is estimated, ``"labels"`` or ``"envelope"``.
        p_channel, s_channel: label channels of P and S; coda_factor: coda length / (S - P).
        threshold: a label peak below this counts as absent.
        sampling_rate: Hz (envelope smoothing of 1 s); envelope_level: fraction of the envelope peak.
        noise_channel, phase_channels: label layout; the noise channel is recomputed.

    Draws: ``partner`` (int32 ``[B]``, the trace added), ``delay`` (int32 ``[B]``, samples),
    ``ratio`` (float32 ``[B]``) and ``active`` (bool ``[B]``).

    Example:
        >>> import tensorflow as tf
        >>> from zoo.labels import phase_labels
        >>> y = phase_labels([[100.0, 200.0], [150.0, 260.0]], 2000)
        >>> xs, ys = Superpose()(tf.random.normal([2, 2000, 3]), y, [0, 7])
        >>> ys.shape
        TensorShape([2, 2000, 3])
    """

    ratio: tuple[float, float] = (0.1, 1.0)
    end: Literal["labels", "envelope"] = "labels"
    p_channel: int = 0
    s_channel: int = 1
    coda_factor: float = 1.4
    threshold: float = 0.5
    sampling_rate: float = 100.0
    envelope_level: float = 0.1
    noise_channel: int | None = -1
    phase_channels: Sequence[int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.end not in ("labels", "envelope"):
            raise ValueError(f"end must be 'labels' or 'envelope', got {self.end!r}.")
        check_rate(self.sampling_rate)

    def event_end(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        """Estimated end sample (float32 ``[B]``) of the event in each trace; see the module docstring."""
        env_end = envelope_end(x, self.sampling_rate, level=self.envelope_level)
        if self.end == "envelope":
            return env_end
        p = label_peak(y, self.p_channel, self.threshold)
        s = label_peak(y, self.s_channel, self.threshold)
        return tf.where((p >= 0) & (s >= 0), s + self.coda_factor * (s - p), env_end)

    def draw(self, x, y, seed) -> Draws:
        x, y = check_batch(x, y)
        s_k, s_delay, s_ratio = split(seed, 3)
        b = tf.shape(x)[0]
        t = x.shape[1]
        bf = tf.cast(b, tf.float32)
        k = 1 + tf.cast(tf.floor(uniform([], s_k) * (bf - 1.0)), tf.int32)
        partner = tf.math.floormod(tf.range(b) + k, b)
        end1 = self.event_end(x, y)
        p2 = tf.maximum(tf.gather(label_peak(y, self.p_channel, self.threshold), partner), 0.0)
        lo = tf.math.ceil(end1) + 1.0 - p2
        hi = float(t - 1) - p2
        active = (lo <= hi) & (b > 1)
        u = uniform([b], s_delay)
        delay = tf.cast(tf.minimum(lo + tf.floor(u * (hi - lo + 1.0)), hi), tf.int32)
        r = uniform([b], s_ratio, minval=self.ratio[0], maxval=self.ratio[1])
        return {"partner": partner, "delay": tf.where(active, delay, 0), "ratio": r, "active": active}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        x2 = tf.gather(x, draws["partner"])
        y2 = tf.gather(y, draws["partner"])
        x2, y2 = Shift(mode="zero", noise_channel=None).apply(x2, y2, {"shift": draws["delay"]})
        peak1 = tf.reduce_max(tf.abs(x), axis=[1, 2])
        peak2 = tf.reduce_max(tf.abs(tf.gather(x, draws["partner"])), axis=[1, 2])
        gain = draws["ratio"] * peak1 / tf.maximum(peak2, 1e-30)
        on = draws["active"][:, None, None]
        x_out = tf.where(on, x + x2 * gain[:, None, None], x)
        y_out = tf.where(on, recompute_noise(tf.maximum(y, y2), self.noise_channel, self.phase_channels), y)
        return x_out, y_out
