"""Random shift: label peaks move by exactly the drawn shift, waveforms with them."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from zoo.augment import Shift


def _peaks(y: np.ndarray, channel: int) -> np.ndarray:
    return np.asarray(y)[:, :, channel].argmax(axis=1)


def test_crop_from_longer_record_moves_peaks_by_drawn_shift(stead):
    x, y = stead["x"], stead["y"]
    kw = dict(n_samples=3000, keep_phases=True)
    d = Shift(**kw).draw(x, y, [4, 2])["shift"].numpy()
    xs, ys = Shift(**kw)(x, y, [4, 2])
    assert xs.shape == (8, 3000, 3) and np.all(d <= 0)
    for ch in (0, 1):
        np.testing.assert_array_equal(_peaks(ys, ch), _peaks(y, ch) + d)
    b = 3
    np.testing.assert_array_equal(xs[b].numpy(), x[b, -d[b] : -d[b] + 3000])


@pytest.mark.parametrize("mode", ["wrap", "zero"])
def test_in_window_shift_moves_peaks_and_waveform(stead, mode):
    x, y = stead["x"][:, :3000], stead["y"][:, :3000]
    kw = dict(mode=mode, max_shift=5.0, sampling_rate=100.0)
    d = Shift(**kw).draw(x, y, [9, 9])["shift"].numpy()
    xs, ys = Shift(**kw)(x, y, [9, 9])
    assert np.all(np.abs(d) <= 500) and len(set(d.tolist())) > 1
    for ch in (0, 1):
        np.testing.assert_array_equal(_peaks(ys, ch), (_peaks(y, ch) + d) % 3000)
    b = int(np.argmax(d))
    np.testing.assert_allclose(xs[b, d[b] :], x[b, : 3000 - d[b]])
    if mode == "zero":
        assert np.all(xs[b, : d[b]].numpy() == 0)
        np.testing.assert_allclose(ys[b, : d[b], -1], 1.0)


def test_zero_fill_keep_phases_never_loses_a_phase(stead):
    x, y = stead["x"], stead["y"]
    for seed in range(5):
        _, ys = Shift(mode="zero", keep_phases=True)(x, y, [seed, 1])
        assert np.all(ys.numpy()[:, :, :2].max(axis=1) > 0.99)


def test_labels_sum_to_one_after_zero_fill(stead):
    _, ys = Shift(mode="zero").apply(stead["x"], stead["y"], {"shift": tf.fill([8], 2500)})
    np.testing.assert_allclose(ys.numpy().sum(-1), 1.0, atol=1e-5)


def test_bad_arguments():
    x = tf.zeros([2, 100, 3])
    with pytest.raises(ValueError, match="longer than"):
        Shift(n_samples=200)(x, tf.zeros([2, 100, 3]), [0, 0])
    with pytest.raises(ValueError, match="mode"):
        Shift(mode="reflect")(x, tf.zeros([2, 100, 3]), [0, 0])
    with pytest.raises(ValueError, match="labels must be per sample"):
        Shift()(x, tf.zeros([2, 99, 3]), [0, 0])
