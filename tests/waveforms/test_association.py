"""EQTransformer's association of picks with detections: the stated rule, in linear-logarithmic time."""

import numpy as np
import obspy
import pytest

from zoo.waveforms.picklist import Detection, Pick
from zoo.waveforms.picks import _associate

T0 = obspy.UTCDateTime(2020, 1, 1)


def _rule(picks, detections, margin, need_picks):
    """The rule as the card states it, pick by pick for every detection."""
    kept, confirmed = set(), []
    for d in detections:
        best = {}
        for i, p in enumerate(picks):
            inside = d.start_time - (margin or 0.0) <= p.time <= d.end_time
            if p.trace_id == d.trace_id and inside:
                if p.phase not in best or p.probability > picks[best[p.phase]].probability:
                    best[p.phase] = i
        kept.update(best.values())
        if best or not need_picks:
            confirmed.append(d)
    return ([p for i, p in enumerate(picks) if i in kept] if margin is not None else picks), confirmed


def _random_case(seed):
    rng = np.random.default_rng(seed)
    ids = ["XX.A..HH", "XX.B..HH"]
    picks = [
        Pick(
            ids[rng.integers(2)],
            "PS"[rng.integers(2)],
            T0 + float(rng.integers(0, 4000)) / 100,  # on the sample grid: ties and touching ends happen
            float(rng.choice([0.3, 0.5, 0.9])),  # equal probabilities: the first in the list wins
            T0,
            T0,
        )
        for _ in range(300)
    ]
    detections = []
    for _ in range(60):
        start = float(rng.integers(0, 4000)) / 100
        detections.append(
            Detection(
                ids[rng.integers(2)], T0 + start, T0 + start + float(rng.integers(0, 300)) / 100, T0, 0.5
            )
        )
    return picks, detections


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("margin", "need_picks"), [(1.0, True), (0.0, False), (None, True), (None, False)])
def test_association_follows_the_rule(seed, margin, need_picks):
    picks, detections = _random_case(seed)
    assert _associate(picks, detections, margin, need_picks) == _rule(picks, detections, margin, need_picks)
