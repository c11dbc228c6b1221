"""bfloat16 against float32: pick agreement on real records, curve differences, throughput.

The 50 STEAD records of ``../shared/data/stead50`` (60 s each, E/N/Z at 100 Hz) are laid end to end
at five stations of ten records (10 min each). Each model classifies them in float32 and with
``precision="bfloat16"``; a bfloat16 pick agrees when float32 has a pick of the same phase at the same
instrument within one curve sample. Printed per model: picks, agreement both ways, the distribution of
``|bfloat16 - float32|`` over all curve samples, and hours of data per second for both precisions on the
synthetic stream of ``annotate_throughput.py`` (alternating runs, median and range, load average).

    python benchmarks/bfloat16_agreement.py --models phasenet,eqtransformer,cred ../shared/data/stead50
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import zoo  # before TensorFlow, as a user's script: it switches oneDNN on for AVX2 CPUs

# isort: split
import h5py
import numpy as np
import obspy
import pandas as pd
from annotate_throughput import synthetic_stream

from zoo.waveforms.curves import curves


def stead_stations(folder: Path, per_station: int = 10) -> obspy.Stream:
    """The records laid end to end, ``per_station`` per station (``XX.S0..HH?``, ``XX.S1..HH?``, ...)."""
    names = pd.read_csv(folder / "metadata.csv").trace_name.tolist()
    with h5py.File(folder / "waveforms.hdf5", "r") as f:
        records = [np.asarray(f[f"earthquake/local/{n}"], np.float32) for n in names]
    stream = obspy.Stream()
    for s in range(0, len(records), per_station):
        data = np.concatenate(records[s : s + per_station])
        for c, component in enumerate("ENZ"):
            header = {"network": "XX", "station": f"S{s // per_station}", "channel": f"HH{component}"}
            stream += obspy.Trace(np.ascontiguousarray(data[:, c]), {**header, "sampling_rate": 100.0})
    return stream


def agreement(a, b, tolerance: float) -> int:
    """How many picks of ``a`` have a pick of the same phase and instrument in ``b`` within ``tolerance`` s."""
    return sum(
        any(q.trace_id == p.trace_id and q.phase == p.phase and abs(q.time - p.time) <= tolerance for q in b)
        for p in a
    )


def compare(name: str, stream: obspy.Stream, synthetic: obspy.Stream, hours: float, repeats: int) -> None:
    model = zoo.load(name)
    f32, b16 = (zoo.classify(model, stream, precision=p) for p in ("float32", "bfloat16"))
    pairs = list(zip(curves(model, stream), curves(model, stream, precision="bfloat16")))
    step = 1.0 / pairs[0][0].sampling_rate
    diffs = np.concatenate([np.abs(x.values - y.values).ravel() for x, y in pairs])
    print(
        f"{name}: {len(f32)} float32 picks, {len(b16)} bfloat16 picks (card thresholds, 1 sample = {step:g} s)"
    )
    print(
        f"  agreeing within 1 sample: {agreement(b16, f32, step)}/{len(b16)} bfloat16 picks, "
        f"{agreement(f32, b16, step)}/{len(f32)} float32 picks"
    )
    q = np.percentile(diffs, [50, 90, 99, 99.9])
    print(
        f"  |bfloat16 - float32| over {len(diffs)} curve samples: median {q[0]:.1e}, 90 % {q[1]:.1e}, "
        f"99 % {q[2]:.1e}, 99.9 % {q[3]:.1e}, max {diffs.max():.1e}"
    )
    t0 = synthetic[0].stats.starttime
    runs = {"float32": [], "bfloat16": []}
    for precision in runs:
        zoo.annotate(model, synthetic.slice(t0, t0 + 600), precision=precision)
    for _ in range(repeats):
        for precision, found in runs.items():
            start = time.perf_counter()
            zoo.annotate(model, synthetic, precision=precision)
            found.append(hours / (time.perf_counter() - start))
    for precision, found in runs.items():
        print(
            f"  {precision:<9} median {statistics.median(found):.2f} h of data per s, "
            f"range {min(found):.2f}-{max(found):.2f} (load {os.getloadavg()[0]:.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stead", type=Path, help="the stead50 folder (metadata.csv, waveforms.hdf5)")
    parser.add_argument("--models", default="phasenet,eqtransformer")
    parser.add_argument("--hours", type=float, default=2.0, help="hours per station of the synthetic stream")
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    stream = stead_stations(args.stead)
    synthetic = synthetic_stream(args.hours, args.stations)
    for name in args.models.split(","):
        compare(name, stream, synthetic, args.hours * args.stations, args.repeats)


if __name__ == "__main__":
    main()
