"""EQTransformer through the stream and pick layers on the 50 STEAD traces, at the default thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import obspy
import pandas as pd
import pytest

import zoo
from zoo.models.eqtransformer import CARD
from zoo.waveforms.annotate import annotate

TOLERANCE = 0.2  # seconds


@pytest.fixture(scope="module")
def stead(shared: Path) -> tuple[obspy.Stream, pd.DataFrame]:
    """One three-component stream per STEAD trace, each as its own station ``S00``..``S49``."""
    folder = shared / "data" / "stead50"
    meta = pd.read_csv(folder / "metadata.csv")
    stream = obspy.Stream()
    start = obspy.UTCDateTime(2020, 1, 1)
    with h5py.File(folder / "waveforms.hdf5", "r") as fh:
        for i, name in enumerate(meta["trace_name"]):
            data = np.asarray(fh[f"earthquake/local/{name}"], dtype=np.float32)
            for c, component in enumerate("ENZ"):
                header = {"network": "XX", "station": f"S{i:02d}", "channel": f"BH{component}"}
                stream.append(
                    obspy.Trace(data[:, c].copy(), {**header, "sampling_rate": 100.0, "starttime": start})
                )
    return stream, meta


@pytest.fixture(scope="module")
def model(pretrained):
    return pretrained("eqtransformer")


@pytest.fixture(scope="module")
def annotations(model, stead) -> obspy.Stream:
    stream, _ = stead
    return annotate(model, stream, batch_size=16)


@pytest.fixture(scope="module")
def picks(model, stead):
    stream, _ = stead
    return zoo.classify(model, stream, batch_size=16)


def test_annotations_equal_reference_outputs(annotations, shared: Path) -> None:
    ref = np.load(shared / "reference" / "eqt_original_stead50.npz")
    for i in range(len(ref["x"])):
        for label, key in zip(CARD.annotation.labels, ("detector", "picker_P", "picker_S")):
            (trace,) = annotations.select(station=f"S{i:02d}", channel=f"EQTransformer_{label}")
            assert trace.stats.npts == 6000
            assert np.abs(trace.data - ref[key][i]).max() <= 1e-4, (i, label)


def test_mc_annotation_spreads_and_switch_is_restored(model, stead) -> None:
    stream, _ = stead
    few = obspy.Stream([tr for tr in stream if tr.stats.station in ("S00", "S01")])
    before = annotate(model, few, batch_size=16)
    mc = annotate(model, few, batch_size=16, mc_samples=5)
    assert mc.select(channel="EQTransformer_P_std")[0].data.max() > 1e-3
    again = annotate(model, few, batch_size=16)
    for old, new in zip(before, again):
        np.testing.assert_array_equal(new.data, old.data)


def _best_pick_errors(picks, meta: pd.DataFrame, phase: str) -> np.ndarray:
    """Seconds between the catalogue arrival and the most probable pick of ``phase`` per trace."""
    start = obspy.UTCDateTime(2020, 1, 1)
    errors = np.full(len(meta), np.inf)
    for i, sample in enumerate(meta[f"{phase.lower()}_arrival_sample"]):
        own = [p for p in picks if p.phase == phase and p.trace_id == f"XX.S{i:02d}..BH"]
        if own:
            best = max(own, key=lambda p: p.probability)
            errors[i] = abs(best.time - (start + sample / 100.0))
    return errors


def test_every_trace_is_detected(picks, stead) -> None:
    _, meta = stead
    detected = {d.trace_id for d in picks.detections}
    assert detected == {f"XX.S{i:02d}..BH" for i in range(len(meta))}


@pytest.mark.parametrize("phase", ["P", "S"])
def test_most_probable_pick_within_tolerance(picks, stead, phase: str) -> None:
    # Measured: P 49/50, S 49/50 (the original picker on the same curves: P 49, S 49).
    _, meta = stead
    hits = int(np.sum(_best_pick_errors(picks, meta, phase) <= TOLERANCE))
    assert hits >= 48, f"{phase}: {hits}/50 within {TOLERANCE} s"


def test_picks_per_detection_equal_the_original_picker(picks, shared: Path) -> None:
    """One P and one S per detection, the most probable inside it: the original ``picker()`` matches."""
    ref = np.load(shared / "reference" / "eqt_original_stead50.npz", allow_pickle=True)
    start = obspy.UTCDateTime(2020, 1, 1)
    same = 0
    for i, matches in enumerate(json.loads(str(ref["picker_matches_json"]))):
        original = sorted(
            (phase, int(m[k]))
            for m in matches.values()
            for phase, k in (("P", 3), ("S", 6))
            if m[k] is not None
        )
        ours = sorted(
            (p.phase, round((p.time - start) * 100.0)) for p in picks if p.trace_id == f"XX.S{i:02d}..BH"
        )
        same += ours == original
    assert same == 50, f"{same}/50 traces with the original's picks"
