"""Where annotation time goes: each stage of the waveform path timed on its own.

Runs the stages of ``zoo.annotate`` one after another on the synthetic stream of
``annotate_throughput.py`` (24 h x 3 stations by default) and prints seconds per stage and their share
of the sum; then the whole ``zoo.waveforms.curves`` path (stages overlapped as the library runs them).

    python benchmarks/annotate_profile.py --models phasenet,eqtransformer --hours 24 --stations 3

Stages: ``segments`` (ObsPy traces -> float32 segments), ``batches`` (spans and offsets cut from the
segments), ``gather+normalise`` (windows gathered from the span and normalised, in TensorFlow; compiled
by XLA where the card says so), ``network`` (the card's inference network on those windows, one call at a
time with both cores), ``postprocess`` (none where the inference copy includes it), ``to NumPy`` (the
outputs handed to the host) and ``stacking`` (window outputs onto curves). The network stage is also given as GFLOP/s
(PhaseNet: counted convolution multiply-adds x 2; other models: ``--gflop`` per window if known).
"""

from __future__ import annotations

import argparse
import time

import zoo  # before TensorFlow, as a user's script: it switches oneDNN on for AVX2 CPUs

# isort: split
import numpy as np
import tensorflow as tf
from annotate_throughput import synthetic_stream
from flops import conv_gflop

from zoo.models.constant_weights import use_constant_weights
from zoo.waveforms.curves import curves
from zoo.waveforms.predict import normalized_windows
from zoo.waveforms.segments import segments
from zoo.waveforms.stacking import Stacker
from zoo.waveforms.windows import batches, fit_segments, segment_starts


def profile(name: str, stream, batch_size: int) -> None:
    model = zoo.load(name)
    card = model.zoo_card
    waveform, annotation = card.waveform, card.annotation
    network, finish = annotation.label_network(model)
    if annotation.inference_model is not None:
        use_constant_weights(network)  # as the predict function's private copy
    window = waveform.samples
    list(curves(model, stream.slice(stream[0].stats.starttime, stream[0].stats.starttime + 600)))
    times: dict[str, float] = {}

    def timed(stage, fn, *args):
        t = time.perf_counter()
        out = fn(*args)
        times[stage] = times.get(stage, 0.0) + time.perf_counter() - t
        return out

    segs = timed("segments", segments, stream, waveform)
    fitted = fit_segments(segs, window)
    segs = [s for s, _ in fitted]
    starts = segment_starts(segs, window, annotation, annotation.overlap, annotation.output_step)

    @tf.function(reduce_retracing=True)
    def gather_normalise(span, offsets):
        return normalized_windows(waveform, span, offsets)

    @tf.function(reduce_retracing=True)
    def run_network(x):
        return network(x, training=False)

    post = tf.function(finish, reduce_retracing=True)
    stackers = [None] * len(segs)
    received = [0] * len(segs)
    n_windows = 0
    for span, offsets, owners in timed("batches", lambda: list(batches(segs, starts, window, batch_size))):
        x = timed("gather+normalise", lambda s=span, o=offsets: gather_normalise(s, o).numpy())
        y = timed("network", lambda x=x: run_network(x))
        y = timed("postprocess", lambda y=y: post(y))
        y = timed("to NumPy", lambda y=y: y.numpy())
        n_windows += len(offsets)
        for i in np.unique(owners):
            rows = owners == i
            if stackers[i] is None:
                stackers[i] = Stacker(starts[i], len(segs[i].data), annotation, y.shape[1], y.shape[2])
            timed("stacking", stackers[i].add, y[rows], received[i])
            received[i] += int(rows.sum())
    total = sum(times.values())
    data_hours = sum(len(s.data) for s in segs) / waveform.sampling_rate / 3600
    print(f"{name}: {n_windows} windows, batch {batch_size}, {data_hours:.1f} h of data")
    for stage, seconds in times.items():
        print(f"  {stage:<17} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    gflop = conv_gflop(model) * n_windows  # the original network's work, whatever the inference copy does
    print(f"  {'sum':<17} {total:7.2f} s  -> {data_hours / total:.2f} h/s run stage by stage")
    print(f"  network: {gflop / times['network']:.0f} GFLOP/s on {gflop:.0f} GFLOP of convolutions")
    t = time.perf_counter()
    for _ in curves(model, segs, batch_size=batch_size):
        pass
    seconds = time.perf_counter() - t
    print(
        f"  curves() on the same segments (stages overlapped): {seconds:.2f} s -> {data_hours / seconds:.2f} h/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="phasenet,eqtransformer")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    stream = synthetic_stream(args.hours, args.stations)
    for name in args.models.split(","):
        profile(name, stream, args.batch_size)


if __name__ == "__main__":
    main()
