"""ObsPy streams to continuous multi-component segments at a model's rate and component order.

:func:`segments` groups the traces by instrument (``NET.STA.LOC.CH``, ``CH`` the band and instrument
code, e.g. ``BW.RJOB..EH``), converts them to float, resamples to the input spec's rate, orders the
components as the spec says (zero-filling a missing one with a warning) and splits at gaps, NaNs and
masked samples. It reads only a :class:`~zoo.cards.WaveformSpec`; nothing here names a model.

Rules for awkward input (each one warns, none is silent):

- Competing component codes at one instrument: Z/N/E is preferred over 1/2/3 (``EHN`` wins over
  ``EH1``); the other traces are ignored.
- Overlapping traces of one channel: where their samples agree they are merged; where they differ, the
  samples of the trace that comes first in the stream are kept.
- float64 samples beyond float32's range (``|x| > 3.4e38``) cannot be represented in the float32 the
  models run on: they are treated as a gap, like NaN.

Example:
    >>> import obspy, zoo
    >>> [seg.trace_id for seg in segments(obspy.read(), zoo.card("gpd").waveform)]
    ['BW.RJOB..EH']
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import obspy

from zoo.cards import WaveformSpec

COMPONENT_ALIASES = {"Z": "Z", "N": "N", "E": "E", "1": "N", "2": "E", "3": "Z"}
"""Component codes understood, mapped to the Z/N/E role they play (1/2 are the horizontal pair)."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class Segment:
    """A continuous multi-component stretch of one station, ready for windowing.

    Attributes:
        trace_id: ``NET.STA.LOC.CH`` of the instrument, ``CH`` the channel code without its component
            letter (band and instrument code, e.g. ``BW.RJOB..EH``; see :func:`instrument_id`).
        starttime: Time of the first sample.
        data: ``[samples, components]`` float32 in the card's component order.
        channels: The SEED channel code read for each component role of the card (``{"Z": "EHZ",
            "N": "EHN", "E": "EHE"}``); a zero-filled component is absent.
    """

    trace_id: str
    starttime: obspy.UTCDateTime
    data: np.ndarray
    channels: dict[str, str] = field(default_factory=dict)


def instrument_id(trace: obspy.Trace) -> str:
    """``NET.STA.LOC.CH`` of the instrument a trace belongs to: its id without the component letter.

    Example:
        >>> import obspy
        >>> instrument_id(obspy.read()[0])
        'BW.RJOB..EH'
    """
    s = trace.stats
    return f"{s.network}.{s.station}.{s.location}.{s.channel[:-1]}"


def _as_stream(stream: Any) -> obspy.Stream:
    if isinstance(stream, obspy.Trace):
        stream = obspy.Stream([stream])
    if not isinstance(stream, obspy.Stream):
        raise TypeError(f"Expected an obspy.Stream or obspy.Trace, got {type(stream).__name__}.")
    if len(stream) == 0:
        raise ValueError("The stream is empty: there are no traces to annotate.")
    return stream


def _check_trace(tr: obspy.Trace) -> None:
    rate = tr.stats.sampling_rate
    if not (rate > 0 and math.isfinite(rate)):
        raise ValueError(f"Trace {tr.id} has sampling rate {rate} Hz; it must be a positive number.")
    if not (np.issubdtype(tr.data.dtype, np.number) and not np.iscomplexobj(tr.data)):
        raise TypeError(f"Trace {tr.id} holds {tr.data.dtype} samples; expected real numbers.")


def _samples(tr: obspy.Trace) -> np.ndarray:
    """The trace's samples with masked ones as NaN; not copied unless masked.

    Raises:
        ValueError: The trace has no finite sample.
    """
    data = tr.data
    if np.ma.isMaskedArray(data):
        data = np.ma.filled(data.astype(np.float64), np.nan)
    if data.dtype.kind == "f" and tr.stats.npts and not np.isfinite(data).any():
        raise ValueError(f"Trace {tr.id} has no finite samples (all NaN, inf or masked).")
    return data


def _pieces(tr: obspy.Trace, data: np.ndarray, rate: float) -> list[tuple[obspy.UTCDateTime, np.ndarray]]:
    """``(start time, samples)`` at ``rate`` Hz: the trace as is, or its finite runs resampled.

    Resampling uses ObsPy's Fourier method with its anti-alias filter, run by run so that NaN gaps
    are never smeared into data.
    """
    if tr.stats.sampling_rate == rate:
        return [(tr.stats.starttime, data)]
    finite = runs(np.isfinite(data)) if data.dtype.kind == "f" else [(0, len(data))]
    pieces = []
    for start, stop in finite:
        if stop - start < 2:
            continue
        header = {
            "sampling_rate": tr.stats.sampling_rate,
            "starttime": tr.stats.starttime + start * tr.stats.delta,
        }
        piece = obspy.Trace(data[start:stop].astype(np.float64), header=header).resample(rate)
        pieces.append((piece.stats.starttime, piece.data))
    return pieces


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start/stop indices (stop exclusive) of the runs of True in a 1-D boolean array.

    Example:
        >>> runs(np.array([True, True, False, True]))
        [(0, 2), (3, 4)]
    """
    if mask.all():
        return [(0, len(mask))] if len(mask) else []
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _group(stream: obspy.Stream, components: str) -> dict[str, dict[str, list[obspy.Trace]]]:
    """Traces by instrument id (``NET.STA.LOC.CH``) and component role.

    Unknown codes are dropped with a warning; where a role has both a Z/N/E code and a 1/2/3 code
    (``EHN`` and ``EH1``), the Z/N/E traces are kept and the others dropped with a warning.
    """
    groups: dict[str, dict[str, list[obspy.Trace]]] = {}
    unknown = set()
    for tr in stream:
        code = tr.stats.channel[-1:].upper()
        role = COMPONENT_ALIASES.get(code)
        if role is None or role not in components:
            unknown.add(tr.id)
            continue
        groups.setdefault(instrument_id(tr), {}).setdefault(role, []).append(tr)
    if unknown and not groups:
        raise ValueError(
            f"No trace has a component code the model understands ({', '.join(sorted(unknown))}); "
            f"expected channel codes ending in one of {sorted(set(COMPONENT_ALIASES))} for components "
            f"{components!r}."
        )
    if unknown:
        warnings.warn(
            f"Ignoring traces with unknown component codes: {', '.join(sorted(unknown))}.", stacklevel=3
        )
    for trace_id, by_role in groups.items():
        for role, traces in by_role.items():
            by_role[role] = _preferred_code(trace_id, role, traces)
    return groups


def _preferred_code(trace_id: str, role: str, traces: list[obspy.Trace]) -> list[obspy.Trace]:
    """The traces of one component role, keeping only the Z/N/E code where a 1/2/3 code competes."""
    codes = {tr.stats.channel[-1:].upper() for tr in traces}
    if len(codes) == 1:
        return traces
    kept = [tr for tr in traces if tr.stats.channel[-1:].upper() == role]
    dropped = sorted({tr.stats.channel for tr in traces if tr not in kept})
    warnings.warn(
        f"{trace_id} has {', '.join(dropped)} and {kept[0].stats.channel} for the {role} component; using "
        f"{kept[0].stats.channel} (Z/N/E is preferred over 1/2/3) and ignoring {', '.join(dropped)}.",
        stacklevel=4,
    )
    return kept


def _place(
    column: np.ndarray,
    pieces: list[tuple[str, obspy.UTCDateTime, np.ndarray]],
    t0: obspy.UTCDateTime,
    rate: float,
) -> np.ndarray:
    """Write ``(trace id, start, samples)`` pieces of one component into ``column``; returns the filled mask.

    Pieces are written in stream order and never overwrite a sample already written: where a later piece
    overlaps with different values the earlier samples are kept (warning); identical duplicates merge
    silently. Samples beyond float32's range become gaps (warning naming the trace).
    """
    n = len(column)
    filled = np.zeros(n, dtype=bool)
    conflicts: dict[str, list[int]] = {}
    overflows: dict[str, int] = {}
    for trace_id, start, samples in pieces:
        i0 = int(round((start - t0) * rate))
        samples = samples[: n - i0]
        span = slice(i0, i0 + len(samples))
        target, seen = column[span], filled[span]
        if samples.dtype.kind in "iu" and not seen.any():  # counts: finite and within float32's range
            np.copyto(target, samples, casting="unsafe")
            seen[:] = True
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            values = samples.astype(np.float32)
        finite = np.isfinite(values)
        if samples.dtype.kind == "f":
            lost = int(np.count_nonzero(np.isfinite(samples) & ~finite))
            if lost:
                overflows[trace_id] = overflows.get(trace_id, 0) + lost
        if not seen.any() and finite.all():  # the usual case: one piece per stretch, no gaps in it
            target[:] = values
            seen[:] = True
            continue
        both = seen & finite
        if both.any():
            differ = np.flatnonzero(both)[target[both] != values[both]]
            if len(differ):
                first, last = conflicts.get(trace_id, [i0 + differ[0], i0 + differ[-1]])
                conflicts[trace_id] = [min(first, i0 + differ[0]), max(last, i0 + differ[-1])]
        new = finite & ~seen
        target[new] = values[new]
        seen |= finite
    for trace_id, lost in overflows.items():
        warnings.warn(
            f"{trace_id} has {lost} samples beyond float32's range (|x| > {_FLOAT32_MAX:.3g}); the models run "
            "in float32, so they are treated as a gap. Scale the trace (e.g. to physical units) to use them.",
            stacklevel=4,
        )
    for trace_id, (first, last) in conflicts.items():
        warnings.warn(
            f"{trace_id} overlaps an earlier trace of the same channel with different samples from "
            f"{t0 + first / rate} to {t0 + last / rate}; keeping the earlier trace's samples (the first in "
            "the stream) there.",
            stacklevel=4,
        )
    return filled


@dataclass(frozen=True)
class Instrument:
    """One instrument of a checked stream whose segments are made only when asked for (:func:`instruments`).

    Attributes:
        trace_id: ``NET.STA.LOC.CH`` of the instrument.
        samples: An upper bound of its samples at the model's rate (its best-covered component's time
            span), for progress estimates before the segments exist.
    """

    trace_id: str
    samples: int
    by_role: dict[str, list[obspy.Trace]] = field(repr=False)
    waveform: WaveformSpec = field(repr=False)

    def segments(self) -> list[Segment]:
        """The instrument's segments (see :func:`segments`); built anew on every call."""
        return _instrument_segments(self.trace_id, self.by_role, self.waveform)


def instruments(stream: obspy.Stream | obspy.Trace, waveform: WaveformSpec) -> list[Instrument]:
    """The stream checked and grouped by instrument (sorted by id), each one's segments made on demand.

    Raises the errors of :func:`segments` about the stream as a whole up front; a runner that makes one
    instrument's segments at a time (``zoo.waveforms.curves``) holds one instrument's float32 copy of
    the data instead of every instrument's.

    Example:
        >>> import obspy, zoo
        >>> [(i.trace_id, i.samples) for i in instruments(obspy.read(), zoo.card("phasenet").waveform)]
        [('BW.RJOB..EH', 3000)]
    """
    stream = _as_stream(stream)
    for tr in stream:
        _check_trace(tr)
        _samples(tr)
    rate = float(waveform.sampling_rate)
    found = []
    for trace_id, by_role in sorted(_group(stream, waveform.components).items()):
        spans = [sum(tr.stats.npts / tr.stats.sampling_rate for tr in traces) for traces in by_role.values()]
        found.append(Instrument(trace_id, int(math.ceil(max(spans) * rate)), by_role, waveform))
    return found


def segments(stream: obspy.Stream | obspy.Trace, waveform: WaveformSpec) -> list[Segment]:
    """Split a stream into continuous multi-component segments at the card's rate and component order.

    Samples that are masked, NaN or inf (or beyond float32's range, with a warning), and gaps between
    traces, end a segment. A component that is missing for a whole instrument is zero-filled (with a
    warning); where present components disagree in coverage, only the time covered by all of them is
    used. Competing traces for one component (Z/N/E and 1/2/3 codes, conflicting overlaps) follow the
    module's rules, with a warning.

    Args:
        stream: Raw waveforms (any sampling rate, integer or float counts, possibly with gaps).
        waveform: The model's input spec (sampling rate, component order, ``filter_stream``), e.g.
            ``zoo.card("phasenet").waveform``.

    Returns:
        The segments, each ``[samples, len(waveform.components)]`` float32, instruments sorted by id.

    Example:
        >>> import obspy, zoo
        >>> (seg,) = segments(obspy.read(), zoo.card("phasenet").waveform)
        >>> seg.trace_id, seg.data.shape
        ('BW.RJOB..EH', (3000, 3))
    """
    return [seg for instrument in instruments(stream, waveform) for seg in instrument.segments()]


def _instrument_segments(
    trace_id: str, by_role: dict[str, list[obspy.Trace]], waveform: WaveformSpec
) -> list[Segment]:
    """The segments of one instrument's traces (grouped by component role)."""
    rate = float(waveform.sampling_rate)
    missing = [c for c in waveform.components if c not in by_role]
    if missing:
        warnings.warn(
            f"{trace_id} has no {'/'.join(missing)} component; filling it with zeros.",
            stacklevel=4,
        )
    pieces = {
        role: [(tr.id, start, d) for tr in traces for start, d in _pieces(tr, _samples(tr), rate)]
        for role, traces in by_role.items()
    }
    pieces = {role: p for role, p in pieces.items() if p}
    if not pieces:
        return []
    channels = {role: by_role[role][0].stats.channel for role in waveform.components if role in pieces}
    t0 = min(start for ps in pieces.values() for _, start, _ in ps)
    t1 = max(start + (len(d) - 1) / rate for ps in pieces.values() for _, start, d in ps)
    n = int(round((t1 - t0) * rate)) + 1
    grid = np.zeros((n, len(waveform.components)), dtype=np.float32)
    valid = np.ones(n, dtype=bool)
    for c, role in enumerate(waveform.components):
        if role in pieces:
            valid &= _place(grid[:, c], pieces[role], t0, rate)
    out = []
    for start, stop in runs(valid):
        data = grid[start:stop]
        if waveform.filter_stream is not None:
            data = _filtered(data, waveform, t0 + start / rate)
        out.append(Segment(trace_id, t0 + start / rate, data, channels))
    return out


def _filtered(data: np.ndarray, waveform: WaveformSpec, starttime: obspy.UTCDateTime) -> np.ndarray:
    header = {"sampling_rate": waveform.sampling_rate, "starttime": starttime}
    st = obspy.Stream(
        [
            obspy.Trace(data[:, c].astype(np.float64), header={**header, "channel": role})
            for c, role in enumerate(waveform.components)
        ]
    )
    filtered = waveform.filter_stream(st)
    return np.stack([tr.data for tr in filtered], axis=1).astype(np.float32)
