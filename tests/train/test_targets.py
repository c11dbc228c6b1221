"""Training targets in each card's label order, window pick F1, warm-up, losses."""

import numpy as np
import pytest

import zoo
from zoo.train.pick_metrics import WindowPickF1
from zoo.train.schedules import WarmUp
from zoo.train.supervised import data_loss
from zoo.train.targets import PhaseLabels


def test_phasenet_labels_are_p_s_noise_with_gaussian_sigma_10_samples():
    y = PhaseLabels().for_card(
        PhaseLabels().curves(np.array([[500.0, 900.0]]), 3000, 100.0), zoo.card("phasenet")
    )
    y = y.numpy()[0]
    assert y[:, 0].argmax() == 500 and y[:, 1].argmax() == 900
    assert y[510, 0] == pytest.approx(np.exp(-0.5), rel=1e-6)
    np.testing.assert_allclose(y.sum(axis=1)[y[:, :2].sum(axis=1) <= 1], 1.0, atol=1e-6)


def test_eqtransformer_detection_runs_from_p_to_the_coda_end():
    labels = PhaseLabels(coda_factor=1.4)
    y = labels.for_card(
        labels.curves(np.array([[500.0, 900.0], [500.0, np.nan]]), 6000, 100.0), zoo.card("eqtransformer")
    ).numpy()
    on = np.flatnonzero(y[0, :, 0])
    assert (on[0], on[-1]) == (500, 900 + 560)
    assert y[0, :, 1].argmax() == 500 and y[0, :, 2].argmax() == 900
    assert np.flatnonzero(y[1, :, 0])[[0, -1]].tolist() == [500, 5999]


def test_point_models_are_refused():
    with pytest.raises(ValueError, match="sample-wise"):
        PhaseLabels().for_card(np.zeros((1, 400, 3), "float32"), zoo.card("gpd"))


def test_window_pick_f1_counts_hits_misses_and_false_picks():
    y = np.zeros((4, 100, 1), "float32")
    y[0, 20] = y[1, 20] = y[2, 20] = 1.0
    p = np.zeros_like(y)
    p[0, 25] = 0.6  # hit (5 samples off)
    p[1, 40] = 0.9  # too far: one FP and one FN
    p[2, 20] = 0.2  # under threshold: FN
    p[3, 50] = 0.7  # no arrival: FP
    m = WindowPickF1(0, threshold=0.5, tolerance=5)
    m.update_state(y, p)
    np.testing.assert_array_equal(m.counts.numpy(), [1, 2, 2])
    assert float(m.result()) == pytest.approx(2 / (2 + 2 + 2))


def test_warm_up_ramps_linearly_then_holds():
    schedule = WarmUp(2e-3, 4)
    np.testing.assert_allclose([float(schedule(s)) for s in range(6)], [5e-4, 1e-3, 1.5e-3, 2e-3, 2e-3, 2e-3])
    with pytest.raises(ValueError):
        WarmUp(0.0, 3)


def test_losses_equal_hand_computed_values():
    y = np.array([[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]], "float32")
    p = np.array([[[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]], "float32")
    assert float(data_loss(y, p, noise_label=True)) == pytest.approx(
        -(np.log(0.5) + np.log(0.8)) / 2, rel=1e-6
    )
    bce = -(np.log(0.5) + np.log(0.75) * 2 + np.log(0.9) * 2 + np.log(0.8)) / 6
    assert float(data_loss(y, p, noise_label=False)) == pytest.approx(bce, rel=1e-6)
