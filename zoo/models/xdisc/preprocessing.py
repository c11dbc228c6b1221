"""xdisc's input and output handling: receiver-function images to model input, station decisions.

:func:`to_model_input` turns images ``[n, traces, samples]`` (as :mod:`zoo.synth.rf_images` and
:mod:`zoo.data.receiver_functions` make them) into the network's ``[n, samples, traces]``;
:func:`station_decision` aggregates the image probabilities of each station (their mean).

Example:
    >>> import numpy as np
    >>> station_decision(np.array([0.9, 0.7, 0.2]), np.array(["A", "A", "B"]))
    {'A': (0.8, True), 'B': (0.2, False)}
"""

from __future__ import annotations

import numpy as np


def to_model_input(images: np.ndarray) -> np.ndarray:
    """Images ``[n, traces, samples]`` -> model input ``[n, samples, traces]`` float32."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must have shape [n, traces, samples], got {images.shape}.")
    return np.ascontiguousarray(images.transpose(0, 2, 1))


def station_decision(probabilities, stations, threshold: float = 0.5) -> dict[str, tuple[float, bool]]:
    """Per station: mean probability of its images and whether it exceeds ``threshold``."""
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    stations = np.asarray(stations)
    if probabilities.shape != stations.shape:
        raise ValueError("Need one station code per probability.")
    out = {}
    for station in sorted(set(stations.tolist())):
        mean = float(np.round(probabilities[stations == station].mean(), 6))
        out[station] = (mean, mean > threshold)
    return out
