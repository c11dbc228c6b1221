"""Arithmetic of a network and the machine's float32 peak, for the FLOP-limit share of the benchmarks.

The share is the network's counted arithmetic per second of annotation wall time over the rate of a
large float32 matrix product on the same cores, measured in the same process right after (this
machine's speed wanders by 20 % and more between runs, so a peak measured once would skew it).
"""

from __future__ import annotations

import statistics
import time

import keras
import tensorflow as tf

_WEIGHTED = (keras.layers.Conv1D, keras.layers.Conv1DTranspose, keras.layers.BatchNormalization)


def conv_gflop(network: keras.Model) -> float:
    """GFLOP per window of the network's convolutions (2 x multiply-adds), from the layers' shapes."""
    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.layers.Conv1DTranspose):
            total += 2 * layer.input.shape[1] * layer.kernel_size[0] * layer.kernel.shape[2] * layer.filters
        elif isinstance(layer, keras.layers.Conv1D):
            total += 2 * layer.output.shape[1] * layer.kernel_size[0] * layer.kernel.shape[1] * layer.filters
    return total / 1e9


def gflop_per_hour(model: keras.Model) -> float | None:
    """GFLOP per hour of 3-component data as ``zoo.annotate`` windows it (the card's overlap), for a
    network of convolutions only (PhaseNet); ``None`` where other layers do arithmetic too."""
    if any(layer.weights and not isinstance(layer, _WEIGHTED) for layer in model.layers):
        return None
    card = model.zoo_card
    step = card.waveform.samples - card.annotation.overlap
    return conv_gflop(model) * 3600 * card.waveform.sampling_rate / step


def matmul_peak(size: int = 4096, calls: int = 7) -> float:
    """GFLOP/s of a ``size`` x ``size`` float32 matrix product on all cores (median of ``calls``)."""
    a, b = tf.random.normal((size, size)), tf.random.normal((size, size))
    product = tf.function(tf.matmul)
    product(a, b).numpy()
    seconds = []
    for _ in range(calls):
        start = time.perf_counter()
        product(a, b).numpy()
        seconds.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(seconds) / 1e9
