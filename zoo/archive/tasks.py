"""Tasks: one instrument (all its components) x one chunk of time, read with margins on one window grid.

Chunks tile each UTC day from midnight (``chunk`` seconds must divide a day), clipped to the run's
``[start, end)``. A task reads ``[read_start, read_end)``: the chunk widened by :func:`margin_seconds`
on both sides (two model windows: one so that every window touching the chunk is whole, one more so
that a trigger straddling the chunk edge is seen whole), clipped to ``[start, end)``. Its read start
lies on the run's window grid, ``start + k * step`` (``step`` the model's window step in seconds), so
every task cuts windows at the same absolute times as one continuous ``zoo.classify`` run over
``[start, end)`` would; picks are kept only if their peak lies inside the chunk, so none is lost or
found twice.

Example:
    >>> import obspy, zoo
    >>> grid = Grid.for_card(zoo.card("phasenet"), obspy.UTCDateTime(2019, 7, 4), obspy.UTCDateTime(2019, 7, 6))
    >>> grid.step, grid.margin
    (15.0, 60.0)
    >>> [str(t) for t in grid.read_span(obspy.UTCDateTime(2019, 7, 5), obspy.UTCDateTime(2019, 7, 6))]
    ['2019-07-04T23:59:00.000000Z', '2019-07-06T00:00:00.000000Z']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import obspy

from zoo.archive.sources import ChannelFile
from zoo.registry import ModelCard

DAY = 86400.0
MARGIN_WINDOWS = 2
"""Model windows read beyond each chunk edge (see the module docstring)."""


@dataclass(frozen=True)
class Task:
    """One instrument x one chunk.

    Attributes:
        instrument: ``NET.STA.LOC.CH`` (channel code without its component letter).
        start: Chunk start; picks at or after it are kept.
        end: Chunk end (exclusive).
        read_start: First time read (on the run's window grid).
        read_end: End of the data read (exclusive).
        files: The files holding the instrument's data in ``[read_start, read_end)``.
        name: ``year=YYYY/doy=DDD/NET.STA.LOC.CH``, with ``.THHMMSS`` (chunk start) appended when the
            run's chunks are shorter than a day: the task's output files are named after it.
    """

    instrument: str
    start: obspy.UTCDateTime
    end: obspy.UTCDateTime
    read_start: obspy.UTCDateTime
    read_end: obspy.UTCDateTime
    files: tuple[ChannelFile, ...]
    name: str


@dataclass(frozen=True)
class Grid:
    """The run's chunking and window grid.

    Attributes:
        start: Run start: chunk tiling is clipped to it, and the window grid starts here.
        end: Run end (exclusive).
        chunk: Chunk length in seconds (divides a day).
        step: Window step in seconds (window minus overlap; point models: the stride).
        margin: Seconds read beyond each chunk edge.
    """

    start: obspy.UTCDateTime
    end: obspy.UTCDateTime
    chunk: float
    step: float
    margin: float

    @classmethod
    def for_card(
        cls, card: ModelCard, start: obspy.UTCDateTime, end: obspy.UTCDateTime, chunk: float = DAY
    ) -> Grid:
        """The grid for a model card (window step and margins from the card's window and overlap)."""
        if not (0 < chunk <= DAY) or abs(DAY / chunk - round(DAY / chunk)) > 1e-9:
            raise ValueError(f"The chunk must divide a day (e.g. 1d, 12h, 1h, 30min), got {chunk:g} seconds.")
        if end <= start:
            raise ValueError(f"The end ({end}) must come after the start ({start}).")
        step = (
            card.annotation.output_step
            if card.annotation.output_kind == "point"
            else card.waveform.samples - card.annotation.overlap
        )
        return cls(start, end, float(chunk), step / card.waveform.sampling_rate, margin_seconds(card))

    def chunks(
        self, first: obspy.UTCDateTime, last: obspy.UTCDateTime
    ) -> list[tuple[obspy.UTCDateTime, obspy.UTCDateTime]]:
        """The chunks ``(start, end)`` that overlap ``[first, last)``, clipped to the run."""
        lo, hi = max(first, self.start), min(last, self.end)
        if hi <= lo:
            return []
        midnight = obspy.UTCDateTime(lo.date)
        k = math.floor((lo - midnight) / self.chunk + 1e-9)
        out = []
        t = midnight + k * self.chunk
        while t < hi:
            out.append((max(t, self.start), min(t + self.chunk, self.end)))
            t = t + self.chunk
        return out

    def read_span(
        self, start: obspy.UTCDateTime, end: obspy.UTCDateTime
    ) -> tuple[obspy.UTCDateTime, obspy.UTCDateTime]:
        """``(read_start, read_end)`` of a chunk: widened by the margin, grid-aligned, clipped to the run."""
        k = math.floor((start - self.margin - self.start) / self.step + 1e-9)
        read_start = self.start + max(k, 0) * self.step
        return read_start, min(end + self.margin, self.end)


def margin_seconds(card: ModelCard) -> float:
    """Seconds read beyond each chunk edge: ``MARGIN_WINDOWS`` windows of the model."""
    return MARGIN_WINDOWS * card.waveform.samples / card.waveform.sampling_rate


def plan(files: Iterable[ChannelFile], grid: Grid) -> list[Task]:
    """Tasks for every instrument and chunk that its files cover, ordered by instrument then time.

    A task lists the files of its instrument that cover any of its read span (so the files of the
    neighbouring days for the margins).
    """
    by_instrument: dict[str, list[ChannelFile]] = {}
    for f in files:
        by_instrument.setdefault(f.instrument, []).append(f)
    tasks = []
    for instrument, found in sorted(by_instrument.items()):
        chunks = {(a.ns, b.ns): (a, b) for f in found for a, b in grid.chunks(f.start, f.end)}
        for _, (start, end) in sorted(chunks.items()):
            read_start, read_end = grid.read_span(start, end)
            used = {f.path + f.channel: f for f in found if f.start < read_end and f.end > read_start}
            paths = tuple(used[k] for k in sorted(used))
            name = f"year={start.year:04d}/doy={start.julday:03d}/{instrument}"
            if grid.chunk < DAY:
                name += f".T{start.strftime('%H%M%S')}"
            tasks.append(Task(instrument, start, end, read_start, read_end, paths, name))
    return tasks
