"""Annotation throughput: hours of 3-component 100 Hz data annotated per second of wall time.

Builds a synthetic 24-hour, 3-station stream (coloured noise with an impulsive arrival every
five minutes, int32 counts as a digitiser writes them), annotates it with each model and prints the
throughput and the process's peak resident memory.

    python benchmarks/annotate_throughput.py                      # every registered picker/detector
    python benchmarks/annotate_throughput.py --models phasenet --hours 6 --batch-size 64

Models with many windows per hour (GPD: one window every 10 samples) run on the first hours of
the stream only, at most ``--max-windows`` windows; hours per second is the same measure either way.
Weights come from ZOO_WEIGHTS_MIRROR / the cache as usual.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import obspy

import zoo
from zoo.runtime import tune_allocator


def synthetic_stream(hours: float, stations: int, rate: float = 100.0, seed: int = 0) -> obspy.Stream:
    """``stations`` three-component stations of ``hours`` of int32 counts at ``rate`` Hz."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 * rate)
    stream = obspy.Stream()
    for s in range(stations):
        for channel in ("HHZ", "HHN", "HHE"):
            noise = np.cumsum(rng.normal(0, 1, n).astype(np.float32)) * 0.05
            noise += rng.normal(0, 20, n).astype(np.float32)
            noise -= np.convolve(noise, np.ones(101, np.float32) / 101, mode="same")
            onsets = np.arange(int(60 * rate), n - int(20 * rate), int(300 * rate))
            t = np.arange(int(10 * rate)) / rate
            wavelet = 2000 * np.exp(-t / 2.0) * np.sin(2 * np.pi * 5 * t)
            for onset in onsets:
                noise[onset : onset + len(wavelet)] += wavelet.astype(np.float32)
            header = {"network": "SY", "station": f"S{s:02d}", "channel": channel, "sampling_rate": rate}
            stream += obspy.Trace(noise.astype(np.int32), header=header)
    return stream


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="phasenet,eqtransformer,cred,gpd")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--max-windows", type=int, default=30000)
    args = parser.parse_args()
    tune_allocator()
    stream = synthetic_stream(args.hours, args.stations)
    data_hours = args.hours * args.stations
    print(
        f"stream: {args.stations} stations x {args.hours:g} h x 3 components at 100 Hz ({data_hours:g} h of data)"
    )
    for name in args.models.split(","):
        if name not in zoo.list_models():
            print(f"{name:<14} not registered; skipped")
            continue
        model = zoo.load(name)
        card = model.zoo_card
        t0 = stream[0].stats.starttime
        zoo.annotate(model, stream.slice(t0, t0 + 600))
        step = (
            card.annotation.output_step
            if card.annotation.output_kind == "point"
            else card.waveform.samples - card.annotation.overlap
        )
        windows_per_hour = 3600 * card.waveform.sampling_rate / step * args.stations
        hours = min(args.hours, args.max_windows / windows_per_hour)
        part = stream.slice(t0, t0 + hours * 3600) if hours < args.hours else stream
        start = time.perf_counter()
        zoo.annotate(model, part, batch_size=args.batch_size)
        seconds = time.perf_counter() - start
        data_hours = hours * args.stations
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{name:<14} {data_hours:5.1f} h in {seconds:6.1f} s wall  {data_hours / seconds:7.2f} h of data per s  "
            f"peak RSS {peak_mib:,.0f} MiB (process so far)"
        )


if __name__ == "__main__":
    main()
