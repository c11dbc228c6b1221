"""CRED through the stream layer on continuous data: no window-edge false alarms on noise."""

import numpy as np
import obspy

import zoo


def test_gaussian_noise_gives_no_detections_at_window_starts(stream_of, pretrained):
    """20 min of white noise: without start blinding, max stacking kept about 20 start-of-window detections."""
    noise = np.random.default_rng(0).normal(0.0, 1.0, (100 * 1200, 3))
    picks = zoo.classify(pretrained("cred"), stream_of(noise))
    t0 = obspy.UTCDateTime(0)
    assert len(picks.detections) == 0, [(d.start_time - t0, d.end_time - t0) for d in picks.detections]
