"""Superposition keeps both events' label peaks and never puts the second P inside the first event."""

from __future__ import annotations

import numpy as np

from zoo.augment import Superpose
from zoo.labels import phase_labels


def test_second_event_after_first_and_both_peaks_kept(stead):
    x = stead["x"][:, :4000]
    p, s = stead["p"], stead["s"]
    y = phase_labels(np.stack([p, s], 1), 4000, width=0.1)
    n_active = 0
    for seed in range(4):
        prm = {k: v.numpy() for k, v in Superpose(coda_factor=1.4).draw(x, y, [seed, 0]).items()}
        xo, yo = Superpose(coda_factor=1.4)(x, y, [seed, 0])
        xo, yo = xo.numpy(), yo.numpy()
        for b in range(8):
            if not prm["active"][b]:
                np.testing.assert_array_equal(xo[b], x[b])
                continue
            n_active += 1
            q = prm["partner"][b]
            assert q != b
            p2 = p[q] + prm["delay"][b]
            end1 = s[b] + 1.4 * (s[b] - p[b])
            assert end1 < p2 < 4000
            for ch, arrivals in ((0, (p[b], p2)), (1, (s[b], s[q] + prm["delay"][b]))):
                for a in arrivals:
                    if a < 4000:
                        assert yo[b, int(round(a)), ch] > 0.99
            np.testing.assert_allclose(yo[b].sum(-1), 1.0, atol=1e-5)
            added, d = xo[b] - x[b], int(prm["delay"][b])
            gain = prm["ratio"][b] * np.abs(x[b]).max() / np.abs(x[q]).max()
            np.testing.assert_allclose(added[d:], gain * x[q, : 4000 - d], atol=1e-6)
            assert np.all(added[:d] == 0)
    assert n_active >= 8


def test_envelope_end_used_without_labels(stead):
    x = stead["x"][:, :4000]
    y = np.zeros((8, 4000, 1), np.float32)
    prm = Superpose(end="envelope").draw(x, y, [1, 1])
    assert np.all(prm["delay"].numpy()[prm["active"].numpy()] > 0)
