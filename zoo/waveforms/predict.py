"""The compiled batched predict of a zoo model and the threaded runner that feeds it windows.

:func:`predict_function` compiles raw windows -> the card's normalisation -> network -> the card's
post-processing into one ``tf.function`` (cached on the model, rebuilt when its weights change).
:func:`window_outputs` runs it over the windows of many segments in worker threads, batch by batch.
How a batch is turned into curves is a *strategy*: a callable ``strategy(predict, span, offsets) ->
(mean, std | None)``; :func:`single_pass` is the default, :class:`MonteCarloDropout` averages several
stochastic passes, and ``zoo.annotate(..., tta=...)`` builds a test-time augmentation strategy. A strategy
may also have ``active(model)``, a context manager entered while it runs.

Example:
    >>> import numpy as np, zoo
    >>> model = zoo.load("phasenet")
    >>> predict = predict_function(model, model.zoo_card)
    >>> mean, std = single_pass(predict, np.zeros((3000, 3), "float32"), np.array([0], "int32"))
    >>> mean.shape, std
    ((1, 3000, 3), None)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from zoo.cards import ModelCard, WaveformSpec
from zoo.models.compiled_block import power_of_two_at_least
from zoo.models.constant_weights import use_constant_weights
from zoo.waveforms.precision import network_in
from zoo.waveforms.segments import Segment
from zoo.waveforms.windows import batches

_PROGRESS_MIN_WINDOWS = 16
_BATCHES_AHEAD = 3
"""Batches queued for the predict threads while the caller stacks finished segments."""
_PREDICT_THREADS = 2
"""Predict calls running at once, each on its share of ``batch_size`` windows. TensorFlow splits each op
over its threads, but many of a network's ops (small convolutions deep in a U-Net, element-wise ops)
leave cores idle; a second call in flight fills them: PhaseNet 7.0-7.5 -> 8.1-10.7 hours of data per
second on 2 cores (alternating runs, load ~1.5). Splitting the batch keeps the network's memory that
of ``batch_size`` windows (two full batches at once: PhaseNet's classify working memory 307 -> 406 MiB
for 4 % more throughput)."""

Predict = Callable[[Any, Any], Any]
"""``predict(span [samples, components] float32, offsets [windows] int32) -> [windows, out, labels]``."""


class Strategy(Protocol):
    """Turns one batch into label curves: ``(predict, span, offsets) -> (mean, std | None)`` as NumPy."""

    def __call__(
        self, predict: Predict, span: np.ndarray, offsets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]: ...


def single_pass(predict: Predict, span: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, None]:
    """The default strategy: one deterministic pass, no spread."""
    return predict(span, offsets).numpy(), None


@dataclass(frozen=True)
class MonteCarloDropout:
    """Monte-Carlo dropout: the mean and standard deviation of ``samples`` passes with dropout on.

    Attributes:
        samples: Stochastic passes per batch (at least 2).
        dropout: The card's ``mc_dropout(model)`` context manager (:attr:`AnnotationSpec.mc_dropout`).
    """

    samples: int
    dropout: Callable[[Any], Any]

    def __call__(
        self, predict: Predict, span: np.ndarray, offsets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        draws = np.stack([predict(span, offsets).numpy() for _ in range(self.samples)])
        return draws.mean(axis=0), draws.std(axis=0)

    def active(self, model: Any) -> Any:
        """The model's dropout switched on, for the duration of a run."""
        return self.dropout(model)


def _fingerprint(model: Any) -> str:
    """A digest of the model's current weights."""
    digest = hashlib.sha1()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=32)
def compiled_normalize(normalize: Callable[[Any], Any]) -> tf.types.experimental.GenericFunction:
    """The card's ``normalize`` compiled by XLA, shared by every model whose card uses it
    (``WaveformSpec.compile_normalize``).

    XLA fuses a normalisation's casts, reductions over the time axis and element-wise arithmetic into
    a few loops: PhaseNet's float64 normalisation of 128 windows takes 3 ms instead of 12 (TensorFlow
    runs each op as its own pass over the batch, and its reductions over the middle axis of
    ``[windows, samples, 3]`` slowly); results agree to about 1e-11. XLA compiles once per input
    shape, so :func:`predict_function` hands it batches padded to a power of two.
    """
    return tf.function(normalize, jit_compile=True)


def gathered_windows(span: tf.Tensor, starts: tf.Tensor, window: int) -> tf.Tensor:
    """The windows ``[len(starts), window, components]`` of ``span`` ``[samples, components]`` starting at
    ``starts`` (TensorFlow ops).

    Gathered in blocks: the largest divisor of ``window`` that divides every start is the block, and
    ``span`` is read as rows of that many samples (a free reshape). A gather of single 3-component samples
    moves 12 bytes at a time; PhaseNet's windows every 1500 samples move 1500 samples at a time (64
    windows: 0.98 -> 0.48 ms). A batch holding a segment's last window (moved back to end at the segment's
    end) usually falls back to smaller blocks.

    Example:
        >>> import numpy as np
        >>> span = np.arange(24, dtype="float32").reshape(12, 2)
        >>> gathered_windows(span, np.array([0, 4, 6], "int32"), 4).numpy()[:, :, 0].tolist()
        [[0.0, 2.0, 4.0, 6.0], [8.0, 10.0, 12.0, 14.0], [12.0, 14.0, 16.0, 18.0]]
    """
    span = tf.convert_to_tensor(span)
    components = span.shape[1]
    divisors = tf.constant([d for d in range(window, 0, -1) if window % d == 0], tf.int32)
    divides = tf.reduce_all(tf.equal(starts[None, :] % divisors[:, None], 0), axis=1)
    block = divisors[tf.argmax(tf.cast(divides, tf.int32), output_type=tf.int32)]
    rows = tf.reshape(span[: tf.shape(span)[0] // block * block], [-1, block * components])
    picked = tf.gather(rows, starts[:, None] // block + tf.range(window // block)[None, :])
    return tf.reshape(picked, [-1, window, components])


def normalized_windows(waveform: WaveformSpec, span: tf.Tensor, offsets: tf.Tensor) -> tf.Tensor:
    """The windows ``[len(offsets), waveform.samples, components]`` starting at ``offsets`` in ``span``
    (:func:`gathered_windows`), normalised by the card: compiled by XLA with
    ``waveform.compile_normalize``, on the windows padded with copies of the last to a power of two
    (TensorFlow ops, for use inside a ``tf.function``)."""

    def windows(starts: tf.Tensor) -> tf.Tensor:
        return gathered_windows(span, starts, waveform.samples)

    if not waveform.compile_normalize:
        return waveform.normalize(windows(offsets))
    count = tf.shape(offsets)[0]
    padded = tf.concat([offsets, tf.fill([power_of_two_at_least(count) - count], offsets[-1])], axis=0)
    return compiled_normalize(waveform.normalize)(windows(padded))[:count]


def predict_function(
    model: Any, card: ModelCard, precision: str = "float32"
) -> tf.types.experimental.GenericFunction:
    """One compiled function: ``(span, offsets)`` of raw windows -> normalised -> network -> label curves
    (the network and post-processing of ``card.annotation.label_network``).

    Cached on the model for its card, one per precision (alternating precisions rebuilds nothing). With
    ``card.annotation.inference_model`` (or in bfloat16, see :mod:`zoo.waveforms.precision`) the function
    runs a copy of the network, rebuilt when the model's weights have changed since (so fine-tuning is
    never ignored); that copy's convolutions take their weights as graph constants
    (:func:`zoo.models.constant_weights.use_constant_weights`: oneDNN reorders them once per process
    instead of once per call). The windows are gathered from the span inside the function, so on a GPU a
    batch crosses from the host once and its curves come back once: there is no per-window host round
    trip.
    The normalisation is :func:`normalized_windows` (compiled by XLA where the card says so: at most 8
    batch shapes for batches up to 128, each compiled once per process).
    """
    annotation, waveform = card.annotation, card.waveform
    copied = annotation.inference_model is not None or precision != "float32"
    fingerprint = _fingerprint(model) if copied else None
    if not hasattr(model, "_zoo_predict"):
        model._zoo_predict = {}
    cached = model._zoo_predict.get(precision)
    if cached is not None and cached[:2] == (fingerprint, card):
        return cached[2]
    network, finish = annotation.label_network(model)
    network = network_in(network, precision, annotation.float32_layers)
    if copied:  # a private copy, rebuilt when the model's weights change
        use_constant_weights(network)

    spec = [tf.TensorSpec([None, len(waveform.components)], tf.float32), tf.TensorSpec([None], tf.int32)]

    @tf.function(input_signature=spec, reduce_retracing=True)
    def predict(span: tf.Tensor, offsets: tf.Tensor) -> tf.Tensor:
        outputs = network(normalized_windows(waveform, span, offsets), training=False)
        if precision != "float32":
            outputs = tf.nest.map_structure(lambda t: tf.cast(t, tf.float32), outputs)
        return finish(outputs)

    model._zoo_predict[precision] = (fingerprint, card, predict)
    return predict


def on_windows(predict: Predict, window: int, components: int) -> Callable[[Any], Any]:
    """``predict`` on windows ``[batch, window, components]`` instead of a span and offsets."""

    def run(windows: Any) -> Any:
        windows = tf.convert_to_tensor(windows, tf.float32)
        count = tf.shape(windows)[0]
        span = tf.reshape(windows, [-1, components])
        return predict(span, tf.range(count, dtype=tf.int32) * window)

    return run


Group = tuple[int, Callable[[], tuple[list[Segment], list[np.ndarray]]]]
"""``(estimated windows, build)``: ``build()`` makes a group's segments and their window starts."""


def window_outputs(
    predict: Predict,
    groups: list[Group],
    window: int,
    batch_size: int,
    strategy: Strategy = single_pass,
    desc: str = "annotate",
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray | None]]:
    """``(segment number, first window index, outputs, std)`` for each batch's windows of each segment, in order.

    ``groups`` are built one at a time (one instrument's segments each, in :func:`zoo.waveforms.curves`):
    the next is built only when every window of the previous one has been handed over, so one group's
    data is held at a time. Segments are numbered on across groups. ``outputs`` are the label curves
    ``[windows, out_samples, labels]`` that ``strategy`` makes of each batch (with their spread in
    ``std``, or ``None``). ``batch_size`` windows are in the network at once, as ``_PREDICT_THREADS``
    concurrent calls of an equal share (at least one window each). TensorFlow works in worker threads
    with up to ``_BATCHES_AHEAD`` calls queued, so the caller's stacking overlaps the network instead
    of leaving it idle; outputs are handed over call by call, so no segment-sized buffer of window
    outputs is held. A tqdm bar named ``desc``
    shows the windows done (from 16 windows on; its total is corrected as groups are built).
    """
    received: list[int] = []
    per_call = max(1, -(-batch_size // _PREDICT_THREADS))

    def collect(future, owners: np.ndarray) -> Iterator[tuple[int, int, np.ndarray, np.ndarray | None]]:
        mean, spread = future.result()
        cuts = np.flatnonzero(np.diff(owners)) + 1
        for rows in np.split(np.arange(len(owners)), cuts):
            i, sl = int(owners[rows[0]]), slice(rows[0], rows[-1] + 1)
            yield i, received[i], mean[sl], None if spread is None else spread[sl]
            received[i] += len(rows)
        if progress.n + len(owners) < progress.total:
            progress.update(len(owners))
        else:  # the final state is drawn once, by close(); update() would draw 100 % a second time
            progress.n = progress.total

    def submitted(worker, build, estimate):
        """One group built and its batches submitted as ``(future, segment numbers)``; holds nothing after."""
        segs, starts = build()
        base = len(received)
        progress.total += sum(len(s) for s in starts) - estimate
        received.extend([0] * len(segs))
        if segs:
            for span, offsets, owners in batches(segs, starts, window, per_call):
                yield worker.submit(strategy, predict, span, offsets), owners + base

    total = sum(estimate for estimate, _ in groups)
    progress = tqdm(total=total, unit="win", desc=desc, disable=total < _PROGRESS_MIN_WINDOWS)
    with progress, ThreadPoolExecutor(max_workers=_PREDICT_THREADS) as worker:
        for estimate, build in groups:
            pending: deque = deque()
            for job in submitted(worker, build, estimate):
                pending.append(job)
                if len(pending) > _BATCHES_AHEAD:
                    yield from collect(*pending.popleft())
            while pending:
                yield from collect(*pending.popleft())


def activated(strategy: Strategy, model: Any) -> Any:
    """The strategy's ``active(model)`` context (e.g. dropout switched on), or a context that does nothing."""
    active = getattr(strategy, "active", None)
    return active(model) if active is not None else contextlib.nullcontext()
