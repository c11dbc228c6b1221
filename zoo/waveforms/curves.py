"""Per-segment label curves: segments -> windows -> compiled predict -> stacking, without an ObsPy Stream.

:func:`curves` is the reusable core of :func:`zoo.annotate` and :func:`zoo.classify`: it yields one
:class:`SegmentCurves` per continuous segment as soon as the segment's last window has been stacked, so a
runner that wants picks (or its own output format) never builds annotation traces. Everything it needs
is read off the model's card; nothing here names a model.

Example:
    >>> import obspy, zoo
    >>> model = zoo.load("phasenet")
    >>> [(c.trace_id, c.labels, c.values.shape, c.sampling_rate) for c in curves(model, obspy.read())]
    [('BW.RJOB..EH', ('P', 'S', 'N'), (3000, 3), 100.0)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import obspy

from zoo.cards import ModelCard
from zoo.registry import waveform_card
from zoo.waveforms.precision import check_precision
from zoo.waveforms.predict import Strategy, activated, predict_function, single_pass, window_outputs
from zoo.waveforms.segments import Segment, instruments
from zoo.waveforms.stacking import Stacker, covered
from zoo.waveforms.windows import fit_segments, no_segment_long_enough, segment_starts, shortest_segment


@dataclass(frozen=True)
class SegmentCurves:
    """The label curves of one continuous segment of one instrument.

    Attributes:
        trace_id: ``NET.STA.LOC.CH`` of the instrument (``CH`` the band and instrument code).
        channels: The SEED channel code read for each component role (``{"Z": "EHZ", ...}``); a
            zero-filled component is absent.
        starttime: Time of the first curve sample (point models: the first window's centre).
        sampling_rate: Curve samples per second (Hz): the card's rate / ``output_step`` (point models:
            / the stride).
        labels: The card's labels, one column each.
        values: ``[samples, len(labels)]`` float32 (the mean over passes for Monte-Carlo dropout); for a
            sequence model each label's column is contiguous (a transposed view), so an ObsPy trace of
            one label takes it without a copy.
        std: ``[samples, len(labels)]`` float32 spread of a strategy that gives one, else ``None``.
    """

    trace_id: str
    channels: dict[str, str]
    starttime: obspy.UTCDateTime
    sampling_rate: float
    labels: tuple[str, ...]
    values: np.ndarray
    std: np.ndarray | None = None


def _whole_number(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_options(card: ModelCard, batch_size: int, overlap: int, stride: int) -> None:
    """``ValueError`` for a batch size, overlap (samples) or stride (samples) the card cannot run with."""
    window, annotation = card.waveform.samples, card.annotation
    for name, value in (("batch_size", batch_size), ("stride", stride)):
        if not _whole_number(value) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}.")
    if not _whole_number(overlap) or not 0 <= overlap < window:
        raise ValueError(f"overlap must be a whole number of samples in [0, {window}), got {overlap!r}.")
    whole = isinstance(annotation.output_step, int)
    if annotation.output_kind == "sequence" and whole and (window - overlap) % annotation.output_step:
        raise ValueError(
            f"{card.prefix} outputs one value per {annotation.output_step} samples; the window step "
            f"(window {window} - overlap {overlap}) must be a multiple of it."
        )


def curves(
    model: Any,
    data: obspy.Stream | obspy.Trace | list[Segment],
    *,
    batch_size: int = 128,
    overlap: int | None = None,
    stride: int | None = None,
    strategy: Strategy | None = None,
    precision: str = "float32",
) -> Iterator[SegmentCurves]:
    """The label curves of every continuous segment, yielded as each segment completes.

    Args:
        model: A model from :func:`zoo.load` (a model of seismic waveforms).
        data: Raw waveforms (see :func:`zoo.annotate`), or a list of segments already made by
            :func:`zoo.waveforms.segments.segments` for the model's waveform spec.
        batch_size: Windows in the network at once (two concurrent predict calls of half as many).
        overlap: Overlap of consecutive windows in samples (sequence models; default the card's).
        stride: Step between windows in samples (point models; default the card's ``output_step``).
        strategy: How a batch becomes curves (see :mod:`zoo.waveforms.predict`); default one pass.
        precision: ``"float32"`` or ``"bfloat16"`` for the network (see :mod:`zoo.waveforms.precision`).

    Returns:
        An iterator of :class:`SegmentCurves` in segment order (instruments sorted by id, then time).
        Arguments and the stream are checked before it is returned; each instrument's segments are
        made when the iterator reaches it (so one instrument's float32 copy of the data is held at a time).

    Raises:
        ValueError: Not a waveform model, bad options, no segment long enough (see :func:`zoo.annotate`), or
            bfloat16 without hardware support.
    """
    card = waveform_card(model, "zoo.annotate")
    overlap = card.annotation.overlap if overlap is None else overlap
    if stride is None:  # used by point models only; a sequence model's output step may be a fraction
        stride = card.annotation.output_step if card.annotation.output_kind == "point" else 1
    check_options(card, batch_size, overlap, stride)
    check_precision(precision)
    window = card.waveform.samples
    pad = card.annotation.short_segments == "pad"
    if isinstance(data, (list, tuple)) and data and all(isinstance(seg, Segment) for seg in data):
        given = fit_segments(list(data), window, pad=pad)
        groups = [(sum(len(s.data) for s, _ in given), lambda: given)]
    else:
        found = instruments(data, card.waveform)
        if all(i.samples < shortest_segment(window, pad) for i in found):
            raise no_segment_long_enough(window, pad)
        groups = [
            (i.samples, lambda i=i: fit_segments(i.segments(), window, pad=pad, required=False))
            for i in found
        ]
    predict = predict_function(model, card, precision)
    return _iterate(model, card, groups, predict, batch_size, overlap, stride, strategy or single_pass)


def _iterate(model, card, groups, predict, batch_size, overlap, stride, strategy) -> Iterator[SegmentCurves]:
    window, annotation = card.waveform.samples, card.annotation
    fitted: dict[int, tuple[tuple[Segment, int], np.ndarray]] = {}
    pending: dict[int, _Collector] = {}
    numbered = [0]

    def build(fit):
        """A group's fitted segments and window starts, remembered by segment number until collected."""
        kept = fit()
        segs = [seg for seg, _ in kept]
        starts = segment_starts(segs, window, annotation, overlap, stride)
        fitted.update((numbered[0] + k, item) for k, item in enumerate(zip(kept, starts)))
        numbered[0] += len(kept)
        return segs, starts

    def estimate(samples: int) -> int:
        step = stride if annotation.output_kind == "point" else window - overlap
        return max(1, -(-(samples - window) // step) + 1)

    any_done = False
    jobs = [(estimate(samples), lambda fit=fit: build(fit)) for samples, fit in groups]
    with activated(strategy, model):
        outputs = window_outputs(predict, jobs, window, batch_size, strategy, f"{card.prefix} annotate")
        for i, index, mean, std in outputs:
            if i not in pending:
                pending[i] = _Collector(*fitted.pop(i), card, stride, mean.shape, std is not None)
            if pending[i].add(index, mean, std):
                any_done = True
                yield pending.pop(i).result()
    if not any_done:
        raise no_segment_long_enough(window, annotation.short_segments == "pad")


class _Collector:
    """Collects one segment's window outputs (stacked, or placed for point models) into its curves."""

    def __init__(
        self,
        fitted: tuple[Segment, int],
        starts: np.ndarray,
        card: ModelCard,
        stride: int,
        shape: tuple[int, ...],
        with_std: bool,
    ) -> None:
        (self.segment, self.length), self.starts, self.card, self.stride = fitted, starts, card, stride
        self.point = card.annotation.output_kind == "point"
        self.received = 0
        kinds = ("values", "std") if with_std else ("values",)
        if self.point:
            self.parts = {kind: np.empty((len(starts), shape[2]), np.float32) for kind in kinds}
        else:
            length = len(self.segment.data)
            self.parts = {
                kind: Stacker(starts, length, card.annotation, shape[1], shape[2]) for kind in kinds
            }

    def add(self, index: int, mean: np.ndarray, std: np.ndarray | None) -> bool:
        """Take the outputs of windows ``index, index + 1, ...``; ``True`` once all have arrived."""
        for kind, values in (("values", mean), ("std", std)):
            if kind not in self.parts:
                continue
            if self.point:
                self.parts[kind][index : index + len(values)] = values[:, 0, :]
            else:
                self.parts[kind].add(values, index)
        self.received += len(mean)
        return self.received == len(self.starts)

    def result(self) -> SegmentCurves:
        waveform, annotation, seg = self.card.waveform, self.card.annotation, self.segment
        window = waveform.samples
        if self.point:
            kept = (self.starts + window // 2) < self.length
            arrays = {kind: part[kept] for kind, part in self.parts.items()}
            t0 = seg.starttime + (window // 2) / waveform.sampling_rate
            rate = waveform.sampling_rate / self.stride
        else:
            n_out = -(-self.length // annotation.output_step)
            arrays = {kind: part.result()[:n_out] for kind, part in self.parts.items()}
            t0, rate = seg.starttime, waveform.sampling_rate / annotation.output_step
            if annotation.segment_ends == "drop":
                kept = covered(arrays["values"])
                arrays = {kind: values[kept] for kind, values in arrays.items()}
                t0 = t0 + kept.start / rate
        return SegmentCurves(
            seg.trace_id, dict(seg.channels), t0, rate, annotation.labels, arrays["values"], arrays.get("std")
        )
