"""Stacking window outputs: the vectorised stacker against a naive loop, batch by batch; fractional output
steps and blinded segment ends (SeisBench's rules)."""

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

import zoo
from zoo.waveforms.stacking import Stacker, covered, output_positions, stack
from zoo.waveforms.windows import window_starts


def _naive_stack(outputs, starts, length, annotation):
    acc = [[[] for _ in range(outputs.shape[2])] for _ in range(length)]
    b0, b1 = annotation.blinding
    ends = annotation.segment_ends == "drop"
    for w, (out, s) in enumerate(zip(outputs, starts)):
        for i in range(out.shape[0]):
            if ((w > 0 or ends) and i < b0) or ((w < len(starts) - 1 or ends) and i >= out.shape[0] - b1):
                continue
            for k in range(out.shape[1]):
                acc[s + i][k].append(out[i, k])
    reduce = np.mean if annotation.stacking == "mean" else np.max
    return np.array([[reduce(v) if v else np.nan for v in row] for row in acc], np.float32)


@pytest.mark.parametrize("stacking", ["mean", "max"])
@pytest.mark.parametrize("blinding", [(0, 0), (5, 7)])
def test_vectorised_stacking_equals_a_naive_loop(stacking, blinding):
    annotation = dataclasses.replace(zoo.card("phasenet").annotation, stacking=stacking, blinding=blinding)
    starts = window_starts(107, 40, 15)
    outputs = np.random.default_rng(1).random((len(starts), 40, 2)).astype(np.float32)
    np.testing.assert_allclose(
        stack(outputs, starts, 107, annotation), _naive_stack(outputs, starts, 107, annotation), rtol=1e-6
    )


@pytest.mark.parametrize("blinding", [(0, 0), (5, 7)])
def test_mean_leaves_samples_between_and_after_windows_nan(blinding):
    """Windows with a gap between them and none at the end: the mean is NaN where none lies, with or
    without blinding (without it the stacker counts windows from their positions, not sample by sample)."""
    annotation = dataclasses.replace(zoo.card("phasenet").annotation, blinding=blinding)
    starts = np.array([0, 30, 80])
    outputs = np.random.default_rng(4).random((3, 40, 2)).astype(np.float32)
    stacked = stack(outputs, starts, 137, annotation)
    np.testing.assert_allclose(stacked, _naive_stack(outputs, starts, 137, annotation), rtol=1e-6)
    assert np.isnan(stacked[70:80]).all() and np.isnan(stacked[120:]).all()


@pytest.mark.parametrize("stacking", ["mean", "max"])
def test_stacking_batch_by_batch_equals_stacking_at_once(stacking):
    annotation = dataclasses.replace(zoo.card("phasenet").annotation, stacking=stacking, blinding=(5, 7))
    starts = window_starts(107, 40, 15)
    outputs = np.random.default_rng(2).random((len(starts), 40, 2)).astype(np.float32)
    stacker = Stacker(starts, 107, annotation, 40, 2)
    for index in range(0, len(starts), 2):
        stacker.add(outputs[index : index + 2], index)
    np.testing.assert_allclose(stacker.result(), stack(outputs, starts, 107, annotation), rtol=1e-6)


@pytest.mark.parametrize("stacking", ["mean", "max"])
@pytest.mark.parametrize("windows", [1, 5])
def test_dropped_segment_ends_blind_every_window(stacking, windows):
    """segment_ends="drop" blinds the first and last window (and a lone one) too, as SeisBench does."""
    annotation = dataclasses.replace(
        zoo.card("phasenet").annotation, stacking=stacking, blinding=(5, 7), segment_ends="drop"
    )
    length = 40 + 15 * (windows - 1)
    starts = window_starts(length, 40, 15)
    outputs = np.random.default_rng(3).random((len(starts), 40, 2)).astype(np.float32)
    stacked = stack(outputs, starts, length, annotation)
    np.testing.assert_allclose(stacked, _naive_stack(outputs, starts, length, annotation), rtol=1e-6)
    assert covered(stacked) == slice(5, length - 7)


def test_fractional_output_positions_round_half_to_even_like_seisbench():
    starts = np.arange(0, 40_000, 250)
    expected = np.round(starts * 19 / 3000).astype(np.int64)  # NumPy rounds halves to even, as SeisBench
    np.testing.assert_array_equal(output_positions(starts, Fraction(3000, 19)), expected)
    assert output_positions(np.array([1500, 4500]), Fraction(3000, 19)).tolist() == [10, 28]  # 9.5, 28.5
    assert output_positions(np.array([320, 480]), 160).tolist() == [2, 3]


@pytest.mark.parametrize("stacking", ["mean", "max"])
def test_fractional_output_step_stacks_windows_at_their_rounded_positions(stacking):
    """19 outputs per 3000 samples (SeisBench's CRED), windows every 1500 samples and one at the end."""
    annotation = dataclasses.replace(
        zoo.card("cred").annotation, output_step=Fraction(3000, 19), stacking=stacking, blinding=(0, 0)
    )
    starts = window_starts(29_321, 3000, 1500)
    outputs = np.random.default_rng(4).random((len(starts), 19, 1)).astype(np.float32)
    positions = output_positions(starts, annotation.output_step)
    stacked = stack(outputs, starts, 29_321, annotation)
    assert len(stacked) == 186 and positions[-1] + 19 == 186
    np.testing.assert_allclose(stacked, _naive_stack(outputs, positions, 186, annotation), rtol=1e-6)
