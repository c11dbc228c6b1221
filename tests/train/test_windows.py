"""Window cutting: where the P arrival lands, arrivals kept inside, reproducible evaluation windows."""

import numpy as np
import pytest
import tensorflow as tf

from zoo.train.windows import cut_windows

P, S, LENGTH, N = 2500.0, 3300.0, 9001, 3000


def records(n=16, p=P, s=S, length=LENGTH):
    rng = np.random.default_rng(0)
    return tf.data.Dataset.from_tensor_slices(
        {
            "waveform": rng.normal(size=(n, length, 3)).astype("float32"),
            "trace_name": [f"t{i}" for i in range(n)],
            "trace_p_arrival_sample": np.full(n, p, "float32"),
            "trace_s_arrival_sample": np.full(n, s, "float32"),
        }
    )


def arrivals(ds):
    return np.array(
        [[w["trace_p_arrival_sample"], w["trace_s_arrival_sample"]] for w in ds.as_numpy_iterator()]
    )


def test_fixed_p_position_places_p_and_moves_the_waveform_with_it():
    source = records(2)
    (window,) = list(cut_windows(source.take(1), N, sampling_rate=100.0, p_position=10.0).as_numpy_iterator())
    assert window["trace_p_arrival_sample"] == 1000.0 and window["trace_s_arrival_sample"] == 1800.0
    original = next(source.as_numpy_iterator())["waveform"]
    np.testing.assert_array_equal(window["waveform"], original[1500:4500])


def test_p_range_stays_in_range_and_varies():
    a = arrivals(cut_windows(records(), N, sampling_rate=100.0, p_position=(10.0, 15.0), seed=3))
    assert a[:, 0].min() >= 1000 and a[:, 0].max() <= 1500 and len(np.unique(a[:, 0])) > 8
    np.testing.assert_array_equal(a[:, 1] - a[:, 0], S - P)


def test_random_shift_keeps_both_arrivals_inside_and_covers_the_window():
    a = arrivals(cut_windows(records(64), N, sampling_rate=100.0, seed=1))
    assert np.isfinite(a).all() and a.min() >= 0 and a.max() < N
    assert a[:, 0].min() < 300 and a[:, 0].max() > N - (S - P) - 300


def test_training_windows_change_per_epoch_and_evaluation_windows_do_not():
    train = cut_windows(records(), N, sampling_rate=100.0, seed=2, training=True)
    assert not np.array_equal(arrivals(train), arrivals(train))
    val = cut_windows(records(), N, sampling_rate=100.0, seed=2, training=False)
    np.testing.assert_array_equal(arrivals(val), arrivals(val))
    again = cut_windows(records(), N, sampling_rate=100.0, seed=2, training=False)
    np.testing.assert_array_equal(arrivals(val), arrivals(again))


def test_arrivals_outside_the_window_become_nan_and_short_records_are_padded():
    a = arrivals(cut_windows(records(4, p=100.0, s=8000.0), N, sampling_rate=100.0, p_position=1.0))
    assert (a[:, 0] == 100.0).all() and np.isnan(a[:, 1]).all()
    (short,) = list(
        cut_windows(records(1, p=50.0, s=80.0, length=2000), N, sampling_rate=100.0).as_numpy_iterator()
    )
    assert short["waveform"].shape == (N, 3) and not short["waveform"][2000:].any()
    assert short["trace_p_arrival_sample"] == 50.0


def test_bad_records_are_refused_with_the_expected_keys():
    with pytest.raises(ValueError, match="trace_s_arrival_sample"):
        cut_windows(
            tf.data.Dataset.from_tensors(
                {"waveform": np.zeros((10, 3)), "trace_name": "a", "trace_p_arrival_sample": 1.0}
            ),
            5,
            sampling_rate=100.0,
        )
    with pytest.raises(ValueError, match="min, max"):
        cut_windows(records(1), N, sampling_rate=100.0, p_position=(5.0, 1.0))
