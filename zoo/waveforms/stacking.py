"""Stacking window outputs back into one curve per segment: mean or max over overlaps, edge blinding.

Window outputs arrive batch by batch (:class:`Stacker`); :func:`stack` stacks a whole set at once.
Positions are in output samples (input samples / the card's ``output_step``, rounded half to even for a
fractional step, :func:`output_positions`); blinding is in input samples. Reads only an
:class:`~zoo.cards.AnnotationSpec`; nothing here names a model.

Example:
    >>> import numpy as np, zoo
    >>> stacker = Stacker(np.array([0, 2]), 6, zoo.card("phasenet").annotation, 4, 1)
    >>> stacker.add(np.ones((2, 4, 1), "float32"), 0)
    >>> stacker.result().shape
    (6, 1)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from zoo.cards import AnnotationSpec


class Stacker:
    """Stacks window outputs onto one segment as they arrive (see :func:`stack`).

    Args:
        starts: Start sample of every window of the segment (multiples of a whole output step).
        length: Segment length in input samples.
        annotation: The card's annotation spec (output step, stacking, blinding).
        t_out: Output samples per window.
        k: Labels per output sample.
    """

    def __init__(
        self, starts: np.ndarray, length: int, annotation: AnnotationSpec, t_out: int, k: int
    ) -> None:
        self.t_out, self.n_windows = t_out, len(starts)
        self.first = output_positions(starts, annotation.output_step)
        self.n_out = -(-length // annotation.output_step)
        self.mean = annotation.stacking == "mean"
        self.blind_ends = annotation.segment_ends == "drop"
        size = self.n_out + 2 * t_out
        # Label-major: each label's curve is one contiguous row, which an ObsPy trace takes without a copy.
        self.total = np.zeros((k, size), np.float32) if self.mean else np.full((k, size), np.nan, np.float32)
        self.blind = tuple(-(-b // annotation.output_step) for b in annotation.blinding)
        # Without blinding every window counts in full, so how many overlap each sample follows from
        # the windows' positions (:meth:`result`); only a blinded mean counts sample by sample.
        counted = self.mean and any(self.blind)
        self.count = np.zeros((1, size), np.float32) if counted else None
        self.divided = False

    def add(self, outputs: np.ndarray, index: int) -> None:
        """Add the outputs ``[windows, out_samples, labels]`` of windows ``index, index + 1, ...``."""
        values = np.asarray(outputs, dtype=np.float32)
        n = len(values)
        b0, b1 = self.blind
        blinded = bool(b0 or b1) and (self.n_windows > 1 or self.blind_ends)
        if blinded:
            values = values.copy()
            values[0 if self.blind_ends else max(0, 1 - index) :, :b0] = np.nan
            values[: n if self.blind_ends else max(0, self.n_windows - 1 - index), self.t_out - b1 :] = np.nan
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
                chunk = vals[:, c0 : c0 + width].transpose(2, 0, 1)
                target = self.total[:, block].reshape(k, rows, shift)[:, :, :width]
                if not self.mean:
                    np.fmax(target, chunk, out=target)
                elif blinded:
                    seen = np.isfinite(chunk[:1])
                    target += np.where(seen, chunk, 0.0)
                    self.count[:, block].reshape(1, rows, shift)[:, :, :width] += seen
                else:
                    target += chunk
                    if self.count is not None:
                        self.count[:, block].reshape(1, rows, shift)[:, :, :width] += 1.0

    def result(self) -> np.ndarray:
        """``[ceil(length / output_step), labels]`` float32; samples no window covers are NaN. A transposed
        view of label-major storage: each label's column is contiguous."""
        if not self.mean or self.divided:
            return self.total[:, : self.n_out].T
        if self.count is not None:  # divided in place: no second segment-sized array
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(self.total, self.count, out=self.total)
            self.count = None
        else:
            for begin, end, windows in _coverage_runs(self.first, self.t_out, self.total.shape[1]):
                if windows == 0:
                    self.total[:, begin:end] = np.nan
                elif windows > 1:
                    self.total[:, begin:end] /= np.float32(windows)
        self.divided = True
        return self.total[:, : self.n_out].T


def stack(outputs: np.ndarray, starts: np.ndarray, length: int, annotation: AnnotationSpec) -> np.ndarray:
    """Stack window outputs ``[windows, out_samples, labels]`` onto a segment of ``length`` input samples.

    Window ``i`` starts at input sample ``starts[i]``, a multiple of a whole ``annotation.output_step``.
    Blinded samples (``annotation.blinding`` at each window edge, in input samples) are left out except
    at the segment's two ends (also there with ``annotation.segment_ends="drop"``); overlapping values
    are combined by ``annotation.stacking`` (mean or max).
    Vectorised: equally spaced windows are stacked with one array operation per chunk of the spacing
    (two operations for a 50% overlap), not one per window. ``annotate`` feeds the same stacking
    batch by batch.

    Returns:
        ``[ceil(length / output_step), labels]`` float32; samples that no window covers are NaN.

    Example:
        >>> import numpy as np, zoo
        >>> outputs = np.stack([np.full((4, 1), 1.0), np.full((4, 1), 3.0)]).astype("float32")
        >>> stack(outputs, np.array([0, 2]), 6, zoo.card("phasenet").annotation)[:, 0].tolist()
        [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    """
    stacker = Stacker(starts, length, annotation, outputs.shape[1], outputs.shape[2])
    stacker.add(outputs, 0)
    return stacker.result()


def output_positions(starts: np.ndarray, output_step: int | Fraction) -> np.ndarray:
    """The output sample at which each window's outputs start: ``start / output_step``, rounded half to
    even for a fractional step (as SeisBench places them).

    Example:
        >>> output_positions(np.array([0, 1500, 3000, 4500]), Fraction(3000, 19)).tolist()
        [0, 10, 19, 28]
    """
    starts = np.asarray(starts, dtype=np.int64)
    if isinstance(output_step, int):
        return starts // output_step
    step = Fraction(output_step)
    quotient, remainder = np.divmod(starts * step.denominator, step.numerator)
    twice = 2 * remainder
    up = (twice > step.numerator) | ((twice == step.numerator) & (quotient % 2 == 1))
    return quotient + up


def covered(values: np.ndarray) -> slice:
    """The rows of ``values`` ``[samples, labels]`` from the first to the last one with a finite value.

    Example:
        >>> covered(np.array([[np.nan], [0.5], [np.nan], [0.2], [np.nan]]))
        slice(1, 4, None)
    """
    finite = np.flatnonzero(np.isfinite(values).any(axis=1))
    return slice(int(finite[0]), int(finite[-1]) + 1) if len(finite) else slice(0, 0)


def _coverage_runs(first: np.ndarray, t_out: int, size: int) -> list[tuple[int, int, int]]:
    """``(begin, end, windows)``: the runs of output samples ``[0, size)`` covered by the same number of
    windows, for windows of ``t_out`` output samples starting at ``first`` (a 50 % overlap: three runs).

    Example:
        >>> _coverage_runs(np.array([0, 2, 4]), 4, 10)
        [(0, 2, 1), (2, 6, 2), (6, 8, 1), (8, 10, 0)]
    """
    starts = np.sort(first)
    bounds = np.unique(np.concatenate([[0, size], starts, starts + t_out]))
    begins = bounds[:-1]
    windows = np.searchsorted(starts, begins, "right") - np.searchsorted(starts + t_out, begins, "right")
    change = np.concatenate([[0], np.flatnonzero(np.diff(windows)) + 1, [len(begins)]])
    return [(int(bounds[a]), int(bounds[b]), int(windows[a])) for a, b in zip(change[:-1], change[1:])]


def _regular_prefix(first: np.ndarray) -> int:
    """How many leading windows start at equal spacing (at least one, two if there are two)."""
    if len(first) < 3:
        return len(first)
    irregular = np.flatnonzero(np.diff(first) != first[1] - first[0])
    return int(irregular[0]) + 1 if len(irregular) else len(first)
