"""False-positive artefacts: each kind where it was drawn, never on a phase, labels unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.augment import FalsePositive


@pytest.mark.parametrize("gap_value", ["zero", "constant"])
def test_artefacts_follow_drawn_parameters(stead, gap_value):
    x, y = stead["x"][:, :3000], stead["y"][:, :3000]
    for seed in range(3):
        prm = {k: v.numpy() for k, v in FalsePositive().draw(x, y, [seed, 9]).items()}
        xo, yo = FalsePositive(gap_value=gap_value)(x, y, [seed, 9])
        xo = xo.numpy()
        np.testing.assert_array_equal(yo, y)
        for b in range(8):
            t0, n, kind = prm["start"][b], prm["length"][b], prm["kind"][b]
            diff = xo[b] - x[b]
            if not prm["active"][b]:
                np.testing.assert_array_equal(diff, 0)
                continue
            assert y[b, t0 : t0 + n, :2].max() <= 0.1
            assert np.all(diff[:t0] == 0)
            if kind == 0:
                expect = 0.0 if gap_value == "zero" else x[b, t0]
                np.testing.assert_array_equal(xo[b, t0 : t0 + n], np.broadcast_to(expect, (n, 3)))
                assert np.all(diff[t0 + n :] == 0)
            elif kind == 1:
                np.testing.assert_allclose(
                    diff[t0:], np.broadcast_to(prm["amp"][b], (3000 - t0, 3)), atol=1e-5
                )
            else:
                np.testing.assert_allclose(
                    diff[t0 : t0 + n], np.broadcast_to(prm["amp"][b], (n, 3)), atol=1e-5
                )
                assert np.all(diff[t0 + n :] == 0)
                assert kind != 2 or n == 1


def test_unknown_kind():
    with pytest.raises(ValueError, match="kinds"):
        FalsePositive(kinds=["glitch"])(
            np.zeros((1, 10, 3), np.float32), np.zeros((1, 10, 3), np.float32), [0, 0]
        )
