"""Running annotate and classify on all streams, and storing the annotation curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import obspy
import seisbench.models as sbm
from fixture_defs import QUANTUM
from fixture_files import write_npz


def annotate_all(model: sbm.WaveformModel, streams: dict[str, obspy.Stream], kwargs: dict) -> dict:
    return {name: model.annotate(stream, **kwargs) for name, stream in streams.items()}


def classify_all(model: sbm.WaveformModel, streams: dict[str, obspy.Stream], kwargs: dict) -> dict:
    return {name: model.classify(stream, **kwargs) for name, stream in streams.items()}


def same_annotations(a: dict[str, obspy.Stream], b: dict[str, obspy.Stream]) -> bool:
    for name in a:
        for ta, tb in zip(a[name], b[name], strict=True):
            if ta.id != tb.id or ta.stats.starttime != tb.stats.starttime:
                return False
            if not np.array_equal(ta.data, tb.data, equal_nan=True):
                return False
    return True


def encode(x: np.ndarray) -> np.ndarray:
    """Curve -> int32 first differences of ``round(x / QUANTUM)`` (the first element is the first value)."""
    if not np.all(np.isfinite(x)):
        raise RuntimeError("annotation curve with NaN or inf inside")
    q = np.round(x.astype(np.float64) / QUANTUM).astype(np.int64)
    return np.diff(q, prepend=0).astype(np.int32)


def decode(delta: np.ndarray) -> np.ndarray:
    """Inverse of :func:`encode`, to float32 (exact: multiples of 2**-20 below 16 are float32 numbers)."""
    return (np.cumsum(delta, dtype=np.int64) * QUANTUM).astype(np.float32)


def write_annotations(path: Path, annotations: dict[str, obspy.Stream], labels: list[str], cls: str) -> None:
    """One npz per fixture, compressed; curve (stream ``s``, label ``l``) is
    ``np.cumsum(delta[offset[s, l] : offset[s, l] + npts[s, l]]) * quantum`` (cumsum in int64).

    Keys: ``streams`` (S,) stream names (trace names, then ``continuous``); ``labels`` (L,) and
    ``channels`` (L,) (``<Class>_<label>``, SeisBench's channel codes); ``trace_id`` (S,)
    ``NET.STA.LOC`` of the annotation traces; ``starttime_ns`` (S, L) int64 POSIX nanoseconds of the
    first curve sample; ``sampling_rate`` (S, L) float64 Hz; ``npts`` and ``offset`` (S, L) int64;
    ``delta`` int32, all curves end to end, each as first differences of the curve in units of
    ``quantum`` = 2**-20 (rounding error below 4.8e-7; the differences compress far better than
    float32 samples).
    """
    names = list(annotations)
    channels = [f"{cls}_{label}" for label in labels]
    shape = (len(names), len(labels))
    start_ns = np.zeros(shape, np.int64)
    rate = np.zeros(shape, np.float64)
    npts = np.zeros(shape, np.int64)
    offset = np.zeros(shape, np.int64)
    trace_ids = []
    chunks = []
    position = 0
    for s, name in enumerate(names):
        stream = annotations[name]
        ids = {f"{tr.stats.network}.{tr.stats.station}.{tr.stats.location}" for tr in stream}
        if len(ids) != 1 or len(stream) != len(labels):
            raise RuntimeError(f"{path.name}: unexpected annotation traces for {name}: {stream}")
        trace_ids.append(ids.pop())
        for label_index, channel in enumerate(channels):
            (trace,) = stream.select(channel=channel)
            start_ns[s, label_index] = trace.stats.starttime.ns
            rate[s, label_index] = trace.stats.sampling_rate
            npts[s, label_index] = trace.stats.npts
            offset[s, label_index] = position
            chunks.append(encode(trace.data))
            if np.max(np.abs(decode(chunks[-1]) - trace.data)) > QUANTUM / 2:
                raise RuntimeError("curve encoding lost precision")
            position += trace.stats.npts
    write_npz(
        path,
        {
            "streams": np.array(names),
            "labels": np.array([str(label) for label in labels]),
            "channels": np.array(channels),
            "trace_id": np.array(trace_ids),
            "starttime_ns": start_ns,
            "sampling_rate": rate,
            "npts": npts,
            "offset": offset,
            "delta": np.concatenate(chunks),
            "quantum": np.float64(QUANTUM),
        },
    )
