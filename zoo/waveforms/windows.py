"""Windows over segments: where windows start, which segments are long enough, batches for one predict call.

Window starts and lengths are in samples at the model's rate. :func:`batches` hands each batch to the
network as one stretch of samples and the window offsets inside it, so a sample crosses to TensorFlow
once even where windows overlap.

Example:
    >>> import numpy as np
    >>> from zoo.waveforms.segments import Segment
    >>> seg = Segment("XX.A..HH", None, np.zeros((10, 3), "float32"))
    >>> [(span.shape, offsets.tolist()) for span, offsets, _ in batches([seg], [window_starts(10, 4, 3)], 4, 2)]
    [((7, 3), [0, 3]), ((4, 3), [0])]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from zoo.cards import AnnotationSpec
from zoo.waveforms.segments import Segment


def window_starts(length: int, window: int, step: int, align: int = 1) -> np.ndarray:
    """Start samples of windows of ``window`` samples every ``step`` samples covering ``length`` samples.

    The last window is moved back to end at the segment's end (rounded down to a multiple of
    ``align``), so every sample is covered. ``length`` must be at least ``window``.

    Example:
        >>> window_starts(10, 4, 3).tolist()
        [0, 3, 6]
        >>> window_starts(11, 4, 3, align=2).tolist()
        [0, 3, 6]
    """
    starts = np.arange(0, length - window + 1, step, dtype=np.int64)
    last = ((length - window) // align) * align
    if starts[-1] != last:
        starts = np.append(starts, last)
    return starts


def segment_starts(
    segments: list[Segment], window: int, annotation: AnnotationSpec, overlap: int, stride: int
) -> list[np.ndarray]:
    """Window starts (samples) in each segment: every ``stride`` samples for point models, else every
    ``window - overlap`` samples aligned to a whole output step (the last window ends at the segment's
    end; with a fractional output step exactly there)."""
    if annotation.output_kind == "point":
        return [window_starts(len(s.data), window, stride, stride) for s in segments]
    step, output_step = window - overlap, annotation.output_step
    align = output_step if isinstance(output_step, int) else 1
    return [window_starts(len(s.data), window, step, align) for s in segments]


def shortest_segment(window: int, pad: bool) -> int:
    """Fewest samples a segment needs to be annotated: half a window if short segments are zero-padded
    (``pad``), else a whole window."""
    return window // 2 if pad else window


def no_segment_long_enough(window: int, pad: bool) -> ValueError:
    """The error for data in which no segment has :func:`shortest_segment` samples."""
    needed = f"{window // 2} samples ({window} samples is one full window)" if pad else f"{window} samples"
    return ValueError(
        f"No continuous segment is long enough to annotate: the model needs at least {needed} at its "
        "sampling rate."
    )


def fit_segments(
    segs: list[Segment], window: int, pad: bool = True, required: bool = True
) -> list[tuple[Segment, int]]:
    """``(segment, length)`` per usable segment: a segment of at least half a window but less than one is
    zero-padded to one window (warning; ``length`` stays its own), a shorter one is skipped (warning).
    With ``pad=False`` every segment shorter than a window is skipped (warning).

    Raises:
        ValueError: No segment is long enough (unless ``required`` is false: then ``[]``).
    """
    kept = []
    for seg in segs:
        n = len(seg.data)
        if n >= window:
            kept.append((seg, n))
        elif n >= shortest_segment(window, pad):
            warnings.warn(
                f"{seg.trace_id} segment at {seg.starttime} is {n} samples, shorter than the {window}-sample "
                "window; zero-padded to one window.",
                stacklevel=4,
            )
            padded = np.zeros((window, seg.data.shape[1]), np.float32)
            padded[:n] = seg.data
            kept.append((replace(seg, data=padded), n))
        else:
            shorter = "less than half the" if pad else "shorter than the"
            warnings.warn(
                f"{seg.trace_id} segment at {seg.starttime} is {n} samples, {shorter} {window}-sample "
                "window; skipped.",
                stacklevel=4,
            )
    if not kept and required:
        raise no_segment_long_enough(window, pad)
    return kept


def batches(
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
