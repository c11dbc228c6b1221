"""Annotation throughput: hours of 3-component 100 Hz data annotated per second of wall time.

Builds a synthetic 24-hour, 3-station stream (coloured noise with an impulsive arrival every
five minutes, int32 counts as a digitiser writes them), annotates it with each model and prints the
throughput and the process's peak resident memory. The library runs as a user's script runs it (no
allocator tuning).

    python benchmarks/annotate_throughput.py                      # every registered picker/detector
    python benchmarks/annotate_throughput.py --models phasenet --hours 6 --batch-size 64
    python benchmarks/annotate_throughput.py --models phasenet,eqtransformer \
        --compare-seisbench /path/to/seisbench-venv/bin/python --repeats 3

``--compare-seisbench PYTHON`` writes the stream to MiniSEED, reads it back, and alternates
``zoo.annotate`` with SeisBench's ``annotate`` of the same model class (random weights, SeisBench's
default batch size, geozoo's overlap) run by ``benchmarks/seisbench_annotate.py`` in ``PYTHON``; it
prints the median and range of both, their ratio and the load average. For a network of convolutions
only (PhaseNet) it also prints the FLOP-limit share: its counted arithmetic per second over the rate of
a 4096 x 4096 float32 matrix product measured after each run (``flops.py``).

An AVX2 CPU's figures on an AVX-512 machine: cap both libraries' kernels at AVX2 (oneDNN's for
TensorFlow and PyTorch, ATen's, and XLA's code for EQTransformer's compiled middle and the normalisation;
the SeisBench interpreter inherits the variables). The printed lines say which caps were in effect. It
is an emulation: the same kernels an AVX2 CPU runs, on this machine's cores, caches and clock.

    ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 XLA_FLAGS=--xla_cpu_max_isa=AVX2 \
        python benchmarks/annotate_throughput.py --models phasenet --compare-seisbench PYTHON

Models with many windows per hour (GPD: one window every 10 samples) run on the first hours of
the stream only, at most ``--max-windows`` windows; hours per second is the same measure either way.
Weights come from ZOO_WEIGHTS_MIRROR / the cache as usual.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

import zoo  # before TensorFlow, as a user's script: it switches oneDNN on for AVX2 CPUs

# isort: split
import numpy as np
import obspy
from flops import gflop_per_hour, matmul_peak


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


SEISBENCH_CLASSES = {"phasenet": "PhaseNet", "eqtransformer": "EQTransformer", "gpd": "GPD", "cred": "CRED"}
"""geozoo model -> the SeisBench class ``--compare-seisbench`` runs beside it."""


ISA_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "XLA_FLAGS")
"""Environment variables that cap the kernels' instruction set (an AVX2 CPU emulated, see above)."""


def load_average() -> str:
    """The 1-minute load average (other users of the machine), for the printed figures."""
    return f"{os.getloadavg()[0]:.2f}"


def isa_caps() -> str:
    """The instruction-set caps in effect (``ONEDNN_MAX_CPU_ISA`` etc.), for the printed figures."""
    caps = [f"{name}={os.environ[name]}" for name in ISA_VARIABLES if os.environ.get(name)]
    return ", ".join(caps) if caps else "none"


def throughput(model, stream, hours: float, batch_size: int) -> float:
    """Hours of data annotated per second of wall time, one run."""
    start = time.perf_counter()
    zoo.annotate(model, stream, batch_size=batch_size)
    return hours / (time.perf_counter() - start)


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):6.2f}  range {min(values):.2f}-{max(values):.2f}"


def compare_seisbench(python: str, names: list[str], stream, hours: float, args) -> None:
    """Alternate geozoo and SeisBench (in ``python``) on the same MiniSEED stream; print both and the ratio."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seisbench_annotate.py")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stream.mseed")
        stream.write(path, format="MSEED")
        stream = obspy.read(path)
        t0 = stream[0].stats.starttime
        for name in names:
            if name not in SEISBENCH_CLASSES:
                print(f"{name:<14} has no SeisBench counterpart here; skipped")
                continue
            model = zoo.load(name)
            overlap = model.zoo_card.annotation.overlap
            zoo.annotate(model, stream.slice(t0, t0 + 600))
            child = subprocess.Popen(
                [python, script, path, SEISBENCH_CLASSES[name], str(overlap)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            print(
                f"{name}: {child.stdout.readline().strip()}, overlap {overlap} samples, load {load_average()}"
            )
            ours, theirs, shares = [], [], []
            per_hour = gflop_per_hour(model)
            for _ in range(args.repeats):
                ours.append(throughput(model, stream, hours, args.batch_size))
                if per_hour is not None:
                    shares.append((ours[-1] * per_hour, matmul_peak()))
                child.stdin.write("run\n")
                child.stdin.flush()
                theirs.append(hours / float(child.stdout.readline()))
            child.stdin.write("quit\n")
            child.stdin.close()
            child.wait()
            ratios = [a / b for a, b in zip(ours, theirs)]
            print(f"  geozoo     {spread(ours)} h of data per s")
            print(f"  SeisBench  {spread(theirs)} h of data per s")
            print(
                f"  ratio      {statistics.median(ours) / statistics.median(theirs):.2f}x of the medians "
                f"(per pair {min(ratios):.2f}-{max(ratios):.2f}x), load {load_average()} at the end"
            )
            if shares:
                percent = [100 * rate / peak for rate, peak in shares]
                print(
                    f"  FLOP share {statistics.median(percent):.0f} % of the float32 matrix-product peak "
                    f"(per run {min(percent):.0f}-{max(percent):.0f} %; geozoo "
                    f"{statistics.median(r for r, _ in shares):.0f} GFLOP/s at {per_hour:.2f} GFLOP per hour "
                    f"of data, peak {statistics.median(p for _, p in shares):.0f} GFLOP/s measured after each run)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="phasenet,eqtransformer,cred,gpd")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--max-windows", type=int, default=30000)
    parser.add_argument(
        "--compare-seisbench",
        metavar="PYTHON",
        help="a Python interpreter with seisbench and torch: alternate runs with it on the same stream",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="alternating runs per model with --compare-seisbench"
    )
    args = parser.parse_args()
    stream = synthetic_stream(args.hours, args.stations)
    data_hours = args.hours * args.stations
    print(
        f"stream: {args.stations} stations x {args.hours:g} h x 3 components at 100 Hz "
        f"({data_hours:g} h of data); instruction-set caps: {isa_caps()}"
    )
    if args.compare_seisbench:
        compare_seisbench(args.compare_seisbench, args.models.split(","), stream, data_hours, args)
        return
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
