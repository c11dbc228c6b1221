"""bfloat16 for the network: opt-in, float32 curves out, close to float32; clear errors."""

import numpy as np
import obspy
import pytest

import zoo
from zoo.waveforms.curves import curves
from zoo.waveforms.precision import bfloat16_device


def test_unknown_precision_is_refused_before_running(phasenet):
    with pytest.raises(ValueError, match="precision must be one of 'float32', 'bfloat16', got 'float16'"):
        zoo.annotate(phasenet, obspy.read(), precision="float16")


def test_bfloat16_curves_are_float32_and_close_to_float32(phasenet):
    if bfloat16_device() is None:
        with pytest.raises(ValueError, match="needs bfloat16 arithmetic in hardware"):
            curves(phasenet, obspy.read(), precision="bfloat16")
        return
    (f32,) = curves(phasenet, obspy.read())
    (b16,) = curves(phasenet, obspy.read(), precision="bfloat16")
    assert b16.values.dtype == np.float32 and b16.values.shape == f32.values.shape
    difference = np.abs(b16.values - f32.values)
    assert 0 < difference.max() < 0.1 and np.median(difference) < 1e-3
    (again,) = curves(phasenet, obspy.read())  # float32 again: the bfloat16 copy did not replace it
    np.testing.assert_array_equal(again.values, f32.values)
