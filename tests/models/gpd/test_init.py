"""GPD's model card: band-pass filter, window normalisation, sliding run and the stream-level path."""

from __future__ import annotations

import json

import h5py
import keras
import numpy as np
import obspy
import pytest
from obspy.signal.trigger import trigger_onset

import zoo
from zoo.models.gpd import CARD, filter_stream, normalize

START = obspy.UTCDateTime(2020, 1, 1)


@pytest.fixture(scope="module")
def reference(shared) -> dict[str, np.ndarray]:
    with np.load(shared / "reference" / "gpd_original_stead50.npz") as ref:
        keys = (
            "ids",
            "filtered_NEZ",
            "sliding_prob",
            "sliding_center_sample",
            "picks_P_json",
            "picks_S_json",
        )
        return {k: ref[k] for k in keys}


@pytest.fixture(scope="module")
def raw_enz(shared, reference) -> np.ndarray:
    """The 50 STEAD records ``[50, 6000, 3]`` (E, N, Z) in the reference's order."""
    with h5py.File(shared / "data" / "stead50" / "waveforms.hdf5", "r") as fh:
        return np.stack([np.asarray(fh[f"earthquake/local/{name}"]) for name in reference["ids"]])


@pytest.fixture(scope="module")
def model(pretrained) -> keras.Model:
    return pretrained("gpd")


def _stream(record: np.ndarray, order: str = "ENZ") -> obspy.Stream:
    return obspy.Stream(
        [
            obspy.Trace(
                record[:, c].copy(),
                header={
                    "network": "TA",
                    "station": "109C",
                    "channel": f"HH{comp}",
                    "sampling_rate": 100.0,
                    "starttime": START,
                },
            )
            for c, comp in enumerate(order)
        ]
    )


def sliding_windows(traces: np.ndarray, length: int, step: int) -> np.ndarray:
    """``[n, samples, channels]`` -> ``[n, windows, length, channels]`` windows every ``step`` samples."""
    view = np.lib.stride_tricks.sliding_window_view(traces, length, axis=1)[:, ::step]
    return np.swapaxes(view, 2, 3)


def test_card_facts() -> None:
    assert zoo.card("gpd") is CARD
    assert (CARD.waveform.sampling_rate, CARD.waveform.samples, CARD.waveform.components) == (
        100.0,
        400,
        "NEZ",
    )
    assert CARD.annotation.labels == ("P", "S", "N") and CARD.trigger.pick_labels == ("P", "S")
    assert (CARD.annotation.output_kind, CARD.annotation.output_step, CARD.task, CARD.display_name) == (
        "point",
        10,
        "picker",
        "GPD",
    )
    assert CARD.trigger.thresholds == {"P": 0.95, "S": 0.95}
    assert CARD.licence == "MIT" and [f.name for f in CARD.preset().files] == [
        "model_pol.json",
        "model_pol_best.hdf5",
    ]


def test_filter_matches_original_preprocessing(raw_enz, reference) -> None:
    worst = 0.0
    for i in range(50):
        stream = _stream(raw_enz[i][:, [1, 0, 2]], order="NEZ")
        before = [tr.data.copy() for tr in stream]
        filtered = filter_stream(stream)
        for tr, data in zip(stream, before):
            np.testing.assert_array_equal(tr.data, data)
        got = np.stack([tr.data for tr in filtered], axis=1)
        expected = reference["filtered_NEZ"][i]
        worst = max(worst, np.abs(got - expected).max() / np.abs(expected).max())
    assert worst <= 1e-6, worst


def test_sliding_run_reproduces_original(model: keras.Model, reference) -> None:
    n = 6
    windows = sliding_windows(reference["filtered_NEZ"][:n], 400, 10)
    assert windows.shape[1] == 561
    np.testing.assert_array_equal(np.arange(561) * 10 + 200, reference["sliding_center_sample"])
    probs = model.predict(normalize(windows.reshape(-1, 400, 3)), batch_size=256, verbose=0)
    err = np.abs(probs.reshape(n, 561, 3) - reference["sliding_prob"][:n]).max()
    assert err <= 1e-4, err


def _original_picks(prob: np.ndarray, centres: np.ndarray) -> list[int]:
    """gpd_predict.py's rule: trigger on at 0.95, off at 0.1, skip one-sample triggers, pick the peak."""
    return [int(centres[a + np.argmax(prob[a:b])]) for a, b in trigger_onset(prob, 0.95, 0.1) if b > a]


def test_annotate_reproduces_original_sliding_run(model: keras.Model, raw_enz, reference) -> None:
    """Raw E, N, Z traces through zoo.annotate (reordering, filter, windows, centres) = the original."""
    from zoo.waveforms.annotate import annotate

    picks = {label: json.loads(str(reference[f"picks_{label}_json"])) for label in CARD.trigger.pick_labels}
    for i in range(2):
        out = annotate(model, _stream(raw_enz[i]), batch_size=256)
        for k, label in enumerate(CARD.annotation.labels):
            (trace,) = out.select(channel=f"GPD_{label}")
            assert trace.stats.starttime == START + 2.0
            assert trace.stats.sampling_rate == pytest.approx(10.0)
            assert np.abs(trace.data - reference["sliding_prob"][i, :, k]).max() <= 1e-4
            if label in picks:
                centres = np.arange(len(trace.data)) * 10 + 200
                assert _original_picks(trace.data, centres) == picks[label][i]


def test_classify_reproduces_original_picks(model: keras.Model, raw_enz, reference) -> None:
    """zoo.classify with the card's hysteresis (on 0.95, off 0.1, >= 2 samples) = gpd_predict.py's picks."""
    expected = {
        label: json.loads(str(reference[f"picks_{label}_json"])) for label in CARD.trigger.pick_labels
    }
    for i in range(len(raw_enz)):
        picks = zoo.classify(model, _stream(raw_enz[i]), batch_size=256)
        for label in CARD.trigger.pick_labels:
            samples = [round((p.time - START) * 100) for p in picks if p.phase == label]
            assert samples == expected[label][i], (i, label)
