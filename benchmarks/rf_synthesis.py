"""Receiver functions synthesised per second on this machine (zoo.synth, NumPy, one process).

Run: ``python benchmarks/rf_synthesis.py [--batch 4000] [--repeats 3]``. Prints, for the raw
synthesiser (noise-free, 10 Hz, -5..60 s, 800-km model) and for the xdisc image generator (5 Hz,
600-km model, with coloured noise), the best rate over the repeats.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from zoo.synth.receiver_functions import synthesize
from zoo.synth.rf_images import N_TRACES, random_images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=4000, help="Receiver functions per call.")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    best_raw = best_img = 0.0
    for _ in range(args.repeats):
        p = rng.uniform(0.04, 0.08, args.batch)
        start = time.perf_counter()
        synthesize(
            "ak135",
            p,
            moho_depth=rng.uniform(25, 50, args.batch),
            vpvs=rng.uniform(1.65, 1.9, args.batch),
            x_depth=rng.uniform(250, 350, args.batch),
            x_dvs=0.04,
        )
        best_raw = max(best_raw, args.batch / (time.perf_counter() - start))
        n_images = max(1, args.batch // N_TRACES)
        start = time.perf_counter()
        random_images("ak135", n_images, seed=int(rng.integers(1 << 30)))
        best_img = max(best_img, n_images * N_TRACES / (time.perf_counter() - start))
    print(f"synthesize (10 Hz, 650 samples, 800 km, batch {args.batch}): {best_raw:,.0f} RFs/s")
    print(f"random_images (5 Hz, 325 samples, 600 km, with noise): {best_img:,.0f} RFs/s")


if __name__ == "__main__":
    main()
