"""Two-stage training of the X-discontinuity classifier ``xdisc``: synthetic pre-training, then fine-tuning.

Stage 1 (:func:`train_synthetic`): images drawn with :func:`zoo.synth.rf_images.random_images`
from one or more reference models (AK135 + IASP91 for the shipped ``synthetic-v1`` preset).
Stage 2 (:func:`finetune`): labelled real images (see :mod:`zoo.data.receiver_functions`) with
the feature extractor frozen (``freeze="features"``), a lower learning rate and few epochs.
A station is then decided by :func:`zoo.models.xdisc.preprocessing.station_decision` (mean probability of its
images).

Command line (options: :func:`add_arguments`)::

    zoo train --model xdisc --stage synthetic --models ak135 iasp91 --seed 7 --output xdisc.weights.h5
    zoo train --model xdisc --stage finetune --weights xdisc.weights.h5 --data real/ --labels labels.csv \
        --freeze features --output xdisc-ft.weights.h5

Example:
    >>> x, y = synthetic_set(["ak135"], n_per_model=4, seed=0)
    >>> x.shape, y.dtype
    ((4, 325, 16), dtype('float32'))
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from zoo.models.xdisc.preprocessing import to_model_input
from zoo.synth.rf_images import SNR_RANGE, random_images

logger = logging.getLogger(__name__)

SNR_BINS = (20.0, 40.0, 80.0, 120.0, 200.0)
DEPTH_BINS = (250.0, 275.0, 300.0, 325.0, 350.0)


def synthetic_set(models: Sequence[str], n_per_model: int, seed: int, snr=SNR_RANGE):
    """Images and labels from each reference model (seeds ``seed + i`` for the i-th model), shuffled."""
    xs, ys = [], []
    for i, name in enumerate(models):
        batch = random_images(name, n_per_model, seed=seed + i, snr=snr)
        xs.append(to_model_input(batch.images))
        ys.append(batch.labels)
    x, y = np.concatenate(xs), np.concatenate(ys)
    order = np.random.default_rng(seed).permutation(len(y))
    return x[order], y[order].astype(np.float32)


def train_synthetic(
    models: Sequence[str] = ("ak135", "iasp91"),
    n_per_model: int = 6000,
    epochs: int = 12,
    batch_size: int = 64,
    seed: int = 7,
    learning_rate: float = 2e-3,
    model=None,
    verbose: int = 2,
):
    """Stage 1: train ``xdisc`` on synthetic images; returns ``(model, history_dict)``.

    Example:
        >>> model, history = train_synthetic(n_per_model=64, epochs=1)  # doctest: +SKIP
    """
    import keras

    import zoo

    if n_per_model < 2 or epochs < 1:
        raise ValueError("n_per_model must be at least 2 and epochs at least 1.")
    keras.utils.set_random_seed(seed)
    x, y = synthetic_set(models, n_per_model, seed)
    n_val = max(1, len(y) // 10)
    model = model or zoo.load("xdisc", pretrained=False)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    schedule = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
    history = model.fit(
        x[n_val:],
        y[n_val:],
        validation_data=(x[:n_val], y[:n_val]),
        epochs=epochs,
        batch_size=batch_size,
        callbacks=[schedule],
        verbose=2,
    )
    return model, history.history


def freeze(model, what: str) -> None:
    """Freeze ``"features"`` (convolutions), ``"all-but-output"`` or ``"none"`` of an xdisc model."""
    choices = ("features", "all-but-output", "none")
    if what not in choices:
        raise ValueError(f"freeze must be one of {', '.join(choices)}, got {what!r}.")
    for layer in model.layers:
        if what == "features":
            layer.trainable = not layer.name.startswith("features_")
        elif what == "all-but-output":
            layer.trainable = layer.name == "head_output"
        else:
            layer.trainable = True


def finetune(
    model,
    x: np.ndarray,
    y: np.ndarray,
    freeze_layers: str = "features",
    epochs: int = 20,
    batch_size: int = 16,
    learning_rate: float = 3e-4,
    seed: int = 0,
):
    """Stage 2: fine-tune on real images ``x`` ``[n, samples, traces]`` with labels ``y`` (0/1)."""
    import keras

    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.float32).reshape(-1)
    if len(x) != len(y) or len(y) == 0:
        raise ValueError(f"Need as many labels as images (got {len(y)} labels for {len(x)} images).")
    keras.utils.set_random_seed(seed)
    freeze(model, freeze_layers)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model, history.history


def _binned_accuracy(correct: np.ndarray, values: np.ndarray, edges: Sequence[float]) -> dict[str, float]:
    out = {}
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (values >= lo) & (values < hi) if hi != edges[-1] else (values >= lo) & (values <= hi)
        if sel.any():
            out[f"{lo:g}-{hi:g}"] = round(float(correct[sel].mean()), 4)
    return out


def evaluate(model, reference: str = "prem", n: int = 2000, seed: int = 1234, snr=SNR_RANGE) -> dict:
    """Accuracy on ``n`` fresh held-out images of ``reference``: overall, per SNR bin, per X-depth bin.

    The depth bins count only images with an X-discontinuity (their accuracy is the detection rate).
    """
    batch = random_images(reference, n, seed=seed, snr=snr)
    prob = model.predict(to_model_input(batch.images), batch_size=256, verbose=0).reshape(-1)
    correct = (prob > 0.5).astype(int) == batch.labels
    present = batch.labels == 1
    return {
        "reference": reference,
        "n": n,
        "seed": seed,
        "snr_range": list(snr),
        "accuracy": round(float(correct.mean()), 4),
        "accuracy_by_snr": _binned_accuracy(correct, batch.params["snr"], SNR_BINS),
        "detection_by_x_depth_km": _binned_accuracy(
            correct[present], batch.params["x_depth"][present], DEPTH_BINS
        ),
        "false_positive_rate": round(float(1 - correct[~present].mean()), 4),
    }


def run(args: argparse.Namespace) -> None:
    """Run one stage of the recipe from parsed :func:`add_arguments` options; prints the metrics as JSON."""
    import json

    import zoo

    if args.output:
        from zoo.output_paths import check_output_file

        check_output_file(args.output, overwrite=args.overwrite, option="--output")
    if args.stage == "synthetic":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
        model, history = train_synthetic(
            models=args.models, n_per_model=args.n_per_model, epochs=args.epochs, seed=args.seed
        )
        metrics = evaluate(model, reference=args.evaluate_on, n=args.n_eval, seed=args.seed + 1000)
    else:
        from zoo.data.receiver_functions import labelled_images

        if not args.data or not args.labels:
            raise ValueError("--stage finetune needs --data (folder of SAC/MiniSEED RFs) and --labels (CSV).")
        model = zoo.load("xdisc", pretrained=args.preset if args.weights is None else False)
        if args.weights is not None:
            model.load_weights(args.weights)
        x, y, _ = labelled_images(args.data, args.labels, seed=args.seed)
        model, history = finetune(model, x, y, freeze_layers=args.freeze, epochs=args.epochs, seed=args.seed)
        metrics = {"train_accuracy": round(float(history["accuracy"][-1]), 4)}
    if args.output:
        model.save_weights(args.output)
    print(json.dumps(metrics, indent=1))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``zoo train --model xdisc`` (the two-stage recipe of the X-discontinuity classifier)."""
    p = parser
    p.add_argument("--stage", choices=("synthetic", "finetune"), required=True)
    p.add_argument(
        "--models", nargs="+", default=["ak135", "iasp91"], help="Reference models (synthetic stage)."
    )
    p.add_argument("--n-per-model", type=int, default=6000, help="Synthetic images per reference model.")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--evaluate-on", default="prem", help="Held-out reference model for the metrics.")
    p.add_argument("--n-eval", type=int, default=2000)
    p.add_argument("--data", type=Path, help="Folder of real receiver functions (finetune stage).")
    p.add_argument("--labels", type=Path, help="CSV with columns station,label (finetune stage).")
    p.add_argument("--weights", type=Path, help="Start from these weights instead of a preset (finetune).")
    p.add_argument("--preset", default="synthetic-v1", help="Preset to fine-tune from.")
    p.add_argument("--freeze", choices=("features", "all-but-output", "none"), default="features")
    p.add_argument("--output", type=Path, help="Where to save the trained weights (.weights.h5).")
    p.add_argument("--overwrite", action="store_true", help="Replace an existing --output file.")
