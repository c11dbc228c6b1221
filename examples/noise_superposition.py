"""Noise superposition: does training with added real noise keep the picker's recall at low SNR?

PhaseNet's original weights are fine-tuned twice for the same number of steps on the training split of the
real traces (STEAD + NCEDC, split by event): once without augmentation and once with real noise added
(``zoo.augment.AddNoise``, to half of the traces, SNR drawn uniformly in -5...10 dB). The noise bank is
the 30 s before P of every NCEDC training record (58 x 3000 samples x 3 components, labelled P at sample
3000). Both models, and the original weights for reference, then pick on the held-out traces (dev + test
splits, three fixed 30-s windows per trace) as they are and with held-out noise added at 10, 5, 0 and
-5 dB: the noise is the 30 s before P of the held-out NCEDC records, so no test noise was seen in training.
SNR follows ``zoo.augment``: ``10 log10(mean(x^2) / mean(n^2))`` over the whole 30-s window, ``x`` the trace
and ``n`` the added noise.

Fine-tuning: 1,000 steps of 16 random-shift windows, Adam 3e-4 after a 20-step warm-up, seed 0 for both runs.
Picks: in each window, the peak of the P (S) curve if it reaches PhaseNet's threshold 0.3; a hit when it lies
within 0.1 s of the labelled arrival (``zoo.metrics.pick_scores``; see ``_experiment.py``).

Expected: recall falls as the SNR drops for every model, and less with the noise-augmented model, whose
recall at 0 and -5 dB is higher than the model fine-tuned without noise.

Outputs in OUT: ``noise_superposition.md`` / ``noise_superposition.csv`` (P and S recall, precision and F1
per model and SNR) and ``noise_superposition.png`` (recall vs. SNR).

Run time: about 3 minutes on 2 shared CPU cores (2 x 1,000 steps of batch 16, 3 x 5 x 78 test windows);
``--quick`` (25 steps, 26 test windows) under a minute.

Usage: python examples/noise_superposition.py OUT [--overwrite] [--quick] [--steps 1000] [--seed 0]
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from _experiment import (
    WINDOW,
    Timer,
    fine_tuned_models,
    fine_tuning_data,
    parser,
    plot_phases,
    prepare,
    record_arrays,
    score_table,
    write_report,
)

from zoo.augment import AddNoise, Pipeline
from zoo.train.windows import ARRIVAL_KEYS, WAVEFORM

SNR_DB = (10.0, 5.0, 0.0, -5.0)
"""Test SNR levels in dB (besides the traces as recorded)."""
TRAIN_SNR_DB = (-5.0, 10.0)
OUTPUTS = ("noise_superposition.md", "noise_superposition.csv", "noise_superposition.png")


def noise_bank(splits: list[str], data) -> np.ndarray:
    """The 30 s before P of the NCEDC records of ``splits``: ``[R, 3000, 3]`` float32 (E, N, Z)."""
    arrays = record_arrays(splits, data)
    if np.nanmin(arrays[ARRIVAL_KEYS[0]]) < WINDOW:
        raise ValueError(f"every NCEDC record needs {WINDOW} samples before P to serve as noise.")
    return arrays[WAVEFORM][:, :WINDOW].astype(np.float32)


def noisy(x: np.ndarray, bank: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    """``x`` with a window of ``bank`` added at ``snr_db`` (fixed seed: the same noise for every model)."""
    y = tf.zeros_like(x[..., :1])
    noise = AddNoise(snr_db=(snr_db, snr_db), noise=bank)
    return noise(x, y, [seed, round(snr_db * 10)])[0].numpy()


def main() -> None:
    args = parser(__doc__, steps=1000).parse_args()
    paths = prepare(args, OUTPUTS)
    timer = Timer()
    train, windows, test_note = fine_tuning_data(args)
    train_bank, test_bank = noise_bank(["train"], args.data), noise_bank(["dev", "test"], args.data)
    augment = Pipeline([AddNoise(p=0.5, snr_db=TRAIN_SNR_DB, noise=train_bank)])
    models, setup = fine_tuned_models(
        train, {"fine-tuned": None, "fine-tuned + noise": augment}, args.steps, args.seed
    )
    inputs = {"as recorded": windows[WAVEFORM]}
    inputs.update({f"{snr:g}": noisy(windows[WAVEFORM], test_bank, snr, args.seed) for snr in SNR_DB})
    table = score_table(models, windows, inputs, "SNR", ("recall", "precision", "F1"))
    plot_phases(table, "recall", paths["noise_superposition.png"], bars=False,
                xlabel="SNR of the test traces (dB, added held-out noise)", ylabel="recall (hit within 0.1 s)",
                title="Noise superposition: PhaseNet fine-tuned with and without real noise, held-out traces")  # fmt: skip
    notes = [
        setup[0]
        + f" Noise augmentation: p = 0.5 per trace, SNR uniform in {TRAIN_SNR_DB[0]:g}...{TRAIN_SNR_DB[1]:g} "
        f"dB, real noise from {len(train_bank)} NCEDC training records (30 s before P).",
        test_note + f" Added noise: the 30 s before P of {len(test_bank)} held-out NCEDC records; "
        "SNR = 10 log10(mean(x^2)/mean(n^2)) over the window.",
        setup[1],
    ]
    write_report(
        table,
        paths,
        "noise_superposition",
        "Noise superposition: pick scores on held-out traces with added noise",
        notes,
        timer,
    )


if __name__ == "__main__":
    main()
