"""S-peak diagnostics of shape-adversarial training (Huang et al. 2025, arXiv 2511.06731).

Amplitude suppression shows as S curves whose peak sits near the labelled S but stays below the pick
threshold. Two numbers per labelled S arrival describe it:

- the S peak amplitude: height of the predicted S peak matched to the label;
- the S peak time error: predicted peak sample minus labelled S sample, in samples (positive = late;
  divide by the sampling rate for seconds).

Peaks follow the authors' evaluation (``03_evaluation.py`` / ``module/evaluator.py`` of BlueDisc):
local maxima of the S curve at least :data:`MATCH_HEIGHT` (0.1) high and :data:`MIN_PEAK_DISTANCE`
(100 samples) apart; the peak nearest to the labelled S is matched. An *effective S detection* is a
matched peak at least :data:`EFFECTIVE_THRESHOLD` (0.7) high within :data:`EFFECTIVE_TOLERANCE` (10
samples = 0.1 s at 100 Hz) of the label; the paper reports 64% more of them after 10,000 steps with
the discriminator than with BCE alone.

:class:`ShapeHistory` is a Keras callback that records both numbers on a fixed monitoring batch every
``every`` steps and writes a PNG of them against the training step when training ends.

Example:
    >>> import numpy as np
    >>> t = np.arange(600.0)
    >>> curve = 0.6 * np.exp(-((t - 305) ** 2) / 200.0)
    >>> amplitude, error = match_peak(curve, 300.0)
    >>> round(float(amplitude), 2), float(error), bool(is_effective(amplitude, error))
    (0.6, 5.0, False)
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np
from scipy.signal import find_peaks

logger = logging.getLogger(__name__)

MATCH_HEIGHT = 0.1
"""Lowest peak (probability) that can be matched to a label (the authors' ``match_confidence``)."""
MIN_PEAK_DISTANCE = 100
"""Minimum distance between two peaks of one curve, samples (the authors' ``min_peak_distance``)."""
EFFECTIVE_THRESHOLD = 0.7
"""Peak height of an effective detection (the authors' ``precise_confidence``)."""
EFFECTIVE_TOLERANCE = 10
"""Largest |time error| of an effective detection, samples (0.1 s at 100 Hz; ``precise_tolerance``)."""


def match_peak(
    curve: np.ndarray,
    label_sample: float,
    *,
    min_height: float = MATCH_HEIGHT,
    min_distance: int = MIN_PEAK_DISTANCE,
    max_distance: float | None = None,
) -> tuple[float, float]:
    """Height and time error (samples) of the peak of ``curve`` nearest to ``label_sample``.

    Args:
        curve: One label curve ``[samples]`` (probabilities).
        label_sample: Labelled arrival, sample index (may be fractional).
        min_height: Peaks lower than this are ignored.
        min_distance: Minimum separation of peaks, samples.
        max_distance: Peaks farther than this from the label (samples) are ignored; ``None`` = any.

    Returns:
        ``(height, peak - label_sample)``; ``(0.0, nan)`` when no peak qualifies.

    Example:
        >>> match_peak(np.zeros(100), 50.0)
        (0.0, nan)
    """
    curve = np.asarray(curve, dtype=float)
    if curve.ndim != 1:
        raise ValueError(f"curve must be one label curve [samples], got shape {curve.shape}.")
    peaks, props = find_peaks(curve, height=min_height, distance=max(int(min_distance), 1))
    if len(peaks) == 0:
        return 0.0, float("nan")
    offsets = peaks - float(label_sample)
    best = int(np.argmin(np.abs(offsets)))
    if max_distance is not None and abs(offsets[best]) > max_distance:
        return 0.0, float("nan")
    return float(props["peak_heights"][best]), float(offsets[best])


def is_effective(
    amplitude, error, *, threshold: float = EFFECTIVE_THRESHOLD, tolerance: float = EFFECTIVE_TOLERANCE
) -> np.ndarray:
    """Effective detection: peak ``amplitude >= threshold`` and ``|error| <= tolerance`` samples.

    Example:
        >>> is_effective(np.array([0.9, 0.9, 0.5]), np.array([3.0, 20.0, 0.0])).tolist()
        [True, False, False]
    """
    amplitude = np.asarray(amplitude, dtype=float)
    error = np.asarray(error, dtype=float)
    with np.errstate(invalid="ignore"):
        return (amplitude >= threshold) & (np.abs(error) <= tolerance)


def label_samples(labels: np.ndarray, channel: int, min_value: float = 0.5) -> np.ndarray:
    """Labelled arrival per window: argmax of ``labels[:, :, channel]``, NaN where its max < ``min_value``.

    Example:
        >>> y = np.zeros((2, 50, 1)); y[0, 20, 0] = 1.0
        >>> label_samples(y, 0).tolist()
        [20.0, nan]
    """
    labels = np.asarray(labels)
    curve = labels[:, :, channel]
    arrival = np.argmax(curve, axis=1).astype(float)
    arrival[curve.max(axis=1) < min_value] = np.nan
    return arrival


def s_peaks(curves: np.ndarray, labels: np.ndarray, channel: int, **kw) -> tuple[np.ndarray, np.ndarray]:
    """Matched S peak amplitude and time error (samples) per window of a batch.

    Args:
        curves: Predicted curves ``[B, samples, K]``.
        labels: Target curves ``[B, samples, K]`` in the same channel order.
        channel: Index of the S channel.
        **kw: Passed to :func:`match_peak`.

    Returns:
        Two ``[B]`` arrays; windows without a labelled S get NaN in both.
    """
    curves = np.asarray(curves)
    arrivals = label_samples(labels, channel)
    amplitude = np.full(len(arrivals), np.nan)
    error = np.full(len(arrivals), np.nan)
    for i, arrival in enumerate(arrivals):
        if np.isfinite(arrival):
            amplitude[i], error[i] = match_peak(curves[i, :, channel], arrival, **kw)
    return amplitude, error


def monitor_batch(records, card, size: int = 64, seed: int = 0) -> dict[str, np.ndarray]:
    """A fixed batch for :class:`ShapeHistory`: the first ``size`` windows of ``records``.

    Windows are cut as for validation (:func:`zoo.train.windows.cut_windows` with ``training=False``:
    one fixed start per trace name, every labelled arrival inside the window).

    Args:
        records: Unbatched training elements (see :mod:`zoo.data`), e.g. the validation records.
        card: The picker's :class:`~zoo.registry.ModelCard` (window length, sampling rate).
        size: Windows in the batch.
        seed: Seed of the window starts.

    Example:
        >>> import tensorflow as tf, zoo
        >>> records = tf.data.Dataset.from_tensors({"waveform": np.zeros((6000, 3), "float32"),
        ...     "trace_name": "A", "trace_p_arrival_sample": np.float32(1000),
        ...     "trace_s_arrival_sample": np.float32(1500)})
        >>> monitor_batch(records, zoo.card("phasenet"))["waveform"].shape
        (1, 3000, 3)
    """
    from zoo.train.windows import cut_windows

    if not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive number of windows, got {size!r}.")
    windows = cut_windows(
        records, card.waveform.samples, sampling_rate=card.waveform.sampling_rate, seed=seed, training=False
    )
    return {key: value.numpy() for key, value in next(iter(windows.batch(size))).items()}


class ShapeHistory(keras.callbacks.Callback):
    """Record the S peak amplitude and time error on a fixed batch during training; plot them.

    The monitored model is a trainer with the :class:`zoo.train.PickerTrainer` interface
    (``prepare(data, training)``, ``curves(x, training)``, ``card``). The batch is prepared once
    (no augmentation) and the picker is run in inference mode every ``every`` training steps and at
    the start of training (step 0).

    Args:
        batch: A batch dict in the training-element layout (windows of the card's length), e.g.
            from :func:`monitor_batch`.
        every: Record every this many training steps.
        path: Where the PNG is written at the end of training (``None``: no plot).
        phase: Label whose peaks are tracked (``"S"``).

    Attributes:
        steps: Recorded training steps.
        amplitude, error: ``[len(steps), windows]`` arrays (NaN for windows without the phase); the
            error is in samples (positive = late).

    Example:
        >>> callback = ShapeHistory({"waveform": np.zeros((1, 3000, 3), "float32")}, every=50, path=None)
        >>> callback.every
        50
    """

    def __init__(
        self,
        batch: Mapping[str, Any],
        every: int = 100,
        path: str | Path | None = "shape_history.png",
        phase: str = "S",
    ):
        super().__init__()
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive number of steps, got {every!r}.")
        self.batch = batch
        self.every = every
        self.path = None if path is None else Path(path)
        self.phase = phase
        self._steps: list[int] = []
        self._amplitude: list[np.ndarray] = []
        self._error: list[np.ndarray] = []
        self._seen = 0
        self._prepared = None

    @property
    def steps(self) -> np.ndarray:
        return np.asarray(self._steps, dtype=int)

    @property
    def amplitude(self) -> np.ndarray:
        return np.asarray(self._amplitude, dtype=float)

    @property
    def error(self) -> np.ndarray:
        return np.asarray(self._error, dtype=float)

    def _record(self) -> None:
        trainer = self.model
        labels = trainer.card.annotation.labels
        if self.phase not in labels:
            raise ValueError(f"{trainer.card.name} has no {self.phase!r} label; its labels are {labels}.")
        if self._prepared is None:
            x, y = trainer.prepare(dict(self.batch), training=False)
            self._prepared = (x, np.asarray(y))
        x, y = self._prepared
        curves = np.asarray(trainer.curves(x, training=False))
        amplitude, error = s_peaks(curves, y, labels.index(self.phase))
        self._steps.append(self._seen)
        self._amplitude.append(amplitude)
        self._error.append(error)
        logger.info(
            "step %d: median %s peak %.3f, median |error| %.1f samples",
            self._seen,
            self.phase,
            np.nanmedian(amplitude) if np.isfinite(amplitude).any() else np.nan,
            np.nanmedian(np.abs(error)) if np.isfinite(error).any() else np.nan,
        )

    def on_train_begin(self, logs=None):
        if not self._steps:
            self._record()

    def on_train_batch_end(self, batch, logs=None):
        self._seen += 1
        if self._seen % self.every == 0:
            self._record()

    def on_train_end(self, logs=None):
        if self._steps and self._steps[-1] != self._seen:
            self._record()
        if self.path is not None:
            plot_history(self.steps, self.amplitude, self.error, self.path, phase=self.phase)


def plot_history(
    steps: np.ndarray,
    amplitude: np.ndarray,
    error: np.ndarray,
    path: str | Path,
    *,
    phase: str = "S",
    threshold: float = EFFECTIVE_THRESHOLD,
    tolerance: float = EFFECTIVE_TOLERANCE,
    runs: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> Path:
    """Write a two-panel PNG: peak amplitude and |time error| (samples) against the training step.

    Thick lines are medians over the monitored windows, shaded bands their 25-75% range, dotted lines
    the share of windows with an effective detection; with a single run, thin lines show every window. Dashed lines mark the effective-detection threshold and
    tolerance. ``runs`` maps run names to ``(steps, amplitude, error)`` to overlay several runs (then
    ``steps``, ``amplitude`` and ``error`` are ignored).

    Example:
        >>> import tempfile
        >>> a = np.array([[0.5, 0.6], [0.7, 0.9]]); e = np.array([[9.0, -3.0], [2.0, 1.0]])
        >>> plot_history([0, 10], a, e, tempfile.mkdtemp() + "/h.png").suffix
        '.png'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = dict(runs) if runs else {"": (steps, amplitude, error)}
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (name, (s, a, e)), colour in zip(runs.items(), colours):
        s, a, e = np.asarray(s), np.asarray(a, dtype=float), np.abs(np.asarray(e, dtype=float))
        if not a.size:
            continue
        for axis, values, label in ((top, a, name or None), (bottom, e, None)):
            if len(runs) == 1:
                axis.plot(s, values, color=colour, lw=0.5, alpha=0.3)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (windows without the phase)
                low, mid, high = np.nanpercentile(values, [25, 50, 75], axis=1)
            axis.fill_between(s, low, high, color=colour, alpha=0.15, lw=0)
            axis.plot(s, mid, color=colour, lw=2, label=label)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            labelled = np.isfinite(a)
            share = is_effective(a, e, threshold=threshold, tolerance=tolerance).sum(axis=1) / labelled.sum(
                axis=1
            )
        top.plot(s, share, color=colour, lw=1.5, ls=":")
    top.axhline(threshold, color="k", ls="--", lw=1)
    bottom.axhline(tolerance, color="k", ls="--", lw=1)
    top.set_ylabel(f"{phase} peak amplitude\n(dotted: effective share)")
    top.set_ylim(0, 1.05)
    bottom.set_ylabel(f"{phase} peak |time error| (samples)")
    bottom.set_ylim(bottom=0)
    bottom.set_xlabel("training step")
    if any(runs):
        top.legend(loc="lower right")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
