"""One task's work: read the instrument's data with margins, pick, keep the picks inside the chunk.

This is the only module of ``zoo.archive`` that calls the waveform path: the per-segment curves of
:func:`zoo.waveforms.curves.curves`, turned into picks (and, when asked for, probability traces cut to
the chunk) as each segment completes, so a worker holds one task's data and one segment's curves.

Example:
    >>> import obspy, zoo
    >>> from zoo.archive.tasks import Task
    >>> st = obspy.read()  # BW.RJOB..EH?, 2009-08-24 00:20:03 - 00:20:33
    >>> t0 = obspy.UTCDateTime(2009, 8, 24, 0, 20, 3)
    >>> task = Task("BW.RJOB..EH", t0, t0 + 30, t0, t0 + 30, (), "example")
    >>> result = pick_chunk(zoo.load("phasenet"), task, cut(st, task), {"P_threshold": 0.3})
    >>> [p.phase for p in result.picks], round(result.data_seconds)
    (['P', 'S'], 30)
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

import fsspec
import obspy
from obspy.io.mseed.util import get_record_information

from zoo.archive.sources import ChannelFile
from zoo.archive.tasks import Task
from zoo.registry import card_of
from zoo.waveforms.annotate import traces
from zoo.waveforms.curves import curves
from zoo.waveforms.picklist import Pick
from zoo.waveforms.picks import pick_thresholds, picks_from_curves
from zoo.waveforms.segments import COMPONENT_ALIASES

_READ_SLACK = 1.0
"""Seconds beyond the read span decoded from MiniSEED records before the exact cut."""
_PARTIAL_SHARE = 0.25
"""Files of which a task needs at most this share of the time are fetched by byte range."""
_RANGE_FACTORS = (3, 12)
"""Successive byte-range sizes, as multiples of the needed share of the file (compression varies)."""


@dataclass
class ChunkResult:
    """What a task found.

    Attributes:
        picks: The picks whose time lies inside the chunk, sorted by time.
        data_seconds: Seconds of data inside the chunk (the best-covered component).
        annotations: The probability traces inside the chunk (only when asked for).
    """

    picks: list[Pick]
    data_seconds: float
    annotations: obspy.Stream | None = field(default=None)


def understood(channel: str) -> bool:
    """True if the channel's component code is one the waveform path understands (Z, N, E, 1, 2, 3)."""
    return channel[-1:].upper() in COMPONENT_ALIASES


def read(task: Task, storage_options: dict[str, Any] | None = None) -> obspy.Stream:
    """The task's instrument in its files, decoded only near ``[read_start, read_end)`` and cut to it.

    A one-channel file of which the task needs only the head or the tail (the neighbouring days read
    for the margins) is fetched by byte range when it can be (see :func:`_read_part`); everything else
    is fetched whole. Only the records near the read span are decoded either way.

    Raises:
        ValueError: A file that is not readable MiniSEED (the message names the file).
    """
    net, sta, loc, ch = task.instrument.split(".")
    stream = obspy.Stream()
    for path in dict.fromkeys(f.path for f in task.files):
        files = [f for f in task.files if f.path == path]
        part = _read_part(files[0], task, storage_options or {}) if len(files) == 1 else None
        if part is None:
            with fsspec.open(path, "rb", **(storage_options or {})) as fh:
                part = _decode(fh.read(), path, task)
        stream += part
    stream = obspy.Stream(
        [tr for tr in stream if tr.stats.channel[:-1] == ch and understood(tr.stats.channel)]
    )
    return cut(stream, task)


def _decode(raw: bytes, path: str, task: Task) -> obspy.Stream:
    net, sta, loc, ch = task.instrument.split(".")
    try:
        return obspy.read(
            io.BytesIO(raw),
            format="MSEED",
            starttime=task.read_start - _READ_SLACK,
            endtime=task.read_end + _READ_SLACK,
            sourcename=f"{net}.{sta}.{loc}.{ch}?",
        )
    except Exception as err:  # ObsPy raises several types for corrupt records
        raise ValueError(f"Cannot read {path} as MiniSEED ({type(err).__name__}: {err}).") from err


def _read_part(f: ChannelFile, task: Task, options: dict[str, Any]) -> obspy.Stream | None:
    """The needed head or tail of a one-channel file fetched by byte range, or ``None`` to read it whole.

    The byte count is the needed share of the file's time (plus slack) rounded to whole records of the
    file's record length; the decoded part must reach the needed time, else a larger range is tried,
    then the whole file. So a task reading one minute of the previous day's file fetches tens of
    kilobytes instead of the whole day, which matters on object stores.
    """
    t0, t1 = max(task.read_start, f.start), min(task.read_end, f.end)
    head, tail = t0 <= f.start, t1 >= f.end
    share = (t1 - t0) / (f.end - f.start)
    if not f.one_channel or head == tail or share > _PARTIAL_SHARE:
        return None
    try:
        fs, path = fsspec.core.url_to_fs(f.path, **options)
        size = fs.size(path)
        record = get_record_information(io.BytesIO(fs.cat_file(path, 0, 1024)))["record_length"]
        if size % record:
            return None
        for factor in _RANGE_FACTORS:
            records = math.ceil((share * size * factor) / record) + 2
            if records * record >= size:
                return None
            begin = 0 if head else size - records * record
            part = _decode(fs.cat_file(path, begin, begin + records * record), f.path, task)
            traces = [tr for tr in part if tr.stats.channel == f.channel]
            if head and traces and max(tr.stats.endtime for tr in traces) >= t1 - traces[0].stats.delta:
                return part
            if tail and traces and min(tr.stats.starttime for tr in traces) <= t0:
                return part
    except Exception:  # anything odd about the records: read the whole file, which reports real errors
        return None
    return None


def cut(stream: obspy.Stream, task: Task) -> obspy.Stream:
    """The samples at times ``read_start <= t < read_end`` (no resampling, no interpolation)."""
    out = obspy.Stream()
    for tr in stream:
        rate, t0 = tr.stats.sampling_rate, tr.stats.starttime
        i0 = max(0, math.ceil((task.read_start - t0) * rate - 1e-6))
        i1 = min(tr.stats.npts, math.ceil((task.read_end - t0) * rate - 1e-6))
        if i1 > i0:
            header = {k: v for k, v in tr.stats.items() if k not in ("npts", "starttime", "endtime")}
            out.append(obspy.Trace(tr.data[i0:i1], header={**header, "starttime": t0 + i0 / rate}))
    return out


def _seconds_inside(stream: obspy.Stream, start: obspy.UTCDateTime, end: obspy.UTCDateTime) -> float:
    """Seconds of samples inside ``[start, end)``, for the best-covered channel."""
    covered: dict[str, float] = {}
    for tr in stream:
        rate, t0 = tr.stats.sampling_rate, tr.stats.starttime
        i0 = max(0, math.ceil((start - t0) * rate - 1e-6))
        i1 = min(tr.stats.npts, math.ceil((end - t0) * rate - 1e-6))
        covered[tr.stats.channel] = covered.get(tr.stats.channel, 0.0) + max(0, i1 - i0) / rate
    return max(covered.values(), default=0.0)


def pick_chunk(
    model: Any,
    task: Task,
    stream: obspy.Stream,
    thresholds: dict[str, float],
    *,
    batch_size: int = 128,
    zero_fill: bool = False,
    annotations: bool = False,
) -> ChunkResult:
    """Pick the task's stream (already cut to its read span) and keep what lies inside the chunk.

    Args:
        model: A model from :func:`zoo.load`.
        task: The task (chunk and read span).
        stream: The instrument's traces from :func:`read`.
        thresholds: ``<label>_threshold`` keywords as for :func:`zoo.classify`.
        batch_size: Windows in the network at once (see :func:`zoo.annotate`).
        zero_fill: Pick with a missing component zero-filled (as ``zoo.classify`` does) instead of failing.
        annotations: Also return the probability traces inside the chunk.

    Raises:
        ValueError: A component the model needs is missing inside the chunk (unless ``zero_fill``).
    """
    card = card_of(model)
    seconds = _seconds_inside(stream, task.start, task.end)
    longest = max((tr.stats.npts / tr.stats.sampling_rate for tr in stream), default=0.0)
    if seconds == 0 or longest * card.waveform.sampling_rate < card.waveform.samples // 2:
        return ChunkResult([], seconds, obspy.Stream() if annotations else None)
    inside = {
        COMPONENT_ALIASES[tr.stats.channel[-1].upper()]
        for tr in stream
        if _seconds_inside(obspy.Stream([tr]), task.start, task.end)
    }
    missing = [c for c in card.waveform.components if c not in inside]
    if missing and not zero_fill:
        raise ValueError(
            f"{task.instrument} has no {'/'.join(missing)} component between {task.start} and {task.end}; "
            f"{card.prefix} needs {card.waveform.components} (pass zero_fill=True, --zero-fill-missing, to pick with "
            "zeros in its place as zoo.classify does)."
        )
    kept = obspy.Stream() if annotations else None

    def keeping_annotations(found):
        """The segments' curves passed on, their traces inside the chunk kept on the way if asked for."""
        for segment in found:
            if kept is not None:
                kept.extend(
                    obspy.Stream(traces(segment, card.prefix)).slice(
                        task.start, task.end - 1e-6, nearest_sample=False
                    )
                )
            yield segment
            del segment  # released before the next segment's curves are made

    found = curves(model, stream, batch_size=batch_size)
    picks = picks_from_curves(keeping_annotations(found), card, pick_thresholds(card, thresholds))
    inside_picks = [p for p in picks if task.start <= p.time < task.end]
    return ChunkResult(inside_picks, seconds, kept)
