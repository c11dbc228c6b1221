"""Picks and detections from label curves: triggers, the card's pick rules, ``zoo.classify``.

``classify(model, stream)`` runs the model over the stream (:func:`zoo.waveforms.curves.curves`) and
triggers on the card's pick labels (one :class:`Pick` at the peak of every stretch above the threshold) and detection
labels (one :class:`Detection` per stretch above the threshold). Thresholds default to the card's and
are overridden per label with ``<label>_threshold=`` keywords.

The records (:class:`~zoo.waveforms.picklist.Pick`, :class:`~zoo.waveforms.picklist.Detection`,
:class:`~zoo.waveforms.picklist.PickList`) name the instrument they come from. A pick also names one
SEED channel the model read, for QuakeML: for P phases the vertical one (``EHZ``; else N, else E), for
every other phase the first horizontal one (N or 1, else E or 2, else Z); see :func:`pick_channel`.
:func:`extract` does the same on annotation traces from :func:`zoo.annotate`.

Example:
    >>> import obspy, zoo
    >>> picks = zoo.classify(zoo.load("phasenet"), obspy.read(), P_threshold=0.3)
    >>> [(p.phase, str(p.time)[11:19]) for p in picks]
    [('P', '00:20:07'), ('S', '00:20:08')]
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import obspy

from zoo.cards import ModelCard
from zoo.registry import waveform_card
from zoo.waveforms.annotate import annotation_instrument_id, strategy_for
from zoo.waveforms.curves import SegmentCurves, curves
from zoo.waveforms.picklist import Detection, Pick, PickList
from zoo.waveforms.segments import runs


def trigger(
    values: np.ndarray, on: float, off: float | None = None, min_samples: int = 1
) -> list[tuple[int, int, int]]:
    """Trigger intervals of a probability curve as ``(start, stop, peak)`` sample indices (stop exclusive).

    A trigger starts at the first sample at or above ``on`` and lasts while the curve stays at or
    above ``off`` (default ``on``), as ObsPy's ``trigger_onset``; triggers shorter than
    ``min_samples`` are dropped; NaN counts as below. ``peak`` is the maximum inside the trigger.

    Example:
        >>> trigger(np.array([0.1, 0.5, 0.9, 0.4, 0.2, 0.6]), 0.5, 0.3)
        [(1, 4, 2), (5, 6, 5)]
    """
    off = on if off is None else min(off, on)
    v = np.asarray(values)
    on_level, off_level = _level(on, v.dtype), _level(off, v.dtype)
    found = []
    for a, b in runs(v >= off_level):  # NaN compares below; no float64 copy of a day-long curve
        hits = np.flatnonzero(v[a:b] >= on_level)
        if len(hits) == 0 or b - (a + hits[0]) < min_samples:
            continue
        start = a + int(hits[0])
        found.append((start, b, start + int(np.argmax(v[start:b]))))
    return found


def _level(threshold: float, dtype: np.dtype) -> Any:
    """The smallest value of ``dtype`` at or above ``threshold``: ``x >= level`` in ``dtype`` is ``x >= threshold``."""
    if dtype != np.float32:
        return np.float64(threshold)
    level = np.float32(threshold)
    return np.nextafter(level, np.float32(np.inf)) if float(level) < threshold else level


def pick_thresholds(card: ModelCard, given: dict[str, Any]) -> dict[str, float]:
    """Trigger threshold per label: the card's, replaced by ``<label>_threshold`` keywords in ``given``."""
    valid = {
        f"{label}_threshold": label for label in card.trigger.pick_labels + card.trigger.detection_labels
    }
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise TypeError(
            f"Unknown option(s) {', '.join(unknown)} for {card.prefix}; thresholds are {', '.join(sorted(valid))}."
        )
    out = dict(card.trigger.thresholds)
    for key, value in given.items():
        if (
            isinstance(value, (bool, np.bool_))
            or not isinstance(value, numbers.Real)
            or not (0 < float(value) <= 1)
        ):
            raise ValueError(f"{key} must be a probability in (0, 1], got {value!r}.")
        out[valid[key]] = float(value)
    return out


def _label_picks(
    card: ModelCard,
    thresholds: dict[str, float],
    label: str,
    values: np.ndarray,
    trace_id: str,
    channels: dict[str, str],
    t0: obspy.UTCDateTime,
    dt: float,
) -> tuple[list[Pick], list[Detection]]:
    """The picks (pick labels) or detections (detection labels) of one curve starting at ``t0``, ``dt`` s apart."""
    rules = card.trigger
    on = thresholds.get(label)
    levels = (on, None if on is None else rules.off_threshold(label, on), rules.min_trigger(label))
    picks, detections = [], []
    if label in rules.pick_labels:
        channel = pick_channel(label, channels)
        for a, b, peak in trigger(values, *levels):
            picks.append(
                Pick(
                    trace_id,
                    label,
                    t0 + peak * dt,
                    float(values[peak]),
                    t0 + a * dt,
                    t0 + (b - 1) * dt,
                    channel,
                )
            )
    elif label in rules.detection_labels:
        for a, b, peak in trigger(values, *levels):
            detections.append(
                Detection(trace_id, t0 + a * dt, t0 + (b - 1) * dt, t0 + peak * dt, float(values[peak]))
            )
    return picks, detections


def pick_list(card: ModelCard, picks: list[Pick], detections: list[Detection]) -> PickList:
    """The card's association rules applied to the picks and detections of a run, as a :class:`PickList`."""
    rules = card.trigger
    if rules.picks_within_detections is not None or rules.detections_need_picks:
        picks, detections = _associate(
            picks, detections, rules.picks_within_detections, rules.detections_need_picks
        )
    return PickList(picks, detections)


def segment_picks(
    segment: SegmentCurves, card: ModelCard, thresholds: dict[str, float]
) -> tuple[list[Pick], list[Detection]]:
    """The picks and detections of one segment's curves, before the card's association rules.

    ``thresholds`` are the trigger-on levels by label (see :func:`pick_thresholds`); :func:`pick_list`
    applies the association rules to those of all segments.
    """
    picks, detections = [], []
    dt = 1.0 / segment.sampling_rate
    for i, label in enumerate(segment.labels):
        p, d = _label_picks(
            card,
            thresholds,
            label,
            segment.values[:, i],
            segment.trace_id,
            segment.channels,
            segment.starttime,
            dt,
        )
        picks += p
        detections += d
    return picks, detections


def picks_from_curves(
    found: Iterable[SegmentCurves], card: ModelCard, thresholds: dict[str, float]
) -> PickList:
    """Picks and detections from the per-segment curves of :func:`zoo.waveforms.curves.curves`.

    ``thresholds`` are the trigger-on levels by label (see :func:`pick_thresholds`). The same picks as
    :func:`extract` on the annotation traces of the same curves. Each segment's curves are released
    once its picks are taken, so an iterator of curves is never held whole.
    """
    picks, detections = [], []
    for segment in found:
        p, d = segment_picks(segment, card, thresholds)
        picks += p
        detections += d
        del segment  # released before the next segment's curves are made
    return pick_list(card, picks, detections)


def extract(annotations: obspy.Stream, card: ModelCard, thresholds: dict[str, float]) -> PickList:
    """Picks and detections from annotation traces produced by :func:`zoo.annotate` for ``card``.

    The instrument comes from each trace's ``stats.instrument`` and ``stats.source_channels`` (see
    :func:`zoo.annotate`); traces without them give ids ``NET.STA.LOC.`` and picks without a channel.
    """
    picks, detections = [], []
    for tr in annotations:
        label = tr.stats.channel[len(card.prefix) + 1 :]
        channels = tr.stats.get("source_channels") or {}
        p, d = _label_picks(
            card,
            thresholds,
            label,
            tr.data,
            annotation_instrument_id(tr),
            channels,
            tr.stats.starttime,
            tr.stats.delta,
        )
        picks += p
        detections += d
    return pick_list(card, picks, detections)


def pick_channel(phase: str, source_channels: dict[str, str]) -> str:
    """The SEED channel a pick of ``phase`` is attributed to, from the component role -> channel map.

    P phases (labels starting with ``P``): the vertical channel, else N, else E; other phases: the
    first horizontal one (N, else E), else Z; ``""`` when none is known. Roles are the card's
    component letters, so a Z/1/2 instrument's S pick goes to its ``1`` channel.

    Example:
        >>> pick_channel("S", {"Z": "HHZ", "N": "HH1", "E": "HH2"})
        'HH1'
    """
    order = "ZNE" if phase.upper().startswith("P") else "NEZ"
    return next((source_channels[role] for role in order if role in source_channels), "")


def _associate(
    picks: list[Pick], detections: list[Detection], margin: float | None, need_picks: bool
) -> tuple[list[Pick], list[Detection]]:
    """EQTransformer's association of picks with detections (see :class:`~zoo.cards.TriggerSpec`).

    With a ``margin`` (seconds), per detection and phase the most probable pick between ``margin`` s before
    its start and its end is kept and picks outside every detection are dropped. With ``need_picks``,
    detections without any pick in that stretch (from their start if ``margin`` is ``None``) are dropped
    (the original picker reports only detections with a P or an S).
    """
    by_trace: dict[str, list[int]] = {}
    for i, p in enumerate(picks):
        by_trace.setdefault(p.trace_id, []).append(i)
    ordered = {}  # trace id -> (pick times in ns, sorted; the picks' indices in that order)
    for trace_id, indices in by_trace.items():
        times = np.array([picks[i].time.ns for i in indices], dtype=np.int64)
        order = np.argsort(times, kind="stable")
        ordered[trace_id] = (times[order], np.asarray(indices)[order])
    kept: set[int] = set()
    confirmed = []
    for d in detections:
        best: dict[str, int] = {}
        times, indices = ordered.get(d.trace_id, (np.zeros(0, np.int64), np.zeros(0, int)))
        first = np.searchsorted(times, (d.start_time - (margin or 0.0)).ns, side="left")
        last = np.searchsorted(times, d.end_time.ns, side="right")
        for i in np.sort(indices[first:last]).tolist():  # in list order, as the rule is stated
            p = picks[i]
            if p.phase not in best or p.probability > picks[best[p.phase]].probability:
                best[p.phase] = i
        kept.update(best.values())
        if best or not need_picks:
            confirmed.append(d)
    if margin is not None:
        picks = [p for i, p in enumerate(picks) if i in kept]
    return picks, confirmed


def classify(
    model: Any,
    stream: obspy.Stream | obspy.Trace,
    *,
    batch_size: int = 128,
    overlap: int | None = None,
    stride: int | None = None,
    tta: dict[str, Any] | None = None,
    precision: str = "float32",
    **thresholds: float,
) -> PickList:
    """Annotate ``stream`` with ``model`` and return its picks (and detections).

    Args:
        model: A model from :func:`zoo.load`.
        stream: Raw waveforms (see :func:`zoo.annotate`).
        batch_size: Windows in the network at once (two concurrent predict calls of half as many).
        overlap: Window overlap in samples (sequence models).
        stride: Window step in samples (point models).
        tta: Test-time augmentation options (see :func:`zoo.annotate`).
        precision: ``"float32"`` or ``"bfloat16"`` for the network (see :func:`zoo.annotate`).
        **thresholds: ``<label>_threshold=value`` per pick or detection label, e.g. ``P_threshold=0.3``.

    Returns:
        A :class:`PickList`; ``.detections`` holds the :class:`Detection` intervals of detector labels.

    Example:
        >>> import obspy, zoo
        >>> picks = zoo.classify(zoo.load("phasenet"), obspy.read(), S_threshold=0.5)
        >>> picks.to_dataframe().columns[:3].tolist()
        ['trace_id', 'phase', 'time']
    """
    card = waveform_card(model, "zoo.classify")
    levels = pick_thresholds(card, thresholds)
    strategy = strategy_for(card, 1, tta)
    found = curves(
        model,
        stream,
        batch_size=batch_size,
        overlap=overlap,
        stride=stride,
        strategy=strategy,
        precision=precision,
    )
    return picks_from_curves(found, card, levels)
