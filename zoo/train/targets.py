"""Training targets: label curves in a model card's label order, built from arrival samples.

The curves are built in the augmentation library's layout first (``[P, S, noise]``, noise last, see
:mod:`zoo.labels`) so that every augmentation moves them with the waveform; :meth:`PhaseLabels.for_card`
then maps them to the card's labels. ``P``, ``S`` and ``N`` are taken as they are; ``Detection`` (the
EQTransformer label) runs from the P peak to ``S + coda_factor * (S - P)`` found from the augmented P and
S curves (peaks above 0.5), so it follows shifts and crops. Only sample-wise models (``output_step`` 1,
``output_kind="sequence"``) can be trained this way.

Example:
    >>> import numpy as np
    >>> import zoo
    >>> labels = PhaseLabels(width=0.1)
    >>> y = labels.curves(np.array([[100.0, 300.0]]), 1000, sampling_rate=100.0)
    >>> d = labels.for_card(y, zoo.card("eqtransformer"))
    >>> d.shape, int(d[0, :, 0].numpy().sum())
    (TensorShape([1, 1000, 3]), 481)
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

from zoo.labels import Shape, detection_label, phase_labels
from zoo.registry import ModelCard, waveform_card

PHASES = ("P", "S")
"""Phases whose arrival samples the training elements carry, in label-channel order."""

TRAINABLE_LABELS = ("P", "S", "N", "Detection")


def check_trainable(card: ModelCard) -> None:
    """Raise ``ValueError`` unless ``card`` is a sample-wise model whose labels can be built."""
    waveform_card(card, "training with phase labels")
    if card.annotation.output_kind != "sequence" or card.annotation.output_step != 1:
        raise ValueError(
            f"{card.name} puts out one value per {card.annotation.output_step} samples ({card.annotation.output_kind}); "
            "supervised training here needs sample-wise label curves (PhaseNet, EQTransformer)."
        )
    unknown = [label for label in card.annotation.labels if label not in TRAINABLE_LABELS]
    if unknown:
        raise ValueError(f"{card.name} has labels {unknown} that cannot be built; known: {TRAINABLE_LABELS}.")


@dataclass(frozen=True)
class PhaseLabels:
    """How label curves are drawn around the arrivals.

    Attributes:
        width: label width in seconds (Gaussian sigma; 0.1 s = 10 samples at 100 Hz, as PhaseNet).
        shape: ``"gaussian"``, ``"triangle"`` or ``"box"``.
        coda_factor: length of the ``Detection`` label after S as a multiple of S - P (1.4 as EQTransformer).
    """

    width: float = 0.1
    shape: Shape = "gaussian"
    coda_factor: float = 1.4

    def curves(self, arrivals, n_samples: int, sampling_rate: float) -> tf.Tensor:
        """``[B, n_samples, 3]`` curves ``P, S, noise`` from ``[B, 2]`` P and S arrival samples (NaN = absent)."""
        return tf.convert_to_tensor(
            phase_labels(arrivals, n_samples, sampling_rate, self.width, self.shape, noise=True)
        )

    def for_card(self, curves: tf.Tensor, card: ModelCard) -> tf.Tensor:
        """Map ``[B, T, 3]`` ``P, S, noise`` curves to ``[B, T, len(card.annotation.labels)]`` in the card's order."""
        check_trainable(card)
        columns = {"P": curves[..., 0:1], "S": curves[..., 1:2], "N": curves[..., 2:3]}
        if "Detection" in card.annotation.labels:
            columns["Detection"] = self._detection(curves)
        return tf.concat([columns[label] for label in card.annotation.labels], axis=-1)

    def _detection(self, curves: tf.Tensor) -> tf.Tensor:
        peak = tf.cast(tf.argmax(curves[..., :2], axis=1), tf.float32)
        peak = tf.where(tf.reduce_max(curves[..., :2], axis=1) > 0.5, peak, float("nan"))
        return detection_label(peak[:, 0], peak[:, 1], tf.shape(curves)[1], self.coda_factor)
