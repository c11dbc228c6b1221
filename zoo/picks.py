"""Picks and detections from annotation traces: triggers, records, CSV and QuakeML output.

``classify(model, stream)`` annotates the stream (:func:`zoo.stream.annotate`) and triggers on the
card's pick labels (one :class:`Pick` at the peak of every stretch above the threshold) and detection
labels (one :class:`Detection` per stretch above the threshold). Thresholds default to the card's and
are overridden per label with ``<label>_threshold=`` keywords.

Picks and detections name the instrument they come from: ``trace_id`` is ``NET.STA.LOC.CH`` with ``CH``
the band and instrument code (``BW.RJOB..EH``, as :attr:`zoo.stream.Segment.trace_id`), so two
instruments at one station never share an id. A pick also names one SEED channel (``channel``) for
QuakeML's ``WaveformStreamID``, one the model read: for P phases the vertical one (``EHZ``; else N,
else E), for every other phase the first horizontal one (N or 1, else E or 2, else Z); see
:func:`pick_channel`.

Example:
    >>> import obspy, zoo
    >>> picks = zoo.classify(zoo.load("phasenet"), obspy.read(), P_threshold=0.3)
    >>> [(p.phase, str(p.time)[11:19]) for p in picks]
    [('P', '00:20:07'), ('S', '00:20:08')]
"""

from __future__ import annotations

import numbers
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import obspy
import pandas as pd
from obspy.core.event import Catalog, Comment, Event, WaveformStreamID
from obspy.core.event import Pick as QuakeMLPick

from zoo.files import write_atomically
from zoo.registry import ModelCard, card_of
from zoo.stream import _runs, annotate, annotation_instrument_id


@dataclass(frozen=True)
class Pick:
    """A phase arrival.

    Attributes:
        trace_id: ``NET.STA.LOC.CH`` of the instrument (``BW.RJOB..EH``).
        phase: Phase label (``"P"``, ``"S"``).
        time: Time of the probability peak.
        probability: Peak probability (0-1).
        start_time: First sample above the threshold.
        end_time: Last sample above the threshold.
        channel: SEED channel code the pick is attributed to (``"EHZ"``; see the module's rule), or
            ``""`` where the annotation does not say which channels it read.
    """

    trace_id: str
    phase: str
    time: obspy.UTCDateTime
    probability: float
    start_time: obspy.UTCDateTime
    end_time: obspy.UTCDateTime
    channel: str = ""

    @property
    def peak_time(self) -> obspy.UTCDateTime:
        """Same as :attr:`time`."""
        return self.time


@dataclass(frozen=True)
class Detection:
    """An interval in which a detection label stays above its threshold.

    Attributes:
        trace_id: ``NET.STA.LOC.CH`` of the instrument (``BW.RJOB..EH``).
        start_time: First sample above the threshold.
        end_time: Last sample above the threshold.
        peak_time: Time of the maximum.
        peak_value: Maximum of the detection curve (0-1).
    """

    trace_id: str
    start_time: obspy.UTCDateTime
    end_time: obspy.UTCDateTime
    peak_time: obspy.UTCDateTime
    peak_value: float


class PickList(list):
    """A list of :class:`Pick`, sorted by time, with the detections of the same run in :attr:`detections`."""

    def __init__(self, picks=(), detections=()):
        super().__init__(sorted(picks, key=lambda p: (p.time, p.trace_id, p.phase)))
        self.detections: list[Detection] = sorted(detections, key=lambda d: (d.start_time, d.trace_id))

    def to_dataframe(self) -> pd.DataFrame:
        """One row per pick: trace_id, phase, time, probability, start_time, end_time (ISO 8601 UTC), channel."""
        rows = [
            {k: (str(v) if isinstance(v, obspy.UTCDateTime) else v) for k, v in asdict(p).items()}
            for p in self
        ]
        return pd.DataFrame(
            rows, columns=["trace_id", "phase", "time", "probability", "start_time", "end_time", "channel"]
        )

    def to_csv(self, path: str | os.PathLike, overwrite: bool = False) -> Path:
        """Write the picks as CSV (see :meth:`to_dataframe`); refuses to replace a file unless ``overwrite``."""
        return write_atomically(
            path, lambda tmp: self.to_dataframe().to_csv(tmp, index=False), overwrite=overwrite
        )

    def to_catalog(self, method_id: str = "smi:geozoo/picker") -> Catalog:
        """An ObsPy ``Catalog`` holding one event without origin whose picks are these picks.

        Each pick's ``waveform_id`` is the full ``NET.STA.LOC.CHA`` of :attr:`Pick.channel` (without a
        channel, the instrument's band and instrument code alone).
        """
        event = Event(comments=[Comment(text="Picks by geozoo; no origin was located.")])
        for p in self:
            network, station, location, instrument = (p.trace_id.split(".") + [""])[:4]
            event.picks.append(
                QuakeMLPick(
                    time=p.time,
                    phase_hint=p.phase,
                    waveform_id=WaveformStreamID(
                        network_code=network,
                        station_code=station,
                        location_code=location,
                        channel_code=p.channel or instrument,
                    ),
                    method_id=method_id,
                    evaluation_mode="automatic",
                    comments=[Comment(text=f"probability={p.probability:.4f}")],
                )
            )
        return Catalog(events=[event])

    def to_quakeml(self, path: str | os.PathLike, overwrite: bool = False) -> Path:
        """Write the picks as QuakeML (see :meth:`to_catalog`); refuses to replace a file unless ``overwrite``."""
        catalog = self.to_catalog()
        return write_atomically(path, lambda tmp: catalog.write(tmp, format="QUAKEML"), overwrite=overwrite)


def trigger(
    values: np.ndarray, on: float, off: float | None = None, min_samples: int = 1
) -> list[tuple[int, int, int]]:
    """Trigger intervals of a probability curve as ``(start, stop, peak)`` sample indices (stop exclusive).

    A trigger starts at the first sample at or above ``on`` and lasts while the curve stays at or
    above ``off`` (default ``on``), as ObsPy's ``trigger_onset``; triggers shorter than
    ``min_samples`` are dropped; NaN counts as below. ``peak`` is the maximum inside the trigger.
    """
    off = on if off is None else min(off, on)
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=-np.inf)
    found = []
    for a, b in _runs(v >= off):
        hits = np.flatnonzero(v[a:b] >= on)
        if len(hits) == 0 or b - (a + hits[0]) < min_samples:
            continue
        start = a + int(hits[0])
        found.append((start, b, start + int(np.argmax(v[start:b]))))
    return found


def pick_thresholds(card: ModelCard, given: dict[str, Any]) -> dict[str, float]:
    """Trigger threshold per label: the card's, replaced by ``<label>_threshold`` keywords in ``given``."""
    valid = {f"{label}_threshold": label for label in card.pick_labels + card.detection_labels}
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise TypeError(
            f"Unknown option(s) {', '.join(unknown)} for {card.prefix}; thresholds are {', '.join(sorted(valid))}."
        )
    out = dict(card.thresholds)
    for key, value in given.items():
        if (
            isinstance(value, (bool, np.bool_))
            or not isinstance(value, numbers.Real)
            or not (0 < float(value) <= 1)
        ):
            raise ValueError(f"{key} must be a probability in (0, 1], got {value!r}.")
        out[valid[key]] = float(value)
    return out


def extract(annotations: obspy.Stream, card: ModelCard, thresholds: dict[str, float]) -> PickList:
    """Picks and detections from annotation traces produced by :func:`zoo.annotate` for ``card``.

    The instrument comes from each trace's ``stats.instrument`` and ``stats.source_channels`` (see
    :func:`zoo.annotate`); traces without them give ids ``NET.STA.LOC.`` and picks without a channel.
    """
    picks, detections = [], []
    for tr in annotations:
        label = tr.stats.channel[len(card.prefix) + 1 :]
        trace_id = annotation_instrument_id(tr)
        t0, dt = tr.stats.starttime, tr.stats.delta
        levels = (thresholds.get(label), card.off_thresholds.get(label), card.min_trigger(label))
        if label in card.pick_labels:
            channel = pick_channel(label, tr.stats.get("source_channels") or {})
            for a, b, peak in trigger(tr.data, *levels):
                picks.append(
                    Pick(
                        trace_id,
                        label,
                        t0 + peak * dt,
                        float(tr.data[peak]),
                        t0 + a * dt,
                        t0 + (b - 1) * dt,
                        channel,
                    )
                )
        elif label in card.detection_labels:
            for a, b, peak in trigger(tr.data, *levels):
                detections.append(
                    Detection(trace_id, t0 + a * dt, t0 + (b - 1) * dt, t0 + peak * dt, float(tr.data[peak]))
                )
    if card.picks_within_detections is not None:
        picks, detections = _associate(picks, detections, card.picks_within_detections)
    return PickList(picks, detections)


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
    picks: list[Pick], detections: list[Detection], margin: float
) -> tuple[list[Pick], list[Detection]]:
    """EQTransformer's association of picks with detections.

    Per detection and phase, the most probable pick between ``margin`` s before its start and its end
    is kept; picks outside every detection are dropped, and so are detections without any pick (the
    original picker reports only detections with a P or an S).
    """
    by_trace: dict[str, list[int]] = {}
    for i, p in enumerate(picks):
        by_trace.setdefault(p.trace_id, []).append(i)
    kept: set[int] = set()
    confirmed = []
    for d in detections:
        best: dict[str, int] = {}
        for i in by_trace.get(d.trace_id, ()):
            p = picks[i]
            if d.start_time - margin <= p.time <= d.end_time and (
                p.phase not in best or p.probability > picks[best[p.phase]].probability
            ):
                best[p.phase] = i
        kept.update(best.values())
        if best:
            confirmed.append(d)
    return [p for i, p in enumerate(picks) if i in kept], confirmed


def classify(
    model: Any,
    stream: obspy.Stream | obspy.Trace,
    *,
    batch_size: int = 128,
    overlap: int | None = None,
    stride: int | None = None,
    tta: dict[str, Any] | None = None,
    **thresholds: float,
) -> PickList:
    """Annotate ``stream`` with ``model`` and return its picks (and detections).

    Args:
        model: A model from :func:`zoo.load`.
        stream: Raw waveforms (see :func:`zoo.annotate`).
        batch_size: Windows per compiled predict call.
        overlap: Window overlap in samples (sequence models).
        stride: Window step in samples (point models).
        tta: Test-time augmentation options (see :func:`zoo.annotate`).
        **thresholds: ``<label>_threshold=value`` per pick or detection label, e.g. ``P_threshold=0.3``.

    Returns:
        A :class:`PickList`; ``.detections`` holds the :class:`Detection` intervals of detector labels.

    Example:
        >>> import obspy, zoo
        >>> picks = zoo.classify(zoo.load("phasenet"), obspy.read(), S_threshold=0.5)
        >>> picks.to_dataframe().columns[:3].tolist()
        ['trace_id', 'phase', 'time']
    """
    card = card_of(model)
    levels = pick_thresholds(card, thresholds)
    annotations = annotate(model, stream, batch_size=batch_size, overlap=overlap, stride=stride, tta=tta)
    return extract(annotations, card, levels)
