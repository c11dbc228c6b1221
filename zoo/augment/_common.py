"""Helpers shared by the augmentation modules: seeds, shape checks, label bookkeeping."""

from __future__ import annotations

import math
from collections.abc import Sequence

import tensorflow as tf

# Random bits come from Philox explicitly ("auto_select" may pick another generator under XLA).
ALG = "philox"


def as_seed(seed) -> tf.Tensor:
    """A stateless-op seed: an int32/int64 tensor of shape [2] (an int is expanded to ``[seed, 0]``)."""
    if isinstance(seed, int):
        seed = [seed, 0]
    s = tf.convert_to_tensor(seed)
    if s.dtype not in (tf.int32, tf.int64):
        raise TypeError(f"seed must be int32 or int64, got {s.dtype.name}.")
    if s.shape.rank != 1 or s.shape[0] != 2:
        raise ValueError(f"seed must have shape [2] (stateless random ops), got {s.shape}.")
    return tf.cast(s, tf.int64)


def split(seed, n: int) -> list[tf.Tensor]:
    """``n`` independent sub-seeds derived from ``seed``."""
    parts = tf.random.experimental.stateless_split(as_seed(seed), num=n, alg=ALG)
    return [parts[i] for i in range(n)]


def check_batch(x: tf.Tensor, y: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor | None]:
    """Convert to float32 tensors and check ``x [B,T,C]`` and ``y [B,T,K]`` agree."""
    x = tf.convert_to_tensor(x, tf.float32)
    if x.shape.rank != 3:
        raise ValueError(f"waveforms must be [batch, samples, channels], got shape {x.shape}.")
    if y is None:
        return x, None
    y = tf.convert_to_tensor(y, tf.float32)
    if y.shape.rank != 3:
        raise ValueError(f"labels must be [batch, samples, label channels], got shape {y.shape}.")
    if x.shape[1] is not None and y.shape[1] is not None and x.shape[1] != y.shape[1]:
        raise ValueError(
            f"waveforms have {x.shape[1]} samples but labels {y.shape[1]}; labels must be per sample."
        )
    return x, y


def check_rate(sampling_rate: float) -> None:
    if sampling_rate <= 0:
        raise ValueError(f"sampling_rate must be positive (Hz), got {sampling_rate}.")


def seconds_to_samples(seconds: float, sampling_rate: float) -> int:
    check_rate(sampling_rate)
    return int(round(seconds * sampling_rate))


def phase_index(k: int, noise_channel: int | None, phase_channels: Sequence[int] | None) -> list[int]:
    """Label channels that hold phases: ``phase_channels``, or every channel except the noise one."""
    if phase_channels is not None:
        return list(phase_channels)
    noise = None if noise_channel is None else noise_channel % k
    return [i for i in range(k) if i != noise]


def recompute_noise(
    y: tf.Tensor, noise_channel: int | None = -1, phase_channels: Sequence[int] | None = None
) -> tf.Tensor:
    """Set ``y[..., noise_channel] = max(0, 1 - sum(phase channels))``; no-op when ``noise_channel`` is None."""
    if noise_channel is None:
        return y
    k = y.shape[-1]
    n = noise_channel % k
    phases = tf.gather(y, phase_index(k, n, phase_channels), axis=-1)
    noise = tf.maximum(0.0, 1.0 - tf.reduce_sum(phases, axis=-1, keepdims=True))
    return tf.concat([y[..., :n], noise, y[..., n + 1 :]], axis=-1)


def phase_activity(
    y: tf.Tensor, noise_channel: int | None = -1, phase_channels: Sequence[int] | None = None
) -> tf.Tensor:
    """``[B, T]`` maximum over the phase channels (how much of a phase each sample carries)."""
    k = y.shape[-1]
    return tf.reduce_max(tf.gather(y, phase_index(k, noise_channel, phase_channels), axis=-1), axis=-1)


def gather_time(v: tf.Tensor, idx: tf.Tensor, valid: tf.Tensor | None = None) -> tf.Tensor:
    """``out[b, t] = v[b, idx[b, t]]`` (``idx`` int32 ``[B, T']``), zero where ``valid`` is False."""
    t = tf.shape(v)[1]
    out = tf.gather(v, tf.clip_by_value(idx, 0, t - 1), batch_dims=1)
    if valid is not None:
        out = tf.where(valid[:, :, None], out, tf.zeros_like(out))
    return out


def interp_time(v: tf.Tensor, pos: tf.Tensor) -> tf.Tensor:
    """Linear interpolation ``out[b, t] = v[b, pos[b, t]]`` at fractional sample positions, zero outside."""
    t = tf.shape(v)[1]
    lo = tf.floor(pos)
    frac = (pos - lo)[:, :, None]
    lo = tf.cast(lo, tf.int32)
    hi = lo + 1
    v_lo = gather_time(v, lo, (lo >= 0) & (lo < t))
    v_hi = gather_time(v, hi, (hi >= 0) & (hi < t))
    return v_lo * (1.0 - frac) + v_hi * frac


def _unit(shape, seed) -> tf.Tensor:
    """Uniform float32 in [0, 1) from 24 random bits (identical in eager and XLA)."""
    bits = tf.random.stateless_uniform(
        shape, as_seed(seed), minval=None, maxval=None, dtype=tf.uint32, alg=ALG
    )
    return tf.cast(tf.bitwise.right_shift(bits, 8), tf.float32) * (1.0 / 16777216.0)


def uniform(shape, seed, minval=0.0, maxval=1.0, dtype=tf.float32) -> tf.Tensor:
    """Stateless uniform numbers in ``[minval, maxval)`` (float32 or int32).

    Built from raw Philox bits because TensorFlow's float conversion differs between the eager CPU
    kernel and XLA; this way eager and ``jit_compile=True`` give the same batch.
    """
    u = _unit(shape, seed)
    if dtype == tf.int32:
        lo = tf.cast(minval, tf.float32)
        span = tf.cast(maxval, tf.float32) - lo
        return tf.cast(tf.minimum(tf.floor(lo + u * span), tf.cast(maxval, tf.float32) - 1.0), tf.int32)
    return minval + u * (maxval - minval)


def normal(shape, seed) -> tf.Tensor:
    """Stateless standard normal numbers (Box-Muller, both the cosine and sine outputs used)."""
    shape = tf.convert_to_tensor(shape, tf.int32)
    n = tf.reduce_prod(shape)
    half = (n + 1) // 2
    u = _unit(tf.stack([2, half]), seed)
    radius = tf.sqrt(-2.0 * tf.math.log(1.0 - u[0]))
    angle = (2.0 * math.pi) * u[1]
    z = tf.concat([radius * tf.cos(angle), radius * tf.sin(angle)], axis=0)[:n]
    return tf.reshape(z, shape)
