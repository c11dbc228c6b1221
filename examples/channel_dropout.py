"""Channel dropout: can a fine-tuned picker still pick when components are missing?

PhaseNet's original weights are fine-tuned twice for the same number of steps on the training split of the
real traces (STEAD + NCEDC, split by event): once without augmentation and once with channel dropout
(``zoo.augment.ChannelDropout``: for half of the traces, one or two of the three components set to zero).
Both models (and the original weights, for reference) are then scored on the held-out traces (dev + test
splits, three fixed 30-s windows per trace) with only some components kept, the others zero-filled as
``zoo.annotate`` does for a missing component: Z, E, N, EN and ENZ.

Fine-tuning: 1,000 steps of 16 random-shift windows, Adam 3e-4 after a 20-step warm-up, seed 0 for both runs.
Picks: in each window, the peak of the P (S) curve if it reaches PhaseNet's threshold 0.3; a hit when it lies
within 0.1 s of the labelled arrival (``zoo.metrics.pick_scores``; see ``_experiment.py``).

Expected: with channel dropout the scores on one or two components (Z, E, N, EN) are higher than without
it, while the three-component (ENZ) scores stay about the same.

Outputs in OUT: ``channel_dropout.md`` / ``channel_dropout.csv`` (P and S precision, recall, F1 per model and
component set) and ``channel_dropout.png`` (F1 per component set).

Run time: about 3 minutes on 2 shared CPU cores (2 x 1,000 steps of batch 16, 3 x 5 x 78 test windows);
``--quick`` (25 steps, 26 test windows) under a minute.

Usage: python examples/channel_dropout.py OUT [--overwrite] [--quick] [--steps 1000] [--seed 0]
"""

from __future__ import annotations

import numpy as np
from _experiment import (
    Timer,
    fine_tuned_models,
    fine_tuning_data,
    parser,
    plot_phases,
    prepare,
    score_table,
    write_report,
)

from zoo.augment import ChannelDropout, Pipeline
from zoo.train.windows import WAVEFORM

COMPONENTS = ("Z", "E", "N", "EN", "ENZ")
ORDER = "ENZ"
OUTPUTS = ("channel_dropout.md", "channel_dropout.csv", "channel_dropout.png")


def keep_components(x: np.ndarray, components: str) -> np.ndarray:
    """``x [N, T, 3]`` (E, N, Z) with the channels not in ``components`` set to zero."""
    mask = np.array([c in components for c in ORDER], dtype=x.dtype)
    return x * mask


def main() -> None:
    args = parser(__doc__, steps=1000).parse_args()
    paths = prepare(args, OUTPUTS)
    timer = Timer()
    train, windows, test_note = fine_tuning_data(args)
    dropout = Pipeline([ChannelDropout(p=0.5, max_drop=2)])
    augments = {"fine-tuned": None, "fine-tuned + channel dropout": dropout}
    models, setup = fine_tuned_models(train, augments, args.steps, args.seed)
    inputs = {components: keep_components(windows[WAVEFORM], components) for components in COMPONENTS}
    table = score_table(models, windows, inputs, "components")
    plot_phases(table, "F1", paths["channel_dropout.png"], bars=True, xlabel="components given to the model",
                ylabel="F1 (hit within 0.1 s)",
                title="Channel dropout: PhaseNet fine-tuned with and without it, held-out traces")  # fmt: skip
    notes = [
        setup[0] + " Channel dropout: p = 0.5 per trace, 1-2 of 3 components zeroed (rescaled by PhaseNet's "
        "normalisation).",
        test_note + " Missing components are zero-filled.",
        setup[1],
    ]
    write_report(
        table, paths, "channel_dropout", "Channel dropout: pick scores by component set", notes, timer
    )


if __name__ == "__main__":
    main()
