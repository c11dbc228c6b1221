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

Everything for inference is importable from here (TensorFlow is imported on first use): ``build``
(:mod:`.model`), ``normalize`` and ``postprocess`` (:mod:`.preprocessing`), ``STFTMagnitude``
(:mod:`.stft`).

Example:
    >>> import zoo
    >>> zoo.card("cred").annotation.output_step
    160
"""

from __future__ import annotations

from zoo.lazy import lazy, lazy_exports
from zoo.models.cred.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS
from zoo.registry import (
    AnnotationSpec,
    ModelCard,
    TriggerSpec,
    WaveformSpec,
    preset_table,
    register,
)

_MODEL = "zoo.models.cred.model"
_PREPROCESSING = "zoo.models.cred.preprocessing"

CARD = register(
    ModelCard(
        name="cred",
        task="detector",
        description="CRED: STFT + residual CNN + BiLSTM earthquake detector, 60-s windows at 100 Hz.",
        citation=CITATION,
        licence=LICENCE,
        display_name="CRED",
        build=lazy(_MODEL, "build"),
        convert=lazy("zoo.models.cred.convert", "convert"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        waveform=WaveformSpec(
            sampling_rate=100.0, samples=6000, components="ENZ", normalize=lazy(_PREPROCESSING, "normalize")
        ),
        annotation=AnnotationSpec(
            labels=("Detection",),
            postprocess=lazy(_PREPROCESSING, "postprocess"),
            output_step=160,
            output_kind="sequence",
            overlap=2960,
            stacking="max",
            blinding=(1920, 0),
        ),
        trigger=TriggerSpec(detection_labels=("Detection",), thresholds={"Detection": 0.5}),
        variants={"seisbench": lazy("zoo.models.cred.variants", "seisbench")},
    )
)

__all__ = ["CARD", "STFTMagnitude", "build", "normalize", "postprocess"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "STFTMagnitude": "zoo.models.cred.stft",
        "build": _MODEL,
        "normalize": _PREPROCESSING,
        "postprocess": _PREPROCESSING,
    },
    eager=["CARD"],
)
