"""Converted SeisBench files annotate and classify as SeisBench does: curves, picks and detections.

For every fixture (made by make_fixtures.py with SeisBench 0.12.6) the weights are converted once with
``zoo.convert_seisbench``, loaded from the preset folder (its ``seisbench`` card variant) and run with
``zoo.annotate`` and ``zoo.classify`` on the first five stead50 traces and the continuous stream. To
run them in one call, the six streams are put one day apart; times are shifted back before comparing.

Picks and detections must be SeisBench's within one sample at start, peak and end. A reference pick
whose ``margin`` (the smallest curve change that could remove or move it) is below the curve tolerance
may differ: it is excluded and counted, and at most that many extra picks of ours are allowed.
"""

from __future__ import annotations

import csv
import functools

import h5py
import numpy as np
import obspy
import pandas as pd
import pytest

import zoo

FIXTURES = [
    "phasenet_random",
    "phasenet_finetuned",
    "eqtransformer_default",
    "eqtransformer_conservative",
    "eqtransformer_nonconservative",
    "gpd_random",
    "cred_random",
]
# Largest curve difference allowed. SeisBench's float32 EQTransformer itself is up to 4.5e-5
# (conservative) and 1.3e-4 (non-conservative) off its float64 outputs with these lively weights, and
# float32 Keras scatters as much (tests/models/eqtransformer/test_seisbench.py); measured here:
# 8.7e-5, 2.4e-4, 1.5e-4; PhaseNet 3.1e-5 and 1.7e-6, GPD 5.2e-6, CRED 6.5e-6.
TOLERANCE = {"eqtransformer_conservative": 3e-4, "eqtransformer_nonconservative": 3e-4}
DEFAULT_TOLERANCE = 1e-4
STREAMS = 5  # the first traces (with the continuous stream: the streams whose curves every fixture stores)
DAY = 86400.0
FIRST = obspy.UTCDateTime("2020-01-01")  # the fixtures' trace start; the continuous stream starts a day later


@functools.cache
def _inputs(data: str) -> tuple[list[str], dict[str, obspy.UTCDateTime], obspy.Stream]:
    """Stream names, their start in the fixtures, and one stream with stream ``k`` starting ``k`` days late."""
    with open(f"{data}/metadata.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))[:STREAMS]
    with h5py.File(f"{data}/waveforms.hdf5", "r") as fh:
        arrays = [np.asarray(fh[f"earthquake/local/{row['trace_name']}"], np.float32) for row in rows]
    names = [row["trace_name"] for row in rows] + ["continuous"]
    arrays.append(np.concatenate(arrays)[:29321])
    starts = {name: FIRST + (DAY if name == "continuous" else 0.0) for name in names}
    stream = obspy.Stream()
    for k, array in enumerate(arrays):
        for index, component in enumerate("ENZ"):
            header = {"network": "TA", "station": "109C", "channel": f"HH{component}", "sampling_rate": 100.0}
            stream.append(
                obspy.Trace(np.ascontiguousarray(array[:, index]), {**header, "starttime": FIRST + k * DAY})
            )
    return names, starts, stream


def _origin(names, starts, time):
    """The stream a time of the joined stream belongs to, and the time in the fixture."""
    name = names[int((time - FIRST) // DAY)]
    return name, starts[name] + (time - (FIRST + names.index(name) * DAY))


@pytest.fixture(scope="module")
def stead50(shared) -> str:
    return str(shared / "data" / "stead50")


@pytest.fixture(scope="module")
def run(seisbench_reference, stead50, tmp_path_factory):
    """``run(key)``: the converted fixture's model, its annotation and classification of the six streams
    (converted, built and run once per fixture)."""

    @functools.cache
    def annotate_and_classify(key):
        pt, _ = seisbench_reference.files(key)
        folder = tmp_path_factory.mktemp(key) / "preset"
        model = zoo.load(str(zoo.convert_seisbench(pt, seisbench_reference.model_name(key), folder)))
        _, _, stream = _inputs(stead50)
        return model, zoo.annotate(model, stream), zoo.classify(model, stream)

    return annotate_and_classify


@pytest.mark.parametrize("key", FIXTURES)
def test_annotate_curves_equal_seisbench(key, stead50, run, seisbench_reference):
    names, starts, _ = _inputs(stead50)
    _, annotations, _ = run(key)
    with np.load(seisbench_reference.root / "annotations" / f"{key}.npz") as ref:
        streams = [str(s) for s in ref["streams"]]
        compared = 0
        for name in names:
            s, k = streams.index(name), names.index(name)
            for c, channel in enumerate(ref["channels"]):
                start = ref["offset"][s, c]
                expected = (
                    np.cumsum(ref["delta"][start : start + ref["npts"][s, c]], dtype=np.int64) * 2.0**-20
                )
                (trace,) = [
                    tr
                    for tr in annotations.select(channel=str(channel))
                    if FIRST + k * DAY <= tr.stats.starttime < FIRST + (k + 1) * DAY
                ]
                t0 = obspy.UTCDateTime(ns=int(ref["starttime_ns"][s, c]))
                assert trace.stats.starttime - (FIRST + k * DAY) == pytest.approx(t0 - starts[name], abs=1e-6)
                assert trace.stats.sampling_rate == pytest.approx(ref["sampling_rate"][s, c], rel=1e-12)
                assert trace.id == f"TA.109C..{channel}" and len(trace.data) == len(expected)
                assert np.abs(trace.data - expected).max() <= TOLERANCE.get(key, DEFAULT_TOLERANCE), (
                    name,
                    channel,
                )
                compared += 1
        assert compared == len(names) * len(ref["channels"])


def _agree(found, reference, columns, rate, tolerance):
    """(matched, excluded, extra): reference rows matched within one sample, low-margin rows not matched,
    rows of ours matched by none."""
    used, matched, excluded = set(), 0, 0
    for row in reference.itertuples():
        times = [obspy.UTCDateTime(getattr(row, column)) for column in columns]
        hits = [
            i
            for i, (stream, label, mine) in enumerate(found)
            if i not in used
            and (stream, label) == (row.stream, getattr(row, "phase", ""))
            and all(abs(a - b) <= 1.001 / rate for a, b in zip(mine, times))
        ]
        if hits:
            used.add(hits[0])
            matched += 1
        else:
            assert row.margin < tolerance, (
                f"{row.stream} {getattr(row, 'phase', 'detection')} at {times[0]} missing"
            )
            excluded += 1
    return matched, excluded, len(found) - len(used)


@pytest.mark.parametrize("key", FIXTURES)
def test_classify_picks_and_detections_equal_seisbench(key, stead50, run, seisbench_reference):
    names, starts, _ = _inputs(stead50)
    model, _, found = run(key)
    rate = model.zoo_card.waveform.sampling_rate / (10 if key.startswith("gpd") else 1)
    tolerance = TOLERANCE.get(key, DEFAULT_TOLERANCE)
    picks = pd.read_csv(seisbench_reference.root / "picks.csv")
    picks = picks[(picks.fixture == key) & picks.stream.isin(names)]
    mine = []
    for pick in found:
        name, peak = _origin(names, starts, pick.time)
        mine.append(
            (
                name,
                pick.phase,
                (peak - (pick.time - pick.start_time), peak, peak + (pick.end_time - pick.time)),
            )
        )
    matched, excluded, extra = _agree(mine, picks, ("start_time", "peak_time", "end_time"), rate, tolerance)
    assert matched + excluded == len(picks) and extra <= excluded and excluded <= 1
    assert matched >= (0 if key.startswith("cred") else 10)

    detections = pd.read_csv(seisbench_reference.root / "detections.csv")
    detections = detections[(detections.fixture == key) & detections.stream.isin(names)]
    mine = []
    for detection in found.detections:
        name, start = _origin(names, starts, detection.start_time)
        mine.append((name, "", (start, start + (detection.end_time - detection.start_time))))
    matched, excluded, extra = _agree(
        mine, detections.assign(phase=""), ("start_time", "end_time"), rate, tolerance
    )
    assert matched + excluded == len(detections) and extra <= excluded and excluded <= 1
    assert (matched > 0) == (key.startswith(("eqtransformer", "cred")))
