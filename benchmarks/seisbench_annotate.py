"""SeisBench's side of ``annotate_throughput.py --compare-seisbench``: run in the user's SeisBench interpreter.

Not imported by geozoo (it needs only ``seisbench``, ``torch`` and ``obspy``). It reads a MiniSEED file,
builds a SeisBench model with random weights (speed does not depend on them) and then, for every line
``run`` on standard input, annotates the whole stream once and prints the wall seconds; ``quit`` ends it.
The first annotation (a warm-up on ten minutes) runs before ``ready`` is printed.

    /path/to/seisbench-venv/bin/python benchmarks/seisbench_annotate.py day.mseed PhaseNet 1500
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    path, name, overlap = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import obspy
    import seisbench
    import seisbench.models as sbm
    import torch

    stream = obspy.read(path)
    model = getattr(sbm, name)().eval()
    t0 = stream[0].stats.starttime
    model.annotate(stream.slice(t0, t0 + 600), overlap=overlap)
    print(
        f"ready seisbench {seisbench.__version__} torch {torch.__version__} "
        f"threads {torch.get_num_threads()} vectors {torch.backends.cpu.get_cpu_capability()}"
    )
    sys.stdout.flush()
    for line in sys.stdin:
        if line.strip() != "run":
            break
        start = time.perf_counter()
        model.annotate(stream, overlap=overlap)
        print(f"{time.perf_counter() - start:.3f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
