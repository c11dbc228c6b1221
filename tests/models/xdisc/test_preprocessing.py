"""xdisc's input and output handling: images to model input, station decisions."""

import numpy as np
import pytest

from zoo.models.xdisc.preprocessing import station_decision, to_model_input


def test_station_decision_averages_probabilities_per_station():
    out = station_decision([0.9, 0.3, 0.2, 0.4, 0.8], ["A", "A", "B", "B", "C"], threshold=0.5)
    assert out == {"A": (0.6, True), "B": (0.3, False), "C": (0.8, True)}
    with pytest.raises(ValueError, match="one station code per probability"):
        station_decision([0.1, 0.2], ["A"])


def test_model_input_is_channels_last_float32():
    images = np.arange(2 * 16 * 325, dtype="float64").reshape(2, 16, 325)
    x = to_model_input(images)
    assert x.shape == (2, 325, 16) and x.dtype == np.float32 and x[1, 7, 3] == images[1, 3, 7]
    with pytest.raises(ValueError, match=r"\[n, traces, samples\]"):
        to_model_input(images[0])
