"""Batches per second of the full augmentation pipeline on a 64 x 3000 x 3 batch: eager, graph, XLA.

Usage: python benchmarks/augment_throughput.py [--batch 64] [--samples 3000] [--iterations 20]
"""

from __future__ import annotations

import argparse
import time

import zoo  # noqa: F401  (before TensorFlow, as in a user's script: oneDNN on for AVX2 CPUs)

# isort: split
import numpy as np
import tensorflow as tf

import zoo.augment as aug
from zoo.labels import phase_labels


def full_pipeline(sampling_rate: float = 100.0) -> aug.Pipeline:
    """Every label-preserving augmentation with typical training probabilities."""
    return aug.Pipeline(
        [
            aug.Shift(sampling_rate=sampling_rate),
            aug.Superpose(p=0.3, sampling_rate=sampling_rate),
            aug.RandomResample(p=0.2),
            aug.TimeStretch(p=0.2),
            aug.RandomBandpass(p=0.2, sampling_rate=sampling_rate),
            aug.AddNoise(p=0.5, snr_db=(-5.0, 20.0)),
            aug.FalsePositive(p=0.2, sampling_rate=sampling_rate),
            aug.ChannelDropout(p=0.2),
            aug.PolarityFlip(),
            aug.RotateHorizontals(),
            aug.ZeroMask(p=0.1, sampling_rate=sampling_rate),
        ]
    )


def measure(fn, x, y, iterations: int) -> tuple[float, float]:
    """(seconds of the first call, batches per second over ``iterations`` further calls)."""
    t0 = time.perf_counter()
    fn(x, y, tf.constant([0, 0], tf.int64))[0].numpy()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(iterations):
        fn(x, y, tf.constant([i + 1, 0], tf.int64))[0].numpy()
    return first, iterations / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(args.batch, args.samples, 3)).astype(np.float32))
    p = rng.uniform(100, args.samples // 2, args.batch)
    y = tf.constant(phase_labels(np.stack([p, p + rng.uniform(100, 600, args.batch)], 1), args.samples))
    pipe = full_pipeline()
    variants = {
        "eager": pipe.__call__,
        "tf.function": tf.function(pipe.__call__),
        "tf.function(jit_compile=True)": tf.function(pipe.__call__, jit_compile=True),
    }
    print(
        f"full pipeline ({len(pipe.steps)} steps), batch {args.batch} x {args.samples} x 3, "
        f"{args.iterations} batches, TensorFlow {tf.__version__}"
    )
    for name, fn in variants.items():
        first, rate = measure(fn, x, y, args.iterations)
        print(f"{name:32s} {rate:8.2f} batches/s  ({1000 / rate:7.1f} ms/batch, first call {first:.1f} s)")


if __name__ == "__main__":
    main()
