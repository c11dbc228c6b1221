"""Seismic augmentations as batched, stateless, XLA-compilable TensorFlow ops.

Every augmentation is a small frozen object holding its parameters in physical units (seconds, Hz,
dB), e.g. ``Shift(max_shift=5.0)`` or ``AddNoise(snr_db=(0, 20), p=0.5)``; calling it on a batch,
``aug(x [B,T,C], y [B,T,K], seed [2]) -> (x, y)``, draws its random numbers from the seed
(``aug.draw(x, y, seed)``) and applies them (``aug.apply(x, y, draws)``), see
:mod:`zoo.augment.base`. Compose them with :class:`Pipeline` (one seed, per-step probabilities ``p``)
and use ``Pipeline.layer()`` inside a model or a ``train_step``.

Labels follow ``y [B, T, K]`` with, by default, the noise channel last (``noise_channel=-1``) and
every other channel a phase. Augmentations that change labels recompute the noise channel as
``max(0, 1 - sum(phases))``: :class:`Shift` (zero-fill), :class:`Superpose`, :class:`TimeStretch`,
:class:`RandomResample` and :class:`ZeroMask`; pass ``noise_channel=None`` for label sets without one
(e.g. EQTransformer's detection/P/S). The others leave labels untouched, except :class:`ClipPair` and
:class:`DenoisePair`, which replace them by a waveform target.

Deterministic helpers live in their modules: :func:`zoo.augment.bandpass.bandpass` (zero-phase
Butterworth), :func:`zoo.augment.resample.resample` (rate change with labels remapped) and
:mod:`zoo.augment.rebalance` (class re-balancing for ``tf.data``). :func:`tta_predict` is test-time
augmentation.
"""

from zoo.augment.bandpass import RandomBandpass
from zoo.augment.dropout import ChannelDropout
from zoo.augment.false_positive import FalsePositive
from zoo.augment.mask import ZeroMask
from zoo.augment.noise import AddNoise
from zoo.augment.pipeline import Pipeline
from zoo.augment.polarity import PolarityFlip, RotateHorizontals
from zoo.augment.resample import RandomResample
from zoo.augment.semisynthetic import ClipPair, DenoisePair
from zoo.augment.shift import Shift
from zoo.augment.stretch import TimeStretch
from zoo.augment.superpose import Superpose
from zoo.augment.tta import tta_predict

__all__ = [
    "AddNoise",
    "ChannelDropout",
    "ClipPair",
    "DenoisePair",
    "FalsePositive",
    "Pipeline",
    "PolarityFlip",
    "RandomBandpass",
    "RandomResample",
    "RotateHorizontals",
    "Shift",
    "Superpose",
    "TimeStretch",
    "ZeroMask",
    "tta_predict",
]
