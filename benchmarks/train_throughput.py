"""Training windows per second of PhaseNet with zoo.train.fit: plain, with augmentations, shape-adversarial.

Each configuration trains on synthetic 6000-sample records (windows cut in tf.data, labels and
augmentations in the compiled step) for a warm-up epoch and then a timed epoch; the figure is the timed
epoch's windows per second.

Usage: python benchmarks/train_throughput.py [--batch 32] [--steps 20]
"""

from __future__ import annotations

import argparse
import time

import zoo  # before TensorFlow, as a user's script: it switches oneDNN on for AVX2 CPUs

# isort: split
import keras
import numpy as np
import tensorflow as tf

import zoo.augment as aug
from zoo.train import ShapeAdversarial, fit


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def records(n: int = 64) -> tf.data.Dataset:
    rng = np.random.default_rng(0)
    return tf.data.Dataset.from_tensor_slices(
        {
            "waveform": rng.normal(size=(n, 6000, 3)).astype("float32"),
            "trace_name": [f"r{i}" for i in range(n)],
            "trace_p_arrival_sample": rng.uniform(500, 3000, n).astype("float32"),
            "trace_s_arrival_sample": rng.uniform(3100, 4500, n).astype("float32"),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps in the timed epoch")
    args = parser.parse_args()
    augment = aug.Pipeline(
        [
            aug.AddNoise(p=0.5, snr_db=(0.0, 20.0)),
            aug.ChannelDropout(p=0.3),
            aug.FalsePositive(p=0.2),
            aug.PolarityFlip(),
        ]
    )
    configurations = {
        "supervised": {},
        "supervised + 4 augmentations": {"augment": augment},
        "shape-adversarial": {"trainer": ShapeAdversarial},
    }
    print(
        f"PhaseNet, batch {args.batch}, {args.steps} steps timed, devices: {tf.config.list_logical_devices()}"
    )
    for name, options in configurations.items():
        timer = EpochTimer()
        fit(
            zoo.load("phasenet"),
            records(),
            epochs=2,
            batch_size=args.batch,
            steps_per_epoch=args.steps,
            learning_rate=1e-5,
            callbacks=[timer],
            verbose=0,
            **options,
        )
        rate = args.steps * args.batch / timer.seconds[-1]
        print(f"{name:30s} {rate:7.1f} windows/s  (first epoch incl. tracing {timer.seconds[0]:.1f} s)")


if __name__ == "__main__":
    main()
