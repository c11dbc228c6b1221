"""Triggers, thresholds, pick channels and the card's pick rules; classify against the original's pick rates."""

import numpy as np
import obspy
import pandas as pd
import pytest

import zoo
from zoo.waveforms.picks import extract, pick_channel, trigger


def test_trigger_returns_one_peak_per_stretch_above_threshold():
    values = np.array([0.0, 0.4, 0.9, 0.5, 0.1, np.nan, 0.35, 0.2, 0.31], np.float32)
    assert trigger(values, 0.3) == [(1, 4, 2), (6, 7, 6), (8, 9, 8)]
    assert trigger(values, 0.95) == []


def test_trigger_hysteresis_and_minimum_length_follow_obspy():
    from obspy.signal.trigger import trigger_onset

    values = np.array([0.0, 0.2, 0.96, 0.5, 0.2, 0.05, 0.0, 0.97, 0.05, 0.3, 0.99, 0.98, 0.4, 0.0])
    expected = [(int(a), int(b) + 1) for a, b in trigger_onset(values, 0.95, 0.1)]
    assert [(a, b) for a, b, _ in trigger(values, 0.95, 0.1)] == expected
    assert trigger(values, 0.95, 0.1, min_samples=2) == [(2, 5, 2), (10, 13, 10)]


def test_an_off_fraction_switches_off_at_a_fraction_of_the_threshold_given():
    """SeisBench's trigger: off at half of whatever on threshold is used (also one given to classify)."""
    from obspy.signal.trigger import trigger_onset

    card = zoo.card("phasenet").replace(trigger={"off_fraction": 0.5, "off_thresholds": {"P": 0.01}})
    t, bumps = np.arange(3000), [(200, 0.4), (260, 0.35), (600, 0.7), (680, 0.5), (1000, 0.95), (1500, 0.62)]
    bumps += [(1560, 0.62), (2000, 0.33), (2400, 0.8)]
    values = sum(h * np.exp(-0.5 * ((t - c) / 15) ** 2) for c, h in bumps)
    t0 = obspy.UTCDateTime(2020, 1, 1)
    trace = obspy.Trace(
        values.astype(np.float32), {"channel": "PhaseNet_P", "sampling_rate": 100.0, "starttime": t0}
    )
    for threshold in (0.3, 0.6):
        picks = extract(obspy.Stream([trace]), card, {"P": threshold, "S": 0.3})
        expected = trigger_onset(trace.data, threshold, threshold / 2)
        assert (
            len(expected) > 3
            and expected.tolist() != trigger_onset(trace.data, threshold, threshold).tolist()
        )
        found = [(round((p.start_time - t0) * 100), round((p.end_time - t0) * 100)) for p in picks]
        assert found == [(int(a), int(b)) for a, b in expected]


def test_ncedc_pick_rates_reach_the_original(phasenet, shared, stream_of):
    """P within 0.1 s on >= 73/77 windows and S on >= 65/77 (the original graph: 74 and 66)."""
    labels = pd.read_csv(shared / "data" / "ncedc" / "labels.csv")
    hits = {"P": 0, "S": 0}
    for row in labels.itertuples():
        window = np.load(shared / "data" / "ncedc" / "pred" / row.fname)["data"]
        picks = zoo.classify(phasenet, stream_of(window), P_threshold=0.3, S_threshold=0.3)
        for phase, sample in (("P", row.pred_itp), ("S", row.pred_its)):
            hits[phase] += any(
                p.phase == phase and abs((p.time - obspy.UTCDateTime(0)) - sample / 100) <= 0.1 for p in picks
            )
    assert hits["P"] >= 73 and hits["S"] >= 65, hits


def test_thresholds_are_validated(phasenet):
    st = obspy.read()
    with pytest.raises(TypeError, match="Q_threshold.*P_threshold, S_threshold"):
        zoo.classify(phasenet, st, Q_threshold=0.5)
    with pytest.raises(ValueError, match="P_threshold must be a probability"):
        zoo.classify(phasenet, st, P_threshold=1.5)


def test_higher_threshold_gives_a_subset_of_picks(phasenet):
    st = obspy.read()
    low = zoo.classify(phasenet, st, P_threshold=0.1, S_threshold=0.1)
    high = zoo.classify(phasenet, st, P_threshold=0.95, S_threshold=0.95)
    assert len(high) < len(low)
    assert all(any(h.time == p.time for p in low) for h in high)


def test_picks_of_two_instruments_at_one_station_name_their_instrument(phasenet, tmp_path):
    eh = obspy.read()
    hh = eh.copy()
    for tr in hh:
        tr.stats.channel = {"Z": "HHZ", "N": "HH1", "E": "HH2"}[tr.stats.channel[-1]]
    picks = zoo.classify(phasenet, eh + hh)
    assert sorted((p.trace_id, p.phase, p.channel) for p in picks) == [
        ("BW.RJOB..EH", "P", "EHZ"),
        ("BW.RJOB..EH", "S", "EHN"),
        ("BW.RJOB..HH", "P", "HHZ"),
        ("BW.RJOB..HH", "S", "HH1"),
    ]
    (event,) = obspy.read_events(str(picks.to_quakeml(tmp_path / "picks.xml")))
    assert sorted(p.waveform_id.get_seed_string() for p in event.picks) == [
        "BW.RJOB..EHN",
        "BW.RJOB..EHZ",
        "BW.RJOB..HH1",
        "BW.RJOB..HHZ",
    ]


def test_pick_channel_falls_back_to_a_component_that_was_read():
    assert pick_channel("P", {"N": "EHN", "E": "EHE"}) == "EHN"
    assert pick_channel("S", {"Z": "EHZ"}) == "EHZ"
    assert pick_channel("S", {}) == ""


def test_numpy_thresholds_are_accepted_and_bad_ones_rejected(phasenet):
    st = obspy.read()
    plain = zoo.classify(phasenet, st, P_threshold=0.3, S_threshold=0.5)
    assert zoo.classify(phasenet, st, P_threshold=np.float32(0.3), S_threshold=np.float64(0.5)) == plain
    for bad in (np.bool_(True), True, np.float64("nan"), np.float32(1.5), np.int64(0), "0.3"):
        with pytest.raises(ValueError, match="P_threshold must be a probability"):
            zoo.classify(phasenet, st, P_threshold=bad)


def test_eqtransformer_keeps_only_detections_with_a_pick_as_the_original_picker():
    """Two detections; only the second has a P pick (1 s before its start counts): the first is dropped."""
    card = zoo.card("eqtransformer")
    curves = {label: np.zeros(6000, np.float32) for label in card.annotation.labels}
    curves["Detection"][1000:1500] = 0.9
    curves["Detection"][3000:3500] = 0.9
    curves["P"][2950] = 0.8
    t0 = obspy.UTCDateTime(2020, 1, 1)
    header = {"network": "XX", "station": "A", "sampling_rate": 100.0, "starttime": t0, "instrument": "HH"}
    annotations = obspy.Stream(
        [obspy.Trace(v, {**header, "channel": f"EQTransformer_{k}"}) for k, v in curves.items()]
    )
    picks = extract(annotations, card, dict(card.trigger.thresholds))
    assert [(d.trace_id, d.start_time - t0) for d in picks.detections] == [("XX.A..HH", 30.0)]
    assert [(p.phase, p.time - t0) for p in picks] == [("P", 29.5)]


def _classify_peak_bytes(model, stream) -> tuple[int, int]:
    """NumPy's peak allocation (bytes, tracemalloc) while ``zoo.classify`` runs, and the pick count."""
    import tracemalloc

    tracemalloc.start()
    try:
        picks = zoo.classify(model, stream, P_threshold=0.3)
        return tracemalloc.get_traced_memory()[1], len(picks)
    finally:
        tracemalloc.stop()


def test_trigger_on_float32_equals_float64_at_the_threshold():
    edge = np.float32(0.7)  # 0.699999988: below 0.7 in float64
    values = np.array([0.0, edge, np.nextafter(edge, np.float32(1)), 0.0, edge, 0.0], np.float32)
    assert trigger(values, 0.7) == trigger(values.astype(np.float64), 0.7) == [(2, 3, 2)]


def test_classify_memory_is_flat_in_the_number_of_instruments(phasenet, stream_of):
    """One instrument's data and curves at a time: three instruments need no more memory than one."""
    rng = np.random.default_rng(1)
    day = rng.normal(0, 100, (100 * 1200, 3)).astype(np.int32)
    one = stream_of(day, station="A")
    three = one + stream_of(day, station="B") + stream_of(day, station="C")
    zoo.classify(phasenet, one)
    peak_one, picks_one = _classify_peak_bytes(phasenet, one)
    peak_three, picks_three = _classify_peak_bytes(phasenet, three)
    assert picks_three == 3 * picks_one
    assert peak_three < 1.2 * peak_one
