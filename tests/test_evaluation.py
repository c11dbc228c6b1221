"""zoo.evaluation: records become streams and label rows that agree with each other; scores per phase."""

import numpy as np
import pytest

import zoo
import zoo.data
from zoo.evaluation import ORIGIN, Evaluation, evaluate, records_to_streams


def record(name, p, s, rate=100.0, n=3000):
    return {
        "waveform": np.zeros((n, 3), "float32"),
        "trace_name": name,
        "trace_sampling_rate_hz": rate,
        "trace_p_arrival_sample": np.float32(p),
        "trace_s_arrival_sample": np.float32(s),
    }


def test_streams_and_labels_agree_and_dots_leave_station_codes():
    stream, labels = records_to_streams(
        [record("109C.TA_1", 500, 900, rate=50.0), record("B", 100, np.nan)], "ENZ", 100.0
    )
    assert [tr.id for tr in stream][:3] == ["XX.109C_TA_1..HHE", "XX.109C_TA_1..HHN", "XX.109C_TA_1..HHZ"]
    assert all(tr.stats.starttime == ORIGIN for tr in stream) and stream[0].stats.sampling_rate == 50.0
    assert labels.values.tolist() == [
        ["XX.109C_TA_1..HH", "P", 10.0],
        ["XX.109C_TA_1..HH", "S", 18.0],
        ["XX.B..HH", "P", 1.0],
    ]
    with pytest.raises(ValueError, match=r"\[samples, 3\]"):
        records_to_streams([{**record("C", 1, 2), "waveform": np.zeros((10, 2))}], "ENZ", 100.0)
    with pytest.raises(ValueError, match="no records"):
        records_to_streams([], "ENZ", 100.0)


def test_phasenet_on_the_ncedc_windows_reproduces_the_original_counts(shared, phasenet):
    records = zoo.data.iter_examples(shared / "data/ncedc/pred", p_column="pred_itp", s_column="pred_its")
    result = evaluate(phasenet, records, sweep_from=0.05)
    assert result.scores.loc[["P", "S"], ["tp", "fp", "fn"]].to_numpy().tolist() == [[74, 4, 3], [66, 11, 11]]
    sweep = result.sweep(thresholds=[0.3, 0.9])
    assert (
        sweep.loc[sweep.threshold == 0.9, "tp"].to_numpy()
        <= sweep.loc[sweep.threshold == 0.3, "tp"].to_numpy()
    ).all()
    with pytest.raises(ValueError, match="sweep_from"):
        Evaluation(result.scores, result.labels, result.picks).sweep()


def test_a_record_listed_twice_is_refused_before_picking():
    with pytest.raises(ValueError, match=r"'A' occurs twice \(records 1 and 3\)"):
        records_to_streams([record("A", 1, 2), record("B", 1, 2), record("A", 1, 2)], "ENZ", 100.0)


def test_a_phase_without_any_label_is_refused(phasenet):
    records = [record("A", 500, np.nan), record("B", 700, np.nan)]
    with pytest.raises(ValueError, match="none of the 2 records has a label for the S arrival"):
        evaluate(phasenet, records)
