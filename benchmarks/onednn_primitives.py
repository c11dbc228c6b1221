"""Where a network's time goes inside oneDNN: each primitive's time per call, as oneDNN itself times it.

Runs a model's annotation predict function (the same compiled function and inference copy that
``zoo.annotate`` runs) on a batch of windows in a child process with ``ONEDNN_VERBOSE=1``, and sums
oneDNN's own execution times per primitive (convolutions, matrix products, reorders) over the timed
calls. Convolutions are also given as GFLOP/s of the arithmetic they execute (which includes the zero
taps of mapped kernels: a paired 8-filter convolution executes 1.43 times its layer's multiply-adds).
What oneDNN does not run (XLA's normalisation, element-wise TensorFlow ops, gathers) is the difference
between the wall time per call and the primitives' sum. Per-primitive times carry oneDNN's logging
overhead: compare rows, not totals with other benchmarks.

    python benchmarks/onednn_primitives.py --model phasenet --windows 64
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import defaultdict

MARK = "zoo-benchmark-timed-calls"


def child(name: str, windows: int, calls: int) -> None:
    """Runs in the child process: warm up, print the marker, then the timed calls and the wall time."""
    import zoo  # before TensorFlow, as a user's script

    # isort: split
    import numpy as np

    from zoo.waveforms.predict import predict_function

    model = zoo.load(name)
    card = model.zoo_card
    predict = predict_function(model, card)
    window = card.waveform.samples
    span = np.random.default_rng(0).normal(0, 100, (windows * window, len(card.waveform.components)))
    span, offsets = span.astype("float32"), (np.arange(windows) * window).astype("int32")
    for _ in range(3):
        predict(span, offsets)
    print(MARK, flush=True)
    start = time.perf_counter()
    for _ in range(calls):
        predict(span, offsets).numpy()
    print(f"{MARK} wall {(time.perf_counter() - start) / calls * 1000:.3f}", flush=True)


def executed_gflop(problem: str) -> float | None:
    """Executed GFLOP of a oneDNN convolution descriptor such as ``mb64_ic16oc16_..._iw1500ow1500kw5...``."""
    sizes = {key: int(value) for key, value in re.findall(r"([a-z]+)(\d+)", problem)}
    if not {"mb", "ic", "oc", "ow", "kw"} <= sizes.keys():
        return None
    outputs = sizes["mb"] * sizes["oc"] * sizes.get("oh", 1) * sizes["ow"]
    taps = sizes["ic"] // sizes.get("g", 1) * sizes.get("kh", 1) * sizes["kw"]
    return 2e-9 * outputs * taps


def summarise(log: str, calls: int) -> None:
    """Prints the per-primitive table of the verbose lines after the marker."""
    timed = log.split(MARK, 1)[1]
    wall = float(re.search(rf"{MARK} wall ([\d.]+)", log).group(1))
    totals: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for line in timed.splitlines():
        fields = line.split(",")
        if len(fields) < 8 or fields[0] != "onednn_verbose" or fields[2:4] != ["primitive", "exec"]:
            continue
        key = (fields[5], fields[6], fields[-2])
        totals[key][0] += 1
        totals[key][1] += float(fields[-1])
    summed = sum(total for _, total in totals.values()) / calls
    rest = wall - summed
    print(
        f"wall {wall:.2f} ms per call; oneDNN primitives {summed:.2f} ms (as logged), the rest {rest:.2f} ms"
    )
    print(f"{'ms/call':>8} {'share':>6} {'n':>3} {'GFLOP/s':>8}  primitive  implementation  problem")
    for (kind, implementation, problem), (count, total) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        ms = total / calls
        gflop = executed_gflop(problem) if kind == "convolution" else None
        rate = f"{gflop * (count / calls) / ms * 1000:8.0f}" if gflop else f"{'':8}"
        print(f"{ms:8.3f} {ms / summed:6.1%} {count // calls:3d} {rate}  {kind}  {implementation}  {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="phasenet")
    parser.add_argument("--windows", type=int, default=64, help="windows per call (annotate: 64 per call)")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.model, args.windows, args.calls)
        return
    command = [sys.executable, __file__, "--child", "--model", args.model]
    command += ["--windows", str(args.windows), "--calls", str(args.calls)]
    log = subprocess.run(
        command, env={**os.environ, "ONEDNN_VERBOSE": "1"}, capture_output=True, text=True, check=True
    ).stdout
    print(f"{args.model}: {args.windows} windows per call, {args.calls} calls")
    summarise(log, args.calls)


if __name__ == "__main__":
    main()
