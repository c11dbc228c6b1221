"""Shape-adversarial (conditional GAN) training of a picker against S amplitude suppression.

Huang et al. (2025), "Diagnosing and Breaking Amplitude Suppression in Seismic Phase Picking Through
Adversarial Shape Learning", arXiv 2511.06731 ("BlueDisc"). A picker trained with point-wise binary
cross-entropy often puts S peaks at the right place but too low (around 0.5) to pass the pick threshold.
A discriminator that judges the *shape* of the label curves given the waveform (the picker is the
generator of a conditional GAN) makes the picker first learn a stable label shape and then align it.

One training step, on a batch ``x`` (normalised waveforms) with targets ``y`` (label curves):

1. picker forward pass: ``g = curves(x)`` (probabilities, the card's label order);
2. discriminator update: ``d_loss = (BCE(D(y, x), 1) + BCE(D(stop_gradient(g), x), 0)) / 2`` with
   BCE on logits, its own optimizer;
3. picker update: ``g_loss = adv_loss + lambda_data * data_loss`` where
   ``adv_loss = BCE(D(g, x), 1)`` (the updated discriminator; "fake judged real") and ``data_loss`` is
   the binary cross-entropy of ``g`` against ``y`` averaged over windows, samples and label channels.

Constants of the paper and of the authors' public implementation (github.com/SeisBlue/BlueDisc,
``module/gan_model.py``, ``module/discriminator.py``, ``module/generator.py``, ``module/pipeline.py``,
``03_evaluation.py``):

- ``lambda_data = 4000`` (data-loss weight). The authors' code also divides the generator loss by
  ``1 + lambda`` (and the discriminator loss by 2, kept here); the generator loss here is the plain
  ``adv + lambda * data`` of the issue. Adam's steps do not change when a loss is multiplied by a
  constant (up to its epsilon), so both train alike.
- Discriminator: see :mod:`zoo.train.shape_discriminator` (three strided Conv1D 64/64/128, kernels
  11/11/5, stride 2, padding 1, no bias, batch norm, LeakyReLU 0.1, flatten, one dense logit); Adam,
  learning rate 1e-3, ``beta_1 = 0``, ``beta_2 = 0.999``.
- Generator (PhaseNet) optimizer: Adam, learning rate 1e-3, ``beta_1 = 0``, ``beta_2 = 0.999`` (the
  default of :meth:`ShapeAdversarial.compile` when no optimizer is given).
- Batch size 100, 10,000 steps, seed 42, INSTANCE data, 3001-sample windows at 100 Hz (2/3 of them
  around an arrival, 1/3 random), peak-normalised; Gaussian P/S labels with sigma 20 samples in the
  authors' code (``ProbabilisticLabeller(sigma=20)``; the issue asks for 10 samples = 0.1 s, the
  PhaseNet default used here through :class:`~zoo.train.targets.PhaseLabels`).
- Effective S detection: matched S peak height >= 0.7 within 10 samples (0.1 s) of the labelled S;
  peaks of height >= 0.1 at least 100 samples apart are matched to the nearest label (see
  :mod:`zoo.train.shape_history`). The paper reports 64% more effective S detections after 10,000
  steps than BCE alone, and the "suppression band" (peak 0.4-0.6 within 0.1 s) nearly emptied.

The picker is trained in training mode (batch norm batch statistics), as in the authors' code; both
networks see the same normalised waveform as the condition. Which label channels the discriminator
sees follows ``card.annotation.labels`` (PhaseNet: P, S, N; EQTransformer: Detection, P, S).

Example:
    >>> import numpy as np, zoo
    >>> trainer = ShapeAdversarial(zoo.load("phasenet", pretrained=False), lambda_data=4000.0)
    >>> trainer.compile()
    >>> trainer.discriminator.input_shape
    [(None, 3000, 3), (None, 3000, 3)]
    >>> float(trainer.discriminator_optimizer.beta_1), float(trainer.optimizer.beta_2)
    (0.0, 0.999)
"""

from __future__ import annotations

import keras
import tensorflow as tf

from zoo.train import shape_discriminator
from zoo.train.supervised import PickerTrainer, data_loss, per_replica

LAMBDA_DATA = 4000.0
"""The paper's data-loss weight."""
LEARNING_RATE = 1e-3
BETA_1 = 0.0
BETA_2 = 0.999
_EPSILON = 1e-7


def paper_adam(learning_rate=LEARNING_RATE) -> keras.optimizers.Adam:
    """Adam as the paper uses it for both networks: ``beta_1 = 0``, ``beta_2 = 0.999``, lr 1e-3.

    Example:
        >>> float(paper_adam().beta_1)
        0.0
    """
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=BETA_1, beta_2=BETA_2)


def logit_bce(logits: tf.Tensor, target: float) -> tf.Tensor:
    """Mean binary cross-entropy of discriminator logits against a constant target (0 or 1)."""
    logits = tf.cast(logits, tf.float32)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.fill(tf.shape(logits), target), logits))


class ShapeAdversarial(PickerTrainer):
    """Picker trainer with the BlueDisc shape discriminator (see the module docstring).

    Args:
        picker: A sample-wise picker from :func:`zoo.load` (PhaseNet, EQTransformer).
        discriminator: A ``keras.Model`` taking ``[labels [B, n, K], waveform [B, n, C]]`` and giving
            ``[B, 1]`` logits; default :func:`zoo.train.shape_discriminator.build` for the card's
            label count, component count and window length.
        lambda_data: Weight of the data (BCE) loss against the adversarial loss (paper: 4000).
        discriminator_learning_rate: Learning rate of the default discriminator optimizer (paper: 1e-3;
            used when :meth:`compile` gets no ``discriminator_optimizer``).
        **kwargs: :class:`~zoo.train.PickerTrainer` options (``labels``, ``augment``, ``seed``,
            ``tolerance``, ``thresholds``).

    Metrics of ``fit``: ``loss`` (= ``data_loss``, comparable with the validation ``loss``),
    ``g_loss``, ``adv_loss``, ``data_loss``, ``d_loss``, and the mean discriminator probabilities
    ``d_real`` and ``d_fake`` of the discriminator step. Validation is the inherited ``test_step``
    (``loss`` here is the same BCE, plus ``P_f1``, ``S_f1``, ``pick_f1``).
    """

    def __init__(
        self,
        picker: keras.Model,
        *,
        discriminator: keras.Model | None = None,
        lambda_data: float = LAMBDA_DATA,
        discriminator_learning_rate: float = LEARNING_RATE,
        **kwargs,
    ):
        super().__init__(picker, **kwargs)
        if not lambda_data >= 0:
            raise ValueError(f"lambda_data must be a non-negative weight, got {lambda_data!r}.")
        if not discriminator_learning_rate > 0:
            raise ValueError(
                f"discriminator_learning_rate must be positive, got {discriminator_learning_rate!r}."
            )
        n, k, c = (
            self.card.waveform.samples,
            len(self.card.annotation.labels),
            len(self.card.waveform.components),
        )
        if discriminator is None:
            discriminator = shape_discriminator.build(label_channels=k, waveform_channels=c, samples=n)
        if not isinstance(discriminator, keras.Model):
            raise TypeError(f"discriminator must be a keras.Model, got {type(discriminator).__name__}.")
        self.discriminator = discriminator
        self.lambda_data = float(lambda_data)
        self.discriminator_learning_rate = float(discriminator_learning_rate)
        self.discriminator_optimizer = None
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("g_loss", "adv_loss", "data_loss", "d_loss", "d_real", "d_fake")
        }

    @property
    def metrics(self):
        return [*super().metrics, *self.trackers.values()]

    def compile(self, optimizer=None, discriminator_optimizer=None, **kwargs):
        """Set the picker's optimizer and the discriminator's (both default to :func:`paper_adam`).

        Both are built here for their own network's variables, so a resumed run (``BackupAndRestore``)
        restores their moments instead of building the picker's optimizer for both networks.
        """
        super().compile(optimizer=optimizer if optimizer is not None else paper_adam(), **kwargs)
        self.optimizer.build(self.picker.trainable_variables)
        if discriminator_optimizer is None:
            discriminator_optimizer = paper_adam(self.discriminator_learning_rate)
        self.discriminator_optimizer = discriminator_optimizer
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    def data_loss(self, y: tf.Tensor, curves: tf.Tensor) -> tf.Tensor:
        """The paper's data loss: binary cross-entropy averaged over windows, samples and label channels."""
        return data_loss(y, curves, noise_label=False)

    def judge(self, labels: tf.Tensor, x: tf.Tensor, training: bool) -> tf.Tensor:
        """Discriminator logits ``[B, 1]`` for label curves ``labels`` given normalised waveforms ``x``."""
        return self.discriminator([labels, x], training=training)

    def generator_loss(self, adv_loss: tf.Tensor, data_loss: tf.Tensor) -> tf.Tensor:
        """``adv_loss + lambda_data * data_loss``."""
        return adv_loss + self.lambda_data * data_loss

    def train_step(self, data):
        if self.discriminator_optimizer is None:
            raise ValueError("ShapeAdversarial needs compile() before training.")
        x, y = self.prepare(data, training=True)
        picker_variables = self.picker.trainable_variables
        disc_variables = self.discriminator.trainable_variables
        with tf.GradientTape() as g_tape:
            curves = self.curves(x, training=True)
            with tf.GradientTape() as d_tape:
                d_real = self.judge(y, x, training=True)
                d_fake = self.judge(tf.stop_gradient(curves), x, training=True)
                d_loss = 0.5 * (logit_bce(d_real, 1.0) + logit_bce(d_fake, 0.0))
            d_grads = d_tape.gradient(per_replica(d_loss), disc_variables)
            self.discriminator_optimizer.apply(d_grads, disc_variables)
            # Reads the discriminator after its update (automatic control dependencies keep the order).
            adv_loss = logit_bce(self.judge(curves, x, training=True), 1.0)
            data_loss = self.data_loss(y, curves)
            g_loss = self.generator_loss(adv_loss, data_loss)
            scaled = self.optimizer.scale_loss(per_replica(g_loss))
        self.optimizer.apply(g_tape.gradient(scaled, picker_variables), picker_variables)
        self.loss_tracker.update_state(data_loss)
        values = {
            "g_loss": g_loss,
            "adv_loss": adv_loss,
            "data_loss": data_loss,
            "d_loss": d_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(d_real)),
            "d_fake": tf.reduce_mean(tf.sigmoid(d_fake)),
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {"loss": self.loss_tracker.result(), **{k: t.result() for k, t in self.trackers.items()}}

    def test_step(self, data):
        results = super().test_step(data)
        return {name: value for name, value in results.items() if name not in self.trackers}
