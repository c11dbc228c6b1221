"""False-positive noise: instrument and telemetry artefacts that are not phases.

One artefact per trace, of a kind drawn uniformly from ``kinds``:

- ``gap``: a stretch of ``gap_duration`` seconds set to zero or held at the value of its first
  sample (``gap_value="constant"``), like a telemetry drop-out;
- ``step``: an offset added from a random sample to the end of the window;
- ``spike``: a one-sample impulse;
- ``boxcar``: an offset added over ``boxcar_duration`` seconds.

Amplitudes are ``amplitude`` (uniform) times the trace's standard deviation, with a random sign per
component. Labels are returned unchanged (the artefact is noise). With ``avoid_phases`` a trace whose
artefact would touch a sample with a phase label above ``threshold`` keeps its original waveform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import tensorflow as tf

from zoo.augment._common import check_batch, check_rate, phase_activity, seconds_to_samples, split, uniform
from zoo.augment.base import Augmentation, Draws

KINDS = ("gap", "step", "spike", "boxcar")


@dataclass(frozen=True, kw_only=True, repr=False)
class FalsePositive(Augmentation):
    """Add one gap, step, spike or boxcar per trace (see the module docstring); labels unchanged.

    Args:
        sampling_rate: Hz; kinds: a non-empty subset of ``KINDS``.
        gap_duration, boxcar_duration: (low, high) seconds; gap_value: ``"zero"`` or ``"constant"``.
        amplitude: (low, high) in standard deviations of the trace.
        avoid_phases, threshold: leave traces alone where the artefact would touch a phase label.
        noise_channel, phase_channels: label layout.

    Draws: ``kind`` (int32 ``[B]``, index into ``KINDS``), ``start`` and ``length`` (int32 ``[B]``,
    samples), ``amp`` (float32 ``[B, C]``) and ``active`` (bool ``[B]``).

    Example:
        >>> import tensorflow as tf
        >>> xs, ys = FalsePositive()(tf.random.normal([4, 3000, 3]), tf.zeros([4, 3000, 3]), [5, 5])
        >>> xs.shape
        TensorShape([4, 3000, 3])
    """

    sampling_rate: float = 100.0
    kinds: Sequence[str] = KINDS
    gap_duration: tuple[float, float] = (0.5, 5.0)
    gap_value: Literal["zero", "constant"] = "zero"
    boxcar_duration: tuple[float, float] = (0.05, 2.0)
    amplitude: tuple[float, float] = (2.0, 20.0)
    avoid_phases: bool = True
    threshold: float = 0.1
    noise_channel: int | None = -1
    phase_channels: Sequence[int] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        bad = [k for k in self.kinds if k not in KINDS]
        if bad or not self.kinds:
            raise ValueError(
                f"false-positive kinds must be a non-empty subset of {KINDS}, got {list(self.kinds)}."
            )
        if self.gap_value not in ("zero", "constant"):
            raise ValueError(f"gap_value must be 'zero' or 'constant', got {self.gap_value!r}.")
        check_rate(self.sampling_rate)

    def draw(self, x, y, seed) -> Draws:
        x, y = check_batch(x, y)
        s_kind, s_start, s_gap, s_box, s_amp, s_sign = split(seed, 6)
        b, t, c = tf.shape(x)[0], x.shape[1], x.shape[2]
        allowed = tf.constant([KINDS.index(k) for k in self.kinds], tf.int32)
        kind = tf.gather(allowed, uniform([b], s_kind, 0, len(self.kinds), dtype=tf.int32))
        g_lo, g_hi = (seconds_to_samples(d, self.sampling_rate) for d in self.gap_duration)
        b_lo, b_hi = (seconds_to_samples(d, self.sampling_rate) for d in self.boxcar_duration)
        gap_len = uniform([b], s_gap, max(g_lo, 1), max(g_hi, 1) + 1, dtype=tf.int32)
        box_len = uniform([b], s_box, max(b_lo, 1), max(b_hi, 1) + 1, dtype=tf.int32)
        length = tf.gather(
            tf.stack([gap_len, tf.ones_like(gap_len), tf.ones_like(gap_len), box_len], 1), kind, batch_dims=1
        )
        start = uniform([b], s_start, 0, t, dtype=tf.int32)
        length = tf.minimum(length, t - start)
        sign = tf.where(uniform([b, c], s_sign) < 0.5, -1.0, 1.0)
        amp = uniform([b, c], s_amp, self.amplitude[0], self.amplitude[1]) * sign
        amp = amp * tf.math.reduce_std(x, axis=[1, 2])[:, None]
        active = tf.ones([b], tf.bool)
        if self.avoid_phases:
            idx = tf.range(t)[None, :]
            touched = (idx >= start[:, None]) & (idx < (start + length)[:, None])
            phase = phase_activity(y, self.noise_channel, self.phase_channels) > self.threshold
            active = ~tf.reduce_any(touched & phase, axis=1)
        return {"kind": kind, "start": start, "length": length, "amp": amp, "active": active}

    def apply(self, x, y, draws: Draws) -> tuple[tf.Tensor, tf.Tensor]:
        x, y = check_batch(x, y)
        t = x.shape[1]
        idx = tf.range(t)[None, :]
        start, length, kind = draws["start"], draws["length"], draws["kind"]
        region = ((idx >= start[:, None]) & (idx < (start + length)[:, None]))[:, :, None]
        after = (idx >= start[:, None])[:, :, None]
        amp = draws["amp"][:, None, :]
        held = (
            tf.gather(x, start, batch_dims=1)[:, None, :]
            if self.gap_value == "constant"
            else tf.zeros_like(amp)
        )
        candidates = tf.stack(
            [
                tf.where(region, held, x),
                x + tf.where(after, amp, 0.0),
                x + tf.where(region, amp, 0.0),
                x + tf.where(region, amp, 0.0),
            ],
            axis=0,
        )
        out = tf.gather(tf.transpose(candidates, [1, 0, 2, 3]), kind, batch_dims=1)
        return tf.where(draws["active"][:, None, None], out, x), y
