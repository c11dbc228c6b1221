"""CRED earthquake detector (Mousavi et al. 2019): STFT, residual CNN, BiLSTM, one detection curve.

Card facts:

- Input: 6000 samples (60 s) at 100 Hz, components E, N, Z.
- ``normalize``: per window and channel subtract the mean, then divide by the channel's SIGNED
  maximum (``max``, not the absolute maximum), as CRED's data generator does. The original has no
  guard; here a channel whose demeaned maximum is not above 1e-6 of its raw absolute maximum (an
  all-zero or constant channel) is divided by 1 instead, so it stays (near) zero rather than
  becoming NaN or inf. On real data this never triggers and the result equals the original.
- Output: 38 frames of detection probability per window (label ``Detection``). Frame ``k`` stands
  for input samples ``[160k, 160k + 160)`` (its receptive-field centre is sample ``160k + 80``), so
  ``output_step`` is 160 samples (1.6 s) and the 38 frames cover 6080 samples: the last frame
  reaches 80 samples past the window end.
- Windows overlap by 2960 samples (window step 3040 = 19 output frames, about half a window), so
  frames of consecutive windows fall on the same 160-sample grid.
- ``stacking="max"``: an event cut by a window edge gets a low probability in that window while the
  neighbouring window sees it whole; the maximum keeps the complete window's detection instead of
  halving it as the mean would.
- ``blinding=(1920, 0)``: the first 12 frames (19.2 s) of each window are left out of the stacking,
  except at a segment's start. On white Gaussian noise the network's output exceeds 0.5 in frames 2-4
  of 38-45 % of windows (frames 5-7: 8, 2.5, 0.8 %; 8-11: 0.3 %; from frame 12 on: never), a
  start-of-window artefact that max stacking kept as 60 false detections per hour; the previous window
  sees the same time 30-50 s into it. With the blinding: 0 per hour on 3 h of noise
  (``benchmarks/noise_detections.py``); the 50 STEAD records joined into one 50-min stream still give
  a detection on every event (50/50, as without it). The original code has no continuous-data
  procedure to follow.

Example:
    >>> import zoo
    >>> zoo.card("cred").output_step
    160
"""

from __future__ import annotations

import tensorflow as tf

from zoo.models.cred.convert import convert
from zoo.models.cred.model import build
from zoo.models.cred.presets import DEFAULT_PRESET, LICENCE, PRESETS
from zoo.registry import ModelCard, Preset, register

_TINY = 1e-6


def normalize(x: tf.Tensor) -> tf.Tensor:
    """Demean each channel and divide by its signed maximum; ``[batch, samples, channels]`` float32.

    Example:
        >>> import numpy as np
        >>> float(normalize(np.array([[[1.0], [3.0], [2.0]]], "float32"))[0, 1, 0])
        1.0
    """
    x = tf.convert_to_tensor(x, tf.float32)
    raw_peak = tf.reduce_max(tf.abs(x), axis=1, keepdims=True)
    x = x - tf.reduce_mean(x, axis=1, keepdims=True)
    peak = tf.reduce_max(x, axis=1, keepdims=True)
    return x / tf.where(peak > _TINY * raw_peak, peak, tf.ones_like(peak))


def postprocess(outputs: tf.Tensor) -> tf.Tensor:
    """The network output ``[batch, 38, 1]`` already is the ``Detection`` curve."""
    return tf.convert_to_tensor(outputs)


CARD = register(
    ModelCard(
        name="cred",
        task="detector",
        description="CRED: STFT + residual CNN + BiLSTM earthquake detector, 60-s windows at 100 Hz.",
        citation=PRESETS[DEFAULT_PRESET]["metadata"]["citation"],
        build=build,
        convert=convert,
        presets={k: Preset.from_dict(k, v) for k, v in PRESETS.items()},
        default_preset=DEFAULT_PRESET,
        sampling_rate=100.0,
        input_samples=6000,
        components="ENZ",
        labels=("Detection",),
        normalize=normalize,
        postprocess=postprocess,
        output_step=160,
        output_kind="sequence",
        overlap=2960,
        stacking="max",
        blinding=(1920, 0),
        detection_labels=("Detection",),
        thresholds={"Detection": 0.5},
        display_name="CRED",
        licence=LICENCE,
    )
)

__all__ = ["CARD", "build", "convert", "normalize", "postprocess"]
