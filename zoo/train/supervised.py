"""Supervised training of a zoo picker: labels, augmentation and normalisation inside the train step.

:class:`PickerTrainer` wraps a picker from :func:`zoo.load` in a ``keras.Model`` whose ``train_step``
takes a batch of windows with arrival samples (see :mod:`zoo.train.windows`), draws the label curves
(:class:`~zoo.train.targets.PhaseLabels`), applies the augmentation :class:`~zoo.augment.Pipeline` with a
new seed each step, normalises with the card's ``normalize`` and fits the card's label curves. Everything
is TensorFlow inside the compiled step, so it runs on a GPU when there is one. ``test_step`` reports the
loss and the window pick F1 of each pick label (``P_f1``, ``S_f1``) and their mean ``pick_f1``.

Loss: models with a noise label (PhaseNet's softmax over P, S, noise) use the cross-entropy summed over
the label channels, ``-sum_k y_k log p_k`` averaged over samples (PhaseNet's own training loss); models
without one (EQTransformer's sigmoid heads) use binary cross-entropy averaged over samples and labels.

Example:
    >>> import numpy as np, keras, zoo
    >>> trainer = PickerTrainer(zoo.load("phasenet", pretrained=False), seed=1)
    >>> trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    >>> batch = {"waveform": np.random.default_rng(0).normal(size=(2, 3000, 3)).astype("float32"),
    ...          "trace_name": np.array(["a", "b"]),
    ...          "trace_p_arrival_sample": np.array([500.0, 800.0], "float32"),
    ...          "trace_s_arrival_sample": np.array([900.0, np.nan], "float32")}
    >>> x, y = trainer.prepare(batch, training=False)
    >>> x.shape, y.shape, int(np.argmax(y[0, :, 0]))
    (TensorShape([2, 3000, 3]), TensorShape([2, 3000, 3]), 500)
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import tensorflow as tf

from zoo.augment import Pipeline
from zoo.registry import card_of
from zoo.train.pick_metrics import WindowPickF1
from zoo.train.targets import PhaseLabels, check_trainable
from zoo.train.windows import ARRIVAL_KEYS, WAVEFORM

_EPSILON = 1e-7


def data_loss(y: tf.Tensor, curves: tf.Tensor, noise_label: bool) -> tf.Tensor:
    """The supervised loss (scalar) of ``[B, T, K]`` curves against labels ``y`` (see the module docstring)."""
    p = tf.clip_by_value(tf.cast(curves, tf.float32), _EPSILON, 1.0 - _EPSILON)
    y = tf.cast(y, tf.float32)
    if noise_label:
        return -tf.reduce_mean(tf.reduce_sum(y * tf.math.log(p), axis=-1))
    return -tf.reduce_mean(y * tf.math.log(p) + (1.0 - y) * tf.math.log(1.0 - p))


def per_replica(loss: tf.Tensor) -> tf.Tensor:
    """``loss`` divided by the number of replicas: under ``tf.distribute`` the replicas' gradients are
    summed, so each replica's share of the global mean is its own mean over the replica count."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return loss / replicas if replicas > 1 else loss


class PickerTrainer(keras.Model):
    """Trains ``picker`` on windows with arrival samples (see the module docstring).

    Args:
        picker: a sample-wise picker from :func:`zoo.load` (PhaseNet, EQTransformer).
        labels: how label curves are drawn (default: Gaussian, sigma 0.1 s).
        augment: augmentations applied in the train step (not in evaluation).
        seed: seed of the augmentation draws; the same seed repeats a run.
        tolerance: seconds within which a validation pick counts as a hit.
        thresholds: pick threshold per phase for the validation F1 (default: the card's).
    """

    def __init__(
        self,
        picker: keras.Model,
        *,
        labels: PhaseLabels | None = None,
        augment: Pipeline | None = None,
        seed: int = 0,
        tolerance: float = 0.1,
        thresholds: Mapping[str, float] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.card = card_of(picker)
        check_trainable(self.card)
        if augment is not None and not isinstance(augment, Pipeline):
            raise TypeError(f"augment must be a zoo.augment.Pipeline, got {type(augment).__name__}.")
        if tolerance <= 0:
            raise ValueError(f"tolerance must be a positive number of seconds, got {tolerance}.")
        self.picker = picker
        self.labels = labels or PhaseLabels()
        self.augment = augment
        self.seed_generator = keras.random.SeedGenerator(seed)
        thresholds = {**self.card.trigger.thresholds, **(thresholds or {})}
        self.pick_metrics = [
            WindowPickF1(
                self.card.annotation.labels.index(phase),
                thresholds.get(phase, 0.5),
                round(tolerance * self.card.waveform.sampling_rate),
                name=f"{phase}_f1",
            )
            for phase in self.card.trigger.pick_labels
        ]
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.built = picker.built

    @property
    def metrics(self):
        return [self.loss_tracker, *self.pick_metrics]

    def call(self, x, training=None):
        return self.picker(x, training=training)

    def prepare(self, data, training: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """Batch dict -> ``(x, y)``: normalised network input ``[B, n, C]`` and label curves ``[B, n, K]``."""
        x = tf.cast(data[WAVEFORM], tf.float32)
        if x.shape[1] != self.card.waveform.samples:
            raise ValueError(
                f"{self.card.name} trains on windows of {self.card.waveform.samples} samples, got {x.shape[1]}; "
                "cut them with zoo.train.windows.cut_windows (zoo.train.fit does)."
            )
        arrivals = tf.stack([tf.cast(data[key], tf.float32) for key in ARRIVAL_KEYS], axis=-1)
        y = self.labels.curves(arrivals, x.shape[1], self.card.waveform.sampling_rate)
        if training and self.augment is not None:
            x, y = self.augment(x, y, tf.cast(self.seed_generator.next(), tf.int64))
        return self.card.waveform.normalize(x), self.labels.for_card(y, self.card)

    def curves(self, x: tf.Tensor, training: bool) -> tf.Tensor:
        """Label curves ``[B, n, K]`` of the picker on normalised input ``x``."""
        return tf.cast(self.card.annotation.postprocess(self.picker(x, training=training)), tf.float32)

    def data_loss(self, y: tf.Tensor, curves: tf.Tensor) -> tf.Tensor:
        """The supervised loss (see :func:`data_loss`)."""
        return data_loss(y, curves, noise_label="N" in self.card.annotation.labels)

    def update_pick_metrics(self, y: tf.Tensor, curves: tf.Tensor) -> None:
        """Accumulate the validation pick F1 of each pick label."""
        for metric in self.pick_metrics:
            metric.update_state(y, curves)

    def _results(self) -> dict[str, tf.Tensor]:
        results = {m.name: m.result() for m in self.metrics}
        if self.pick_metrics:
            results["pick_f1"] = tf.add_n([m.result() for m in self.pick_metrics]) / len(self.pick_metrics)
        return results

    def train_step(self, data):
        x, y = self.prepare(data, training=True)
        with tf.GradientTape() as tape:
            loss = self.data_loss(y, self.curves(x, training=True))
            scaled = self.optimizer.scale_loss(per_replica(loss))
        variables = self.picker.trainable_variables
        self.optimizer.apply(tape.gradient(scaled, variables), variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        x, y = self.prepare(data, training=False)
        curves = self.curves(x, training=False)
        self.loss_tracker.update_state(self.data_loss(y, curves))
        self.update_pick_metrics(y, curves)
        return self._results()
