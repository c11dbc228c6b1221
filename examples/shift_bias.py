"""Random-shift bias: does a picker only find P where its training windows put it?

Three PhaseNet models are trained from scratch (random initialisation, the full published network; 1,000
steps of batch 16 are enough for it to pick P on held-out records) for the same budget of optimizer steps on
the NCEDC training records, which differ only in where the 30-s training window puts the P arrival:

- ``no shift``: P always 12.5 s after the window start;
- ``limited shift``: P uniformly between 10 and 15 s;
- ``full shift``: anywhere in the window that keeps P and S inside (about 0-29 s).

Only the NCEDC records are used for this experiment: they hold 30 s before P and 60 s after it, so every
P position in a 30-s window is a real cut of the record (the 60-s STEAD traces cannot put P after ~5-15 s).
Then each held-out NCEDC record (dev + test splits) is slid across the window, P placed at 0.5, 0.75, ...
29.5 s, and the P activation at the true arrival (the largest P probability within 0.1 s of the labelled
arrival) is plotted against the arrival's position in the window (the layout of the random-shift figure of
the seismic data-augmentation review: activation vs. P position, one curve per training scheme).

Expected: the no-shift model responds strongly only near 12.5 s, the limited-shift model over about
10-15 s, and the full-shift model about equally everywhere (a flat curve). PhaseNet downsamples four times
by 4 (256 samples = 2.56 s), so a model that saw P at one position can also respond at positions a multiple
of 2.56 s away, where the network's internal grid looks the same.

Outputs in OUT: ``shift_bias.md`` / ``shift_bias.csv`` (mean activation per 5-s band of P positions, on and
off the 2.56-s grid through 12.5 s, and the fraction of windows whose P pick - the peak of the P curve if it
reaches 0.3 - lands within 0.1 s of the arrival), ``shift_bias_curve.csv`` (the plotted curves) and
``shift_bias.png``.

Run time: about 4.5 minutes on 2 shared CPU cores (3 x 1,000 steps of batch 16 plus 3 x 2,223 test windows);
``--quick`` (50 steps, 15 positions) about 1 minute.

Usage: python examples/shift_bias.py OUT [--overwrite] [--quick] [--steps 1000] [--seed 0]
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _experiment import (  # noqa: E402
    PICK_DEFINITION,
    RATE,
    THRESHOLD,
    TOLERANCE,
    WINDOW,
    Timer,
    loss_note,
    parser,
    predict,
    prepare,
    record_arrays,
    records,
    train_steps,
    write_report,
)

import zoo  # noqa: E402
from zoo.train.windows import ARRIVAL_KEYS, NAME, WAVEFORM  # noqa: E402

SCHEMES = {"no shift (P at 12.5 s)": 12.5, "limited shift (P at 10-15 s)": (10.0, 15.0), "full shift": None}
STRIDE_S = 2.56
"""PhaseNet's total downsampling (4 x 4 x 4 x 4 = 256 samples) in seconds."""
BANDS = [(0, 5), (5, 10), (10, 15), (15, 20), (20, 25), (25, 30)]
OUTPUTS = ("shift_bias.md", "shift_bias.csv", "shift_bias_curve.csv", "shift_bias.png")


def slide(records: dict[str, np.ndarray], positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Windows ``[R * len(positions), WINDOW, 3]`` with each record's P at each position (s), and P samples."""
    windows, arrivals = [], []
    for x, p in zip(records[WAVEFORM], records[ARRIVAL_KEYS[0]]):
        for t in positions:
            start = int(round(p - t * RATE))
            if start < 0 or start + WINDOW > len(x):
                raise ValueError(
                    f"a record with P at sample {p} cannot put P at {t} s of a {WINDOW}-sample window."
                )
            windows.append(x[start : start + WINDOW])
            arrivals.append(round(t * RATE))
    return np.stack(windows), np.array(arrivals)


def activation(curves: np.ndarray, arrivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest P probability within :data:`TOLERANCE` of each arrival, and whether the P peak lies there."""
    half = round(TOLERANCE * RATE)
    p = curves[..., 0]
    near = np.stack([p[i, a - half : a + half + 1].max() for i, a in enumerate(arrivals)])
    hit = (np.abs(p.argmax(axis=1) - arrivals) <= half) & (p.max(axis=1) >= THRESHOLD)
    return near, hit


def stride_grid(positions: np.ndarray, anchor: float = 12.5) -> np.ndarray:
    """Which P positions (s) lie within half a grid step (0.125 s) of ``anchor + k * STRIDE_S``."""
    offset = (positions - anchor) / STRIDE_S
    return np.abs(offset - np.round(offset)) * STRIDE_S <= 0.125


def plot(curve: pd.DataFrame, path) -> None:
    fig, ax = plt.subplots(figsize=(8, 5.2))
    for (name, position), color in zip(SCHEMES.items(), ("C0", "C1", "C2")):
        rows = curve[curve["model"] == name]
        ax.plot(rows["p_position_s"], rows["mean"], color=color, label=name)
        ax.fill_between(rows["p_position_s"], rows["q25"], rows["q75"], color=color, alpha=0.2)
        if isinstance(position, tuple):
            ax.axvspan(*position, color=color, alpha=0.08)
        elif position is not None:
            ax.axvline(position, color=color, ls="--", lw=0.8)
            aliases = position + STRIDE_S * np.arange(-5, 7)
            ax.plot(aliases, np.full(len(aliases), 0.99), "v", color=color, ms=4,
                    label=f"P at 12.5 s ± n x {STRIDE_S} s (PhaseNet's total stride)")  # fmt: skip
    ax.set(
        xlabel="P arrival position in the 30-s window (s)",
        ylabel="P probability at the true arrival (max within ±0.1 s)",
        xlim=(0, 30),
        ylim=(0, 1),
        title="Random-shift bias: PhaseNet trained from scratch, held-out NCEDC records (mean, 25-75 %)",
    )
    ax.title.set_fontsize(9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main() -> None:
    args = parser(__doc__, steps=1000, quick_steps=50).parse_args()
    paths = prepare(args, OUTPUTS)
    timer = Timer()
    positions = np.arange(1.0, 29.6, 2.0) if args.quick else np.arange(0.5, 29.6, 0.25)
    train = records(["train"], args.data, sources=["ncedc/train"])
    test = record_arrays(["dev", "test"], args.data)
    windows, arrivals = slide(test, positions)
    n_records = len(test[NAME])
    curves, rows, losses = [], [], {}
    for name, position in SCHEMES.items():
        model = zoo.load("phasenet", pretrained=False)
        losses[name] = train_steps(model, train, None, args.steps, args.seed, p_position=position)
        near, hit = activation(predict(model, windows), arrivals)
        near, hit = near.reshape(n_records, -1), hit.reshape(n_records, -1)
        curves.append(pd.DataFrame({
            "model": name, "p_position_s": positions, "mean": near.mean(0),
            "q25": np.quantile(near, 0.25, axis=0), "q75": np.quantile(near, 0.75, axis=0),
            "hit_rate": hit.mean(0),
        }))  # fmt: skip
        row = {"model": name}
        for lo, hi in BANDS:
            band = (positions >= lo) & (positions < hi)
            row[f"{lo}-{hi} s"] = float(near[:, band].mean())
        on_grid = stride_grid(positions)
        for label, mask in (("on 2.56-s grid", on_grid), ("off grid", ~on_grid)):
            row[label] = float(near[:, mask].mean()) if mask.any() else float("nan")
        row["P hit rate"] = float(hit.mean())
        row["final loss"] = losses[name][-1]
        rows.append(row)
    curve = pd.concat(curves, ignore_index=True)
    curve.to_csv(paths["shift_bias_curve.csv"], index=False)
    plot(curve, paths["shift_bias.png"])
    notes = [
        f"PhaseNet from scratch, {args.steps} steps of batch 16 (Adam 1e-3) on {int(train.cardinality())} "
        "NCEDC training records; "
        f"tested on {n_records} held-out NCEDC records x {len(positions)} P positions.",
        "Columns: mean P probability at the true arrival (max within 0.1 s) for P positions in each 5-s band, "
        f"then at the positions within 0.125 s of 12.5 s + k x {STRIDE_S} s (PhaseNet's total stride, "
        "k = -4...6) and at all other positions; "
        f"P hit rate = fraction of windows whose P peak is >= 0.3 and within {TOLERANCE} s of the arrival "
        f"({PICK_DEFINITION}); final loss = training loss over the last 25 steps.",
        loss_note(losses),
    ]
    write_report(
        pd.DataFrame(rows).set_index("model"),
        paths,
        "shift_bias",
        "Random-shift bias: P activation vs. P position in the window",
        notes,
        timer,
    )


if __name__ == "__main__":
    main()
