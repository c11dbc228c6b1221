"""Stacking window outputs: the vectorised stacker against a naive loop, batch by batch."""

import dataclasses

import numpy as np
import pytest

import zoo
from zoo.waveforms.stacking import Stacker, stack
from zoo.waveforms.windows import window_starts


def _naive_stack(outputs, starts, length, annotation):
    acc = [[[] for _ in range(outputs.shape[2])] for _ in range(length)]
    b0, b1 = annotation.blinding
    for w, (out, s) in enumerate(zip(outputs, starts)):
        for i in range(out.shape[0]):
            if (w > 0 and i < b0) or (w < len(starts) - 1 and i >= out.shape[0] - b1):
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


@pytest.mark.parametrize("stacking", ["mean", "max"])
def test_stacking_batch_by_batch_equals_stacking_at_once(stacking):
    annotation = dataclasses.replace(zoo.card("phasenet").annotation, stacking=stacking, blinding=(5, 7))
    starts = window_starts(107, 40, 15)
    outputs = np.random.default_rng(2).random((len(starts), 40, 2)).astype(np.float32)
    stacker = Stacker(starts, 107, annotation, 40, 2)
    for index in range(0, len(starts), 2):
        stacker.add(outputs[index : index + 2], index)
    np.testing.assert_allclose(stacker.result(), stack(outputs, starts, 107, annotation), rtol=1e-6)
