"""Plot one real STEAD trace before and after each augmentation, with its P/S/noise labels.

Usage: python examples/augmentations.py [augmentations.png] [--data ../shared/data] [--trace 0]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import zoo.augment as aug  # noqa: E402
from zoo.labels import phase_labels  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RATE = 100.0
WINDOW = 3000


def load(data: Path, n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``n`` demeaned, peak-normalised STEAD traces (6000 x 3, E N Z) and their P/S/noise labels."""
    folder = data / "stead50"
    meta = pd.read_csv(folder / "metadata.csv").iloc[:n]
    with h5py.File(folder / "waveforms.hdf5", "r") as f:
        x = np.stack([f[f"earthquake/local/{name}"][()] for name in meta.trace_name]).astype(np.float32)
    x -= x.mean(axis=1, keepdims=True)
    x /= np.abs(x).max(axis=(1, 2), keepdims=True)
    arrivals = meta[["p_arrival_sample", "s_arrival_sample"]].to_numpy(np.float32)
    return x, phase_labels(arrivals, x.shape[1], sampling_rate=RATE, width=0.2)


def _first_seed(predicate, tries: int = 200) -> list[int]:
    """The first seed ``[i, 0]`` for which ``predicate(seed)`` holds, so the effect shows on the plotted trace."""
    for i in range(tries):
        if predicate([i, 0]):
            return [i, 0]
    return [0, 0]


def variants(x: np.ndarray, y: np.ndarray, trace: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(title, waveforms, labels) for the original window and each augmentation."""
    start = 300
    xw, yw = x[:, start : start + WINDOW], y[:, start : start + WINDOW]
    rows = [(f"original ({start / RATE:g}-{(start + WINDOW) / RATE:g} s of the record)", xw, yw)]

    def add(title, augmentation, seed, source=(xw, yw)):
        xo, yo = augmentation(*source, seed)
        rows.append((title, np.asarray(xo), np.asarray(yo)))

    add("shift: 30 s cut from the 60 s record", aug.Shift(n_samples=WINDOW, keep_phases=True), [3, 0], (x, y))
    add("shift: wrap-around, up to 10 s", aug.Shift(max_shift=10.0), [1, 0])
    superpose = aug.Superpose(coda_factor=0.7)
    seed = _first_seed(lambda s: bool(superpose.draw(xw, yw, s)["active"][trace]))
    add("superimposed event from the batch (event end = S + 0.7 (S - P))", superpose, seed)
    add("Gaussian noise at 0-5 dB SNR", aug.AddNoise(snr_db=(0.0, 5.0)), [0, 0])
    for artefact in (
        aug.FalsePositive(kinds=("gap",), gap_duration=(3.0, 5.0), gap_value="constant"),
        aug.FalsePositive(kinds=("step",)),
        aug.FalsePositive(kinds=("boxcar",), boxcar_duration=(0.5, 2.0)),
    ):

        def visible(s, a=artefact):
            drawn = a.draw(xw, yw, s)
            return bool(drawn["active"][trace]) and 1800 < int(drawn["start"][trace]) < 2500

        add(f"false positive: {artefact.kinds[0]} (labels unchanged)", artefact, _first_seed(visible))
    add("channel dropout (kept components x 3 / components kept)", aug.ChannelDropout(), [2, 0])
    add("resampled by a factor in 0.8-1.25 (Fourier)", aug.RandomResample(), [1, 1])
    add("time stretch 0.8-1.25 (linear)", aug.TimeStretch(), [0, 0])
    add("band-pass in a random 1-octave band", aug.RandomBandpass(bandwidth=(1.0, 1.0)), [6, 0])
    add("polarity flip", aug.PolarityFlip(p_flip=1.0), [0, 0])
    add("horizontal rotation (random angle)", aug.RotateHorizontals(), [0, 0])
    mask = aug.ZeroMask(sampling_rate=RATE, duration=(3.0, 5.0))
    seed = _first_seed(lambda s: 1000 < int(mask.draw(xw, yw, s)["start"][trace]) < 1500)
    add("zero mask of 3-5 s (phase labels inside removed)", mask, seed)
    xc, _ = aug.ClipPair(level=(0.1, 0.2))(xw, yw, [0, 0])
    rows.append(("clipping pair: input clipped at 10-20 % of peak (target = original)", np.asarray(xc), yw))
    xd, _ = aug.DenoisePair(snr_db=(0.0, 0.0))(xw, yw, [0, 0])
    rows.append(("denoising pair: input at 0 dB SNR (target = original)", np.asarray(xd), yw))
    return rows


def plot(rows, trace: int, path: Path) -> None:
    fig, axes = plt.subplots(len(rows), 1, figsize=(11, 1.6 * len(rows)), sharex=True)
    t = np.arange(WINDOW) / RATE
    for ax, (title, xo, yo) in zip(axes, rows, strict=True):
        w = xo[trace] / max(float(np.abs(xo[trace]).max()), 1e-12)
        for c, (name, colour) in enumerate(zip("ENZ", ("0.55", "0.35", "k"), strict=True)):
            ax.plot(t, w[:, c] + 2.0 * (1 - c), lw=0.5, color=colour, label=name)
        ax.set_ylim(-3.2, 3.2)
        ax.set_yticks([2.0, 0.0, -2.0], labels=["E", "N", "Z"])
        lab = ax.twinx()
        for k, (name, colour) in enumerate(
            zip(("P", "S", "noise"), ("tab:blue", "tab:red", "tab:green"), strict=True)
        ):
            lab.plot(t, yo[trace, :, k], color=colour, lw=1.0, alpha=0.8 if k < 2 else 0.4, label=name)
        lab.set_ylim(-0.05, 1.3)
        lab.set_yticks([0, 1])
        ax.set_title(
            f"{title}   [peak {np.abs(xo[trace]).max():.2f}, shown normalised]", fontsize=9, loc="left"
        )
    axes[0].legend(loc="upper right", fontsize=7, ncol=3)
    lab.legend(loc="lower right", fontsize=7, ncol=3)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="augmentations.png", type=Path)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--trace", type=int, default=0, help="which of the first 8 traces to show")
    args = parser.parse_args()
    x, y = load(args.data)
    plot(variants(x, y, args.trace), args.trace, args.output)


if __name__ == "__main__":
    main()
