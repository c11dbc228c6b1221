"""Picks and detections as records, and the pick list's output: a DataFrame, CSV, an ObsPy Catalog, QuakeML.

Picks and detections name the instrument they come from: ``trace_id`` is ``NET.STA.LOC.CH`` with ``CH``
the band and instrument code (``BW.RJOB..EH``, as :attr:`zoo.waveforms.segments.Segment.trace_id`), so
two instruments at one station never share an id. A pick also names one SEED channel (``channel``) for
QuakeML's ``WaveformStreamID`` (see :func:`zoo.waveforms.picks.pick_channel`).

Example:
    >>> import obspy
    >>> t = obspy.UTCDateTime(2009, 8, 24, 0, 20, 7)
    >>> picks = PickList([Pick("BW.RJOB..EH", "P", t, 0.9, t - 0.1, t + 0.1, "EHZ")])
    >>> picks.to_catalog().events[0].picks[0].waveform_id.id
    'BW.RJOB..EHZ'
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import obspy
import pandas as pd
from obspy.core.event import Catalog, Comment, Event, WaveformStreamID
from obspy.core.event import Pick as QuakeMLPick

from zoo.files import write_atomically


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
