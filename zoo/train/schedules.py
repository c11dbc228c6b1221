"""Learning-rate schedules for fine-tuning.

Example:
    >>> schedule = WarmUp(1e-3, warmup_steps=100)
    >>> [round(float(schedule(step)), 6) for step in (0, 49, 99, 500)]
    [1e-05, 0.0005, 0.001, 0.001]
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="zoo")
class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from ``peak / warmup_steps`` to ``peak`` over ``warmup_steps`` steps, then ``peak``.

    Args:
        peak: learning rate after the warm-up.
        warmup_steps: number of optimizer steps of the ramp (0: constant ``peak``).
    """

    def __init__(self, peak: float, warmup_steps: int):
        if peak <= 0:
            raise ValueError(f"learning rate must be positive, got {peak}.")
        if warmup_steps < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}.")
        self.peak, self.warmup_steps = float(peak), int(warmup_steps)

    def __call__(self, step):
        if self.warmup_steps == 0:
            return tf.constant(self.peak, tf.float32)
        ramp = (tf.cast(step, tf.float32) + 1.0) / float(self.warmup_steps)
        return self.peak * tf.minimum(1.0, ramp)

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}
