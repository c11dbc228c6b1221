"""Shared helpers of the augmentation experiments (``shift_bias.py``, ``channel_dropout.py``, ``noise_superposition.py``).

Data: the real traces in ``<shared>/data`` (``stead50``: 50 STEAD traces of 60 s; ``ncedc/train``: 77 NCEDC
records of 90 s with P at 30 s), split by event with :func:`zoo.data.split_by_event`'s defaults (80/10/10).
``<shared>`` is ``../shared`` next to the repository, or the folder in the environment variable ``ZOO_SHARED``.

Picks (the definition every table uses): in each 30-s evaluation window and for each phase, the sample
where the model's P (S) curve peaks, if the peak reaches the card threshold 0.3; a pick is a hit when it
lies within 0.1 s of the labelled arrival (:func:`zoo.metrics.pick_scores`).

Example (from the repository root)::

    >>> from _experiment import records, evaluation_windows   # with examples/ on sys.path
    >>> w = evaluation_windows(records(("dev", "test")), draws=1)
    >>> w["waveform"].shape
    (26, 3000, 3)
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

import zoo
import zoo.data
from zoo.augment import Pipeline
from zoo.metrics import pick_scores
from zoo.registry import card_of
from zoo.train.fit import fit
from zoo.train.windows import ARRIVAL_KEYS, NAME, WAVEFORM, cut_windows

ROOT = Path(__file__).resolve().parents[1]
RATE = 100.0
"""Sampling rate of both data sets and of PhaseNet (Hz)."""
WINDOW = 3000
"""PhaseNet's window (samples, 30 s)."""
THRESHOLD = 0.3
"""Pick threshold on the P and S curves (PhaseNet's card threshold)."""
TOLERANCE = 0.1
"""Largest |pick - label| that counts as a hit (s)."""
PHASES = ("P", "S")
BATCH = 16
"""Windows per optimizer step in every experiment."""
FINE_TUNE_RATE = 3e-4
"""Adam learning rate of the fine-tuning runs (after a linear warm-up)."""
SOURCES = ("stead50", "ncedc/train")
PICK_DEFINITION = f"picks: peak of the P/S curve in each 30-s window if >= {THRESHOLD}; hit within {TOLERANCE} s of the label"


def shared_folder() -> Path:
    """``$ZOO_SHARED`` if set, else ``../shared`` relative to the repository root."""
    return Path(os.environ.get("ZOO_SHARED", ROOT.parent / "shared"))


def parser(description: str, steps: int, quick_steps: int = 25) -> argparse.ArgumentParser:
    """Command-line parser with the options every experiment takes (``out``, ``--overwrite``, ``--quick``...).

    ``steps`` is the default of ``--steps`` (optimizer steps per model); ``--quick`` replaces it by
    ``quick_steps`` (see :func:`prepare`).
    """
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path, help="output folder for the table (markdown + CSV) and the figure (PNG)")
    p.add_argument("--overwrite", action="store_true", help="replace output files that already exist")
    p.add_argument(
        "--quick", action="store_true", help="a short trial run (few steps; numbers not meaningful)"
    )
    p.add_argument("--data", type=Path, default=None, help="data folder (default: <shared>/data)")
    p.add_argument("--steps", type=int, default=steps, help=f"optimizer steps (batch {BATCH}) per model")
    p.add_argument("--seed", type=int, default=0, help="seed of the evaluation windows, training and noise")
    p.set_defaults(quick_steps=quick_steps)
    return p


def prepare(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Path]:
    """Create ``args.out`` and return its output paths; refuse existing files unless ``--overwrite``."""
    paths = {name: args.out / name for name in names}
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing and not args.overwrite:
        raise SystemExit(
            f"refusing to overwrite {', '.join(existing)}; pass --overwrite or choose another folder."
        )
    args.out.mkdir(parents=True, exist_ok=True)
    args.data = args.data or shared_folder() / "data"
    if args.quick:
        args.steps = args.quick_steps
    if not args.data.is_dir():
        raise SystemExit(f"data folder {args.data} not found; set ZOO_SHARED or pass --data.")
    keras.utils.set_random_seed(args.seed)
    return paths


def records(
    splits: Sequence[str], data: Path | None = None, sources: Sequence[str] = SOURCES
) -> tf.data.Dataset:
    """Training elements (E, N, Z) of ``splits`` from every source, concatenated and cached in memory."""
    data = data or shared_folder() / "data"
    parts = [zoo.data.open_dataset(data / source, split=split) for source in sources for split in splits]
    ds = parts[0]
    for part in parts[1:]:
        ds = ds.concatenate(part)
    return ds.cache()


def record_arrays(splits: Sequence[str], data: Path | None = None, source: str = "ncedc/train") -> dict:
    """Whole records of one source with equal lengths (default NCEDC, 9001 samples) as numpy arrays.

    Keys: ``waveform [R, samples, 3]`` (E, N, Z), ``trace_name [R]`` and the arrival samples ``[R]``.
    """
    items = list(records(splits, data, sources=[source]).as_numpy_iterator())
    out = {key: np.stack([item[key] for item in items]) for key in (WAVEFORM, *ARRIVAL_KEYS)}
    out[NAME] = np.array([item[NAME].decode() for item in items])
    return out


def as_arrays(windows: tf.data.Dataset) -> dict[str, np.ndarray]:
    """Windows dataset -> numpy ``waveform [N, T, 3]``, ``trace_name [N]`` (str) and arrival samples ``[N]``."""
    batches = list(windows.batch(256).as_numpy_iterator())
    out = {key: np.concatenate([b[key] for b in batches]) for key in (WAVEFORM, NAME, *ARRIVAL_KEYS)}
    out[NAME] = np.array([n.decode() for n in out[NAME]])
    return out


def evaluation_windows(ds: tf.data.Dataset, draws: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    """``draws`` fixed 30-s windows per record (arrivals inside, start drawn per trace name and draw).

    Trace names get ``#<draw>`` appended, so every window is its own trace in the scores.
    """
    parts = []
    for k in range(draws):
        w = as_arrays(
            cut_windows(ds, WINDOW, sampling_rate=RATE, p_position=None, seed=seed + k, training=False)
        )
        w[NAME] = np.array([f"{n}#{k}" for n in w[NAME]])
        parts.append(w)
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def fine_tuning_data(args: argparse.Namespace) -> tuple[tf.data.Dataset, dict[str, np.ndarray], str]:
    """Training records, fixed windows of the held-out traces, and a note describing the test set.

    Training: the train split of every source. Test: the dev + test splits, three windows per trace (one
    with ``--quick``), see :func:`evaluation_windows`.
    """
    draws = 1 if args.quick else 3
    held_out = records(["dev", "test"], args.data)
    windows = evaluation_windows(held_out, draws=draws, seed=args.seed)
    note = (
        f"Test: {int(held_out.cardinality())} held-out traces (dev + test splits of STEAD and NCEDC) x {draws} "
        f"fixed 30-s windows ({len(windows[NAME])} windows); {PICK_DEFINITION}."
    )
    return records(["train"], args.data), windows, note


def predict(model: keras.Model, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Label curves ``[N, T, K]`` (card order, PhaseNet: P, S, N) of raw windows ``x [N, T, 3]``."""
    card = card_of(model)

    @tf.function(reduce_retracing=True, autograph=False)
    def run(batch):
        return card.annotation.postprocess(model(card.waveform.normalize(batch), training=False))

    return np.concatenate(
        [run(tf.constant(x[i : i + batch_size])).numpy() for i in range(0, len(x), batch_size)]
    )


def peak_picks(
    curves: np.ndarray, names: Sequence[str], labels: Sequence[str] = ("P", "S", "N")
) -> pd.DataFrame:
    """One pick per window and phase at the curve's peak if it reaches :data:`THRESHOLD` (time in s)."""
    rows = []
    for phase in PHASES:
        channel = curves[..., labels.index(phase)]
        peak = channel.argmax(axis=1)
        value = channel[np.arange(len(channel)), peak]
        for name, sample, p in zip(names, peak, value):
            if p >= THRESHOLD:
                rows.append(
                    {"trace_id": name, "phase": phase, "time": sample / RATE, "probability": float(p)}
                )
    return pd.DataFrame(rows, columns=["trace_id", "phase", "time", "probability"])


def label_table(windows: dict[str, np.ndarray]) -> pd.DataFrame:
    """Labelled arrivals of the windows as ``trace_id, phase, time`` (s after the window start)."""
    rows = [
        {"trace_id": name, "phase": phase, "time": sample / RATE}
        for phase, key in zip(PHASES, ARRIVAL_KEYS)
        for name, sample in zip(windows[NAME], windows[key])
        if np.isfinite(sample)
    ]
    return pd.DataFrame(rows)


def scores(model: keras.Model, windows: dict[str, np.ndarray], x: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`zoo.metrics.pick_scores` of the peak picks on ``x`` (default: the windows' waveforms)."""
    curves = predict(model, windows[WAVEFORM] if x is None else x)
    picks = peak_picks(curves, windows[NAME], card_of(model).annotation.labels)
    return pick_scores(label_table(windows), picks, tolerance=TOLERANCE)


def fine_tuned_models(
    train: tf.data.Dataset, augments: Mapping[str, Pipeline | None], steps: int, seed: int
) -> tuple[dict[str, keras.Model], list[str]]:
    """PhaseNet's original weights, and one copy of them fine-tuned per entry of ``augments``.

    Each copy is trained for ``steps`` batches of :data:`BATCH` random-shift windows (Adam
    :data:`FINE_TUNE_RATE`) with its augmentation pipeline, from the same seed.

    Returns:
        ``{"original weights": model, <name>: model, ...}`` and notes for the table: the set-up and each
        run's training loss per block of 25 steps.
    """
    models = {"original weights": zoo.load("phasenet")}
    losses = {}
    for name, augment in augments.items():
        models[name] = zoo.load("phasenet")
        losses[name] = train_steps(models[name], train, augment, steps, seed, learning_rate=FINE_TUNE_RATE)
    notes = [
        f"PhaseNet original weights fine-tuned {steps} steps of batch {BATCH} (Adam {FINE_TUNE_RATE:g}, random "
        f"shift) on {int(train.cardinality())} training traces (STEAD + NCEDC).",
        loss_note(losses),
    ]
    return models, notes


def loss_note(losses: Mapping[str, Sequence[float]]) -> str:
    """A note with each run's training loss (from :func:`train_steps`) after 25 steps and every 100 steps."""
    runs = []
    for name, values in losses.items():
        kept = [(25 * (i + 1), v) for i, v in enumerate(values) if i == 0 or (i + 1) % 4 == 0]
        runs.append(f"{name}: " + ", ".join(f"{step}: {v:.3f}" for step, v in kept))
    return "Training loss (mean over the 25 steps up to step n), n: loss -- " + "; ".join(runs) + "."


def score_table(
    models: Mapping[str, keras.Model],
    windows: dict[str, np.ndarray],
    inputs: Mapping[str, np.ndarray],
    column: str,
    metrics: Sequence[str] = ("precision", "recall", "F1"),
) -> pd.DataFrame:
    """Pick scores of every model on every version of the windows' waveforms in ``inputs``.

    Returns a table indexed by ``(model, column)`` (``column`` names the keys of ``inputs``) with columns
    ``"<phase> <metric>"``.
    """
    rows = []
    for name, model in models.items():
        for key, x in inputs.items():
            s = scores(model, windows, x)
            row = {"model": name, column: key}
            row.update({f"{phase} {m}": s.loc[phase, m.lower()] for phase in PHASES for m in metrics})
            rows.append(row)
    return pd.DataFrame(rows).set_index(["model", column])


def train_steps(
    model: keras.Model,
    train: tf.data.Dataset,
    augment: Pipeline | None,
    steps: int,
    seed: int,
    batch_size: int = BATCH,
    learning_rate: float = 1e-3,
    p_position: float | tuple[float, float] | None = None,
) -> list[float]:
    """Train ``model`` in place for ``steps`` batches (rounded up to a multiple of 25 when larger).

    Returns the training loss averaged over each block of 25 steps.
    """
    block = min(25, steps)
    history = fit(
        model, train, None, epochs=-(-steps // block), steps_per_epoch=block, batch_size=batch_size,
        augment=augment, p_position=p_position, learning_rate=learning_rate, warmup_steps=min(20, steps // 5),
        seed=seed, verbose=0,
    )  # fmt: skip
    return [round(v, 4) for v in history.history["loss"]]


def plot_phases(
    table: pd.DataFrame, metric: str, path: Path, *, bars: bool, xlabel: str, ylabel: str, title: str
) -> None:
    """P and S panels of ``"<phase> <metric>"`` from a :func:`score_table` table, one series per model.

    The x axis holds the second index level (component sets, SNR levels); ``bars`` draws grouped bars,
    otherwise lines with markers. Writes a PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(table.index.get_level_values(0)))
    keys = list(dict.fromkeys(table.index.get_level_values(1)))
    x, width = np.arange(len(keys)), 0.8 / len(models)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
    for ax, phase in zip(axes, PHASES):
        for i, model in enumerate(models):
            values = [table.loc[(model, key), f"{phase} {metric}"] for key in keys]
            if bars:
                ax.bar(x + (i - (len(models) - 1) / 2) * width, values, width, label=model)
            else:
                ax.plot(x, values, marker="o", label=model)
        ax.set(xticks=x, xticklabels=keys, xlabel=xlabel, title=f"{phase} picks", ylim=(0, 1))
    axes[0].set_ylabel(ylabel)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=len(models), fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=150)
    plt.close(fig)


def markdown(table: pd.DataFrame, digits: int = 2) -> str:
    """``table`` (index included) as a GitHub markdown table, floats rounded to ``digits``."""
    frame = table.reset_index() if table.index.name or isinstance(table.index, pd.MultiIndex) else table

    def cell(v):
        return f"{v:.{digits}f}" if isinstance(v, float | np.floating) else str(v)

    header = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def write_report(
    table: pd.DataFrame, paths: Mapping[str, Path], stem: str, title: str, notes: Sequence[str], timer: Timer
) -> str:
    """Write ``<stem>.md`` (title, notes, run time, table) and ``<stem>.csv``; print them and the figure path."""
    notes = [*notes, f"Run time: {timer.seconds / 60:.1f} min on this machine."]
    text = "\n\n".join([f"### {title}", *notes, markdown(table)]) + "\n"
    paths[f"{stem}.md"].write_text(text)
    table.to_csv(paths[f"{stem}.csv"])
    print(text)
    print(f"figure: {paths[f'{stem}.png']}")
    return text


class Timer:
    """Wall-clock seconds since creation (``Timer().seconds``)."""

    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start
