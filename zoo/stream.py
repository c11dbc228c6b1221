"""ObsPy streams to model windows and back: the generic ``annotate`` of every zoo model.

``annotate(model, stream)`` groups the traces by instrument (``NET.STA.LOC.CH``, ``CH`` the band and
instrument code, e.g. ``BW.RJOB..EH``), converts them to float, resamples to the card's rate, orders
the components as the card says (zero-filling a missing one with a warning), splits at gaps, NaNs and
masked samples, cuts windows with the card's length and overlap, runs one compiled batched predict
(normalisation and output post-processing included), and stacks the window outputs back into
probability traces named ``<Model>_<label>``. Nothing here names a model: all of it is read off the
:class:`zoo.registry.ModelCard`.

Rules for awkward input (each one warns, none is silent):

- Competing component codes at one instrument: Z/N/E is preferred over 1/2/3 (``EHN`` wins over
  ``EH1``); the other traces are ignored.
- Overlapping traces of one channel: where their samples agree they are merged; where they differ, the
  samples of the trace that comes first in the stream are kept.
- float64 samples beyond float32's range (``|x| > 3.4e38``) cannot be represented in the float32 the
  models run on: they are treated as a gap, like NaN.

Example:
    >>> import obspy, zoo
    >>> model = zoo.load("phasenet")
    >>> annotations = zoo.annotate(model, obspy.read())
    >>> sorted({tr.stats.channel for tr in annotations})
    ['PhaseNet_N', 'PhaseNet_P', 'PhaseNet_S']
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import obspy
import tensorflow as tf
from tqdm.auto import tqdm

from zoo.augment.tta import tta_predict
from zoo.registry import ModelCard, card_of

COMPONENT_ALIASES = {"Z": "Z", "N": "N", "E": "E", "1": "N", "2": "E", "3": "Z"}
"""Component codes understood, mapped to the Z/N/E role they play (1/2 are the horizontal pair)."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)

_PROGRESS_MIN_WINDOWS = 16
_BATCHES_AHEAD = 3
"""Batches queued for the predict thread while this thread stacks finished segments."""


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


def annotation_instrument_id(trace: obspy.Trace) -> str:
    """``NET.STA.LOC.CH`` of the instrument an annotation trace of :func:`annotate` came from.

    Read from ``stats.instrument``; a trace without it gives ``NET.STA.LOC.`` (no instrument code).

    Example:
        >>> import obspy, zoo
        >>> annotation_instrument_id(zoo.annotate(zoo.load("phasenet"), obspy.read())[0])
        'BW.RJOB..EH'
    """
    s = trace.stats
    return f"{s.network}.{s.station}.{s.location}.{s.get('instrument', '')}"


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
    runs = _runs(np.isfinite(data)) if data.dtype.kind == "f" else [(0, len(data))]
    pieces = []
    for start, stop in runs:
        if stop - start < 2:
            continue
        header = {
            "sampling_rate": tr.stats.sampling_rate,
            "starttime": tr.stats.starttime + start * tr.stats.delta,
        }
        piece = obspy.Trace(data[start:stop].astype(np.float64), header=header).resample(rate)
        pieces.append((piece.stats.starttime, piece.data))
    return pieces


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Start/stop indices of the runs of True in a 1-D boolean array."""
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
        with np.errstate(over="ignore", invalid="ignore"):
            values = samples.astype(np.float32)
        finite = np.isfinite(values)
        if samples.dtype.kind == "f":
            lost = int(np.count_nonzero(np.isfinite(samples) & ~finite))
            if lost:
                overflows[trace_id] = overflows.get(trace_id, 0) + lost
        span = slice(i0, i0 + len(values))
        target, seen = column[span], filled[span]
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


def segments(stream: obspy.Stream, card: ModelCard) -> list[Segment]:
    """Split a stream into continuous multi-component segments at the card's rate and component order.

    Samples that are masked, NaN or inf (or beyond float32's range, with a warning), and gaps between
    traces, end a segment. A component that is missing for a whole instrument is zero-filled (with a
    warning); where present components disagree in coverage, only the time covered by all of them is
    used. Competing traces for one component (Z/N/E and 1/2/3 codes, conflicting overlaps) follow the
    module's rules, with a warning.

    Args:
        stream: Raw waveforms (any sampling rate, integer or float counts, possibly with gaps).
        card: The model card (sampling rate, component order, ``filter_stream``).

    Returns:
        The segments, each ``[samples, len(card.components)]`` float32.
    """
    stream = _as_stream(stream)
    for tr in stream:
        _check_trace(tr)
    samples = {id(tr): _samples(tr) for tr in stream}
    rate = float(card.sampling_rate)
    out = []
    for trace_id, by_role in sorted(_group(stream, card.components).items()):
        missing = [c for c in card.components if c not in by_role]
        if missing:
            warnings.warn(
                f"{trace_id} has no {'/'.join(missing)} component; filling it with zeros.",
                stacklevel=2,
            )
        pieces = {
            role: [(tr.id, start, d) for tr in traces for start, d in _pieces(tr, samples[id(tr)], rate)]
            for role, traces in by_role.items()
        }
        pieces = {role: p for role, p in pieces.items() if p}
        if not pieces:
            continue
        channels = {role: by_role[role][0].stats.channel for role in card.components if role in pieces}
        t0 = min(start for ps in pieces.values() for _, start, _ in ps)
        t1 = max(start + (len(d) - 1) / rate for ps in pieces.values() for _, start, d in ps)
        n = int(round((t1 - t0) * rate)) + 1
        grid = np.zeros((n, len(card.components)), dtype=np.float32)
        valid = np.ones(n, dtype=bool)
        for c, role in enumerate(card.components):
            if role in pieces:
                valid &= _place(grid[:, c], pieces[role], t0, rate)
        for start, stop in _runs(valid):
            data = grid[start:stop]
            if card.filter_stream is not None:
                data = _filtered(data, card, t0 + start / rate)
            out.append(Segment(trace_id, t0 + start / rate, data, channels))
    return out


def _filtered(data: np.ndarray, card: ModelCard, starttime: obspy.UTCDateTime) -> np.ndarray:
    header = {"sampling_rate": card.sampling_rate, "starttime": starttime}
    st = obspy.Stream(
        [
            obspy.Trace(data[:, c].astype(np.float64), header={**header, "channel": role})
            for c, role in enumerate(card.components)
        ]
    )
    filtered = card.filter_stream(st)
    return np.stack([tr.data for tr in filtered], axis=1).astype(np.float32)


def window_starts(length: int, window: int, step: int, align: int = 1) -> np.ndarray:
    """Start samples of windows of ``window`` samples every ``step`` samples covering ``length`` samples.

    The last window is moved back to end at the segment's end (rounded down to a multiple of
    ``align``), so every sample is covered. ``length`` must be at least ``window``.
    """
    starts = np.arange(0, length - window + 1, step, dtype=np.int64)
    last = ((length - window) // align) * align
    if starts[-1] != last:
        starts = np.append(starts, last)
    return starts


def _fingerprint(model: Any) -> str:
    """A digest of the model's current weights."""
    digest = hashlib.sha1()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return digest.hexdigest()


def _predict_function(model: Any, card: ModelCard) -> tf.types.experimental.GenericFunction:
    """One compiled function: raw windows -> normalised -> network -> label curves.

    Cached on the model. With ``card.inference_model`` the function runs that faster copy of the
    network, rebuilt when the model's weights have changed since (so fine-tuning is never ignored).
    """
    fingerprint = _fingerprint(model) if card.inference_model is not None else None
    cached = getattr(model, "_zoo_predict", None)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    network = model if card.inference_model is None else card.inference_model(model)

    window = card.input_samples
    spec = [tf.TensorSpec([None, len(card.components)], tf.float32), tf.TensorSpec([None], tf.int32)]

    @tf.function(input_signature=spec, reduce_retracing=True)
    def predict(span: tf.Tensor, offsets: tf.Tensor) -> tf.Tensor:
        windows = tf.gather(span, offsets[:, None] + tf.range(window)[None, :])
        return card.postprocess(network(card.normalize(windows), training=False))

    model._zoo_predict = (fingerprint, predict)
    return predict


def _batches(
    segs: list[Segment], starts: list[np.ndarray], window: int, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(span, offsets, owners)`` per batch of ``batch_size`` windows, in order.

    ``span`` is the stretch of samples the batch's windows cover (``[samples, components]``; a
    batch may span segments, whose stretches are then concatenated), ``offsets`` the window starts
    inside it, so each sample crosses to TensorFlow once even where windows overlap, and ``owners``
    the segment index of each window.
    """
    owner = np.concatenate([np.full(len(st), i) for i, st in enumerate(starts)])
    flat = np.concatenate(starts)
    for j in range(0, len(flat), batch_size):
        who, where = owner[j : j + batch_size], flat[j : j + batch_size]
        cuts = np.flatnonzero(np.diff(who)) + 1
        spans, offsets, base = [], [], 0
        for w, s in zip(np.split(who, cuts), np.split(where, cuts)):
            lo, hi = int(s.min()), int(s.max()) + window
            spans.append(segs[w[0]].data[lo:hi])
            offsets.append(s - lo + base)
            base += hi - lo
        span = spans[0] if len(spans) == 1 else np.concatenate(spans)
        yield span, np.concatenate(offsets).astype(np.int32), who


def _window_predict(predict, card: ModelCard):
    """``predict`` on windows ``[batch, samples, components]`` instead of a span and offsets."""

    def on_windows(windows):
        windows = tf.convert_to_tensor(windows, tf.float32)
        count = tf.shape(windows)[0]
        span = tf.reshape(windows, [-1, len(card.components)])
        return predict(span, tf.range(count, dtype=tf.int32) * card.input_samples)

    return on_windows


def _window_outputs(
    predict,
    segs: list[Segment],
    starts: list[np.ndarray],
    card: ModelCard,
    batch_size: int,
    mc_samples: int,
    tta: dict[str, Any] | None = None,
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray | None]]:
    """``(segment index, first window index, outputs, std)`` for each batch's windows of each segment, in order.

    ``outputs`` are the label curves ``[windows, out_samples, labels]`` (the mean over Monte-Carlo
    passes when ``mc_samples > 1``, with their standard deviation in ``std``; with ``tta``, the
    average of :func:`zoo.augment.tta_predict` over filtered and shifted windows). TensorFlow works in a
    worker thread with up to ``_BATCHES_AHEAD`` batches queued, so the caller's window assembly and
    stacking overlap the network instead of leaving it idle; outputs are handed over batch by batch,
    so no segment-sized buffer of window outputs is ever held.
    """

    def run(span: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        if tta:
            windows = np.lib.stride_tricks.sliding_window_view(span, card.input_samples, axis=0)[offsets]
            windows = np.ascontiguousarray(np.swapaxes(windows, 1, 2))
            return tta_predict(
                _window_predict(predict, card), windows, sampling_rate=card.sampling_rate, **tta
            ), None
        if mc_samples == 1:
            return predict(span, offsets).numpy(), None
        draws = np.stack([predict(span, offsets).numpy() for _ in range(mc_samples)])
        return draws.mean(axis=0), draws.std(axis=0)

    received = [0] * len(starts)

    def collect(future, owners: np.ndarray) -> Iterator[tuple[int, int, np.ndarray, np.ndarray | None]]:
        mean, spread = future.result()
        cuts = np.flatnonzero(np.diff(owners)) + 1
        for rows in np.split(np.arange(len(owners)), cuts):
            i, sl = int(owners[rows[0]]), slice(rows[0], rows[-1] + 1)
            yield i, received[i], mean[sl], None if spread is None else spread[sl]
            received[i] += len(rows)
        if progress.n + len(owners) < n_windows:
            progress.update(len(owners))
        else:  # the final state is drawn once, by close(); update() would draw 100 % a second time
            progress.n = n_windows

    n_windows = sum(len(s) for s in starts)
    progress = tqdm(
        total=n_windows, unit="win", desc=f"{card.prefix} annotate", disable=n_windows < _PROGRESS_MIN_WINDOWS
    )
    with progress, ThreadPoolExecutor(max_workers=1) as worker:
        pending: deque = deque()
        for span, offsets, owners in _batches(segs, starts, card.input_samples, batch_size):
            pending.append((worker.submit(run, span, offsets), owners))
            if len(pending) > _BATCHES_AHEAD:
                yield from collect(*pending.popleft())
        while pending:
            yield from collect(*pending.popleft())


class _Stacker:
    """Stacks window outputs onto one segment as they arrive (see :func:`stack`)."""

    def __init__(self, starts: np.ndarray, length: int, card: ModelCard, t_out: int, k: int) -> None:
        self.t_out, self.n_windows = t_out, len(starts)
        self.first = (np.asarray(starts) // card.output_step).astype(np.int64)
        self.n_out = -(-length // card.output_step)
        self.mean = card.stacking == "mean"
        size = self.n_out + 2 * t_out
        self.total = np.zeros((size, k), np.float32) if self.mean else np.full((size, k), np.nan, np.float32)
        self.count = np.zeros((size, 1), np.float32) if self.mean else None
        self.blind = tuple(-(-b // card.output_step) for b in card.blinding)

    def add(self, outputs: np.ndarray, index: int) -> None:
        """Add the outputs ``[windows, out_samples, labels]`` of windows ``index, index + 1, ...``."""
        values = np.asarray(outputs, dtype=np.float32)
        n = len(values)
        b0, b1 = self.blind
        blinded = bool(b0 or b1) and self.n_windows > 1
        if blinded:
            values = values.copy()
            values[max(0, 1 - index) :, :b0] = np.nan
            values[: max(0, self.n_windows - 1 - index), self.t_out - b1 :] = np.nan
        first = self.first[index : index + n]
        regular = _regular_prefix(first)
        groups = [(first[:regular], values[:regular])]
        groups += [(first[i : i + 1], values[i : i + 1]) for i in range(regular, n)]
        k = values.shape[2]
        for offsets, vals in groups:
            shift = int(offsets[1] - offsets[0]) if len(offsets) > 1 else self.t_out
            rows = len(offsets)
            for c0 in range(0, self.t_out, shift):
                width = min(shift, self.t_out - c0)
                block = slice(offsets[0] + c0, offsets[0] + c0 + rows * shift)
                chunk = vals[:, c0 : c0 + width]
                target = self.total[block].reshape(rows, shift, k)[:, :width]
                if not self.mean:
                    np.fmax(target, chunk, out=target)
                elif blinded:
                    seen = np.isfinite(chunk[..., :1])
                    target += np.where(seen, chunk, 0.0)
                    self.count[block].reshape(rows, shift, 1)[:, :width] += seen
                else:
                    target += chunk
                    self.count[block].reshape(rows, shift, 1)[:, :width] += 1.0

    def result(self) -> np.ndarray:
        """``[ceil(length / output_step), labels]`` float32; samples no window covers are NaN."""
        if not self.mean:
            return self.total[: self.n_out]
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.total[: self.n_out] / self.count[: self.n_out]


def stack(outputs: np.ndarray, starts: np.ndarray, length: int, card: ModelCard) -> np.ndarray:
    """Stack window outputs ``[windows, out_samples, labels]`` onto a segment of ``length`` input samples.

    Window ``i`` starts at input sample ``starts[i]``, a multiple of ``card.output_step``. Blinded
    samples (``card.blinding`` at each window edge, in input samples) are left out except at the
    segment's two ends; overlapping values are combined by ``card.stacking`` (mean or max).
    Vectorised: equally spaced windows are stacked with one array operation per chunk of the spacing
    (two operations for a 50% overlap), not one per window. ``annotate`` feeds the same stacking
    batch by batch.

    Returns:
        ``[ceil(length / output_step), labels]`` float32; samples that no window covers are NaN.
    """
    stacker = _Stacker(starts, length, card, outputs.shape[1], outputs.shape[2])
    stacker.add(outputs, 0)
    return stacker.result()


def _regular_prefix(first: np.ndarray) -> int:
    """How many leading windows start at equal spacing (at least one, two if there are two)."""
    if len(first) < 3:
        return len(first)
    irregular = np.flatnonzero(np.diff(first) != first[1] - first[0])
    return int(irregular[0]) + 1 if len(irregular) else len(first)


_TTA_OPTIONS = {"filters", "shifts", "reduce", "order"}


def _validate_options(
    card: ModelCard, batch_size: int, overlap: int, stride: int, mc_samples: int, tta: dict | None
) -> None:
    for name, value in (("batch_size", batch_size), ("mc_samples", mc_samples), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}.")
    if (
        isinstance(overlap, bool)
        or not isinstance(overlap, (int, np.integer))
        or not 0 <= overlap < card.input_samples
    ):
        raise ValueError(
            f"overlap must be a whole number of samples in [0, {card.input_samples}), got {overlap!r}."
        )
    if card.output_kind == "sequence" and (card.input_samples - overlap) % card.output_step:
        raise ValueError(
            f"{card.prefix} outputs one value per {card.output_step} samples; the window step "
            f"(window {card.input_samples} - overlap {overlap}) must be a multiple of it."
        )
    if mc_samples > 1 and card.mc_dropout is None:
        raise ValueError(f"{card.prefix} has no dropout to sample: mc_samples must be 1.")
    if tta is not None:
        if not isinstance(tta, dict) or set(tta) - _TTA_OPTIONS:
            raise TypeError(f"tta must be a dict with keys among {sorted(_TTA_OPTIONS)}, got {tta!r}.")
        if mc_samples > 1:
            raise ValueError("Use either tta or mc_samples, not both.")


def _fit_segments(segs: list[Segment], window: int) -> list[tuple[Segment, int]]:
    """Pad segments of at least half a window to one window (warning); skip shorter ones (warning)."""
    kept = []
    for seg in segs:
        n = len(seg.data)
        if n >= window:
            kept.append((seg, n))
        elif n >= window // 2:
            warnings.warn(
                f"{seg.trace_id} segment at {seg.starttime} is {n} samples, shorter than the {window}-sample "
                "window; zero-padded to one window.",
                stacklevel=3,
            )
            padded = np.zeros((window, seg.data.shape[1]), np.float32)
            padded[:n] = seg.data
            kept.append((replace(seg, data=padded), n))
        else:
            warnings.warn(
                f"{seg.trace_id} segment at {seg.starttime} is {n} samples, less than half the {window}-sample "
                "window; skipped.",
                stacklevel=3,
            )
    if not kept:
        raise ValueError(
            f"No continuous segment is long enough to annotate: the model needs at least {window // 2} "
            f"samples ({window} samples is one full window) at its sampling rate."
        )
    return kept


def annotate(
    model: Any,
    stream: obspy.Stream | obspy.Trace,
    *,
    batch_size: int = 128,
    overlap: int | None = None,
    stride: int | None = None,
    mc_samples: int = 1,
    tta: dict[str, Any] | None = None,
) -> obspy.Stream:
    """Run a zoo model over a stream and return its label curves as traces.

    Args:
        model: A model from :func:`zoo.load`.
        stream: Raw waveforms: any sampling rate (resampled to the model's), integer or float counts,
            several stations, gaps, masked arrays; component codes Z/N/E or Z/1/2.
        batch_size: Windows per compiled predict call.
        overlap: Overlap of consecutive windows in samples (sequence models; default the card's).
        stride: Step between windows in samples (point models such as GPD; default the card's).
        mc_samples: Monte-Carlo dropout passes (models with dropout at inference, e.g.
            EQTransformer); with more than one, each label gets a mean trace ``<Model>_<label>`` and a
            standard-deviation trace ``<Model>_<label>_std``.
        tta: Test-time augmentation: keyword arguments of :func:`zoo.augment.tta_predict`
            (``filters`` as ``None`` or ``(freqmin, freqmax)`` Hz, ``shifts`` in seconds, ``reduce``,
            ``order``); each window's curves are averaged over its filtered and shifted versions,
            e.g. ``tta={"filters": [None, (1.0, None)]}`` adds a 1 Hz high-passed copy.

    Returns:
        An ``obspy.Stream`` with one trace per label, instrument and continuous segment, channel
        ``<Model>_<label>``, the input's network/station/location, float32 probabilities, sampling
        rate ``card.sampling_rate / output_step`` (point models: ``/ stride``). Each trace says which
        instrument it came from in ``stats.instrument`` (band and instrument code, ``"EH"``) and
        ``stats.source_channels`` (the channel code read for each component role, ``{"Z": "EHZ",
        ...}``; a zero-filled component is absent), so the annotations of two instruments at one
        station (EH? and HH?) stay apart: select them with ``ann.select(channel="PhaseNet_P")`` and
        ``tr.stats.instrument``. (ObsPy's ``Stream.merge`` compares ids only; do not merge the
        annotations of several instruments of one station.)

    Raises:
        ValueError: Empty stream, non-positive sampling rate, no finite samples, no component the
            model understands, no segment long enough, bad options.
        TypeError: Not a stream, or non-numeric samples.

    Example:
        >>> import obspy, zoo
        >>> ann = zoo.annotate(zoo.load("phasenet"), obspy.read())
        >>> ann.select(channel="PhaseNet_P")[0].stats.sampling_rate
        100.0
    """
    card = card_of(model)
    overlap = card.overlap if overlap is None else overlap
    stride = card.output_step if stride is None else stride
    _validate_options(card, batch_size, overlap, stride, mc_samples, tta)
    window = card.input_samples
    fitted = _fit_segments(segments(stream, card), window)
    segs = [seg for seg, _ in fitted]
    if card.output_kind == "point":
        starts = [window_starts(len(s.data), window, stride, stride) for s in segs]
    else:
        starts = [window_starts(len(s.data), window, window - overlap, card.output_step) for s in segs]
    predict = _predict_function(model, card)
    out = obspy.Stream()
    pending: dict[int, _SegmentOutput] = {}
    with card.mc_dropout(model) if mc_samples > 1 else contextlib.nullcontext():
        for i, index, mean, std in _window_outputs(predict, segs, starts, card, batch_size, mc_samples, tta):
            if i not in pending:
                pending[i] = _SegmentOutput(fitted[i], starts[i], card, stride, mean.shape, std is not None)
            if pending[i].add(index, mean, std):
                out.extend(pending.pop(i).traces())
    return out


class _SegmentOutput:
    """Collects one segment's window outputs (stacked, or placed for point models) into traces."""

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
        self.received = 0
        kinds = ("", "_std") if with_std else ("",)
        if card.output_kind == "point":
            self.parts = {kind: np.empty((len(starts), shape[2]), np.float32) for kind in kinds}
        else:
            length = len(self.segment.data)
            self.parts = {kind: _Stacker(starts, length, card, shape[1], shape[2]) for kind in kinds}

    def add(self, index: int, mean: np.ndarray, std: np.ndarray | None) -> bool:
        """Take the outputs of windows ``index, index + 1, ...``; ``True`` once all have arrived."""
        for kind, values in (("", mean), ("_std", std)):
            if kind not in self.parts:
                continue
            if self.card.output_kind == "point":
                self.parts[kind][index : index + len(values)] = values[:, 0, :]
            else:
                self.parts[kind].add(values, index)
        self.received += len(mean)
        return self.received == len(self.starts)

    def traces(self) -> list[obspy.Trace]:
        card, seg, window = self.card, self.segment, self.card.input_samples
        traces = []
        for kind, part in self.parts.items():
            if card.output_kind == "point":
                curves = part[(self.starts + window // 2) < self.length]
                t0 = seg.starttime + (window // 2) / card.sampling_rate
                rate = card.sampling_rate / self.stride
            else:
                curves = part.result()[: -(-self.length // card.output_step)]
                t0, rate = seg.starttime, card.sampling_rate / card.output_step
            traces.extend(_traces(seg, curves, card, kind, t0, rate))
        return traces


def _traces(
    seg: Segment, curves: np.ndarray, card: ModelCard, suffix: str, starttime: obspy.UTCDateTime, rate: float
) -> list[obspy.Trace]:
    network, station, location, instrument = seg.trace_id.split(".")
    return [
        obspy.Trace(
            np.ascontiguousarray(curves[:, i], dtype=np.float32),
            header={
                "network": network,
                "station": station,
                "location": location,
                "channel": f"{card.prefix}_{label}{suffix}",
                "starttime": starttime,
                "sampling_rate": rate,
                "instrument": instrument,
                "source_channels": dict(seg.channels),
            },
        )
        for i, label in enumerate(card.labels)
    ]
