"""Working memory of ``zoo.classify``: peak resident memory above model + input, by number of stations.

Each configuration runs in a fresh interpreter: it loads the model, builds the synthetic stream of
``annotate_throughput.py`` (int32 counts, 100 Hz), runs a warm-up on ten minutes of it, then
records the resident set size (RSS) before ``zoo.classify`` on the whole stream and its peak while it
runs (sampled every 2 ms from ``/proc/self/statm``). Working memory is the peak minus that baseline:
what the run needs beyond the loaded model and the input the user already holds. No allocator tuning
(the library is run as a user's script would run it).

    python benchmarks/classify_memory.py --models phasenet,eqtransformer --hours 24 --stations 1,3
    python benchmarks/classify_memory.py --models eqtransformer --stations 3 --batch-size 64
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    """The process's resident set size in MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


def measure(name: str, hours: float, stations: int, batch_size: int) -> None:
    """Print ``name stations baseline peak working picks seconds`` for one configuration (child process)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from annotate_throughput import synthetic_stream

    import zoo

    model = zoo.load(name)
    stream = synthetic_stream(hours, stations)
    t0 = stream[0].stats.starttime
    zoo.classify(model, stream.slice(t0, t0 + 600))
    baseline = rss_mib()
    peak = [baseline]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    picks = zoo.classify(model, stream, batch_size=batch_size)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    peak[0] = max(peak[0], rss_mib())
    print(
        f"{name} {stations} {baseline:.0f} {peak[0]:.0f} {peak[0] - baseline:.0f} {len(picks)} {seconds:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="phasenet,eqtransformer")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--stations", default="1,3", help="comma-separated station counts")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=128,
        help="windows in the network at once (zoo.classify's batch_size)",
    )
    parser.add_argument(
        "--child", nargs=4, metavar=("MODEL", "HOURS", "STATIONS", "BATCH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        measure(args.child[0], float(args.child[1]), int(args.child[2]), int(args.child[3]))
        return
    print(
        f"zoo.classify working memory, {args.hours:g} h per station, 3 components at 100 Hz, "
        f"batch {args.batch_size}"
    )
    print(
        f"{'model':<14} {'stations':>8} {'baseline':>9} {'peak':>7} {'working':>8} {'picks':>6} {'wall':>7}"
    )
    for name in args.models.split(","):
        for stations in (int(s) for s in args.stations.split(",")):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    name,
                    str(args.hours),
                    str(stations),
                    str(args.batch_size),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            _, _, baseline, peak, working, picks, seconds = out[-7:]
            print(
                f"{name:<14} {stations:>8} {baseline:>5} MiB {peak:>3} MiB {working:>4} MiB {picks:>6} {seconds:>5} s"
            )


if __name__ == "__main__":
    main()
