"""Training recipes for MAX on XRF core-scanner spectra: pre-training, CaCO3/TOC fine-tuning, metrics, plots.

- :func:`pretrain` sets the per-channel spectrum statistics from unlabelled spectra (counts) and fits
  the masked autoencoder (AdamW with cosine decay; loss: mean squared error on the hidden patches, in
  standardised units).
- :func:`finetune` trains a regressor on labelled spectra, targets in wt%: it copies the encoder and
  statistics of a pre-trained model when given one (otherwise takes the statistics from the spectra),
  sets the target normalisation, and trains what the regressor's ``mode`` leaves trainable.
- :func:`predict` gives wt%; :func:`regression_metrics` R2 and RMSE (wt%) per target;
  :func:`plot_reconstruction` and :func:`plot_predicted_vs_measured` draw the two diagnostic figures.

``zoo train --model max`` runs one stage (:func:`add_arguments`, :func:`run`) and prints a JSON report
(final loss, or the held-out cores and their R2/RMSE)::

    zoo train --model max --stage pretrain --synthetic 12 --epochs 30 --output max.weights.h5
    zoo train --model max --stage finetune --target caco3,toc --weights max.weights.h5 --synthetic 12
    zoo train --model max --stage finetune --data export/ --preset synthetic-v1 --plot pred.png

``--data`` is a core-scanner export folder (:mod:`zoo.data.xrf` layout: spectra and, for fine-tuning,
``labels.csv``); ``--synthetic N`` draws N synthetic cores from :mod:`zoo.synth.xrf` instead.
Fine-tuning holds out whole cores (``--test-fraction``) for testing.

Example:
    >>> import numpy as np
    >>> from zoo.train.max import regression_metrics
    >>> m = regression_metrics(np.array([[1.0], [2.0]]), np.array([[1.0], [2.0]]), ("caco3",))
    >>> m["caco3"]["rmse"], m["caco3"]["r2"]
    (0.0, 1.0)
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from zoo.models.max.model import (
    MaskedSpectrumAutoencoder,
    SpectrumRegressor,
    build,
    build_regressor,
    transfer_encoder,
)

logger = logging.getLogger(__name__)

TARGET_NAMES = {"caco3": "CaCO$_3$", "toc": "TOC"}


def _spectra(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        x = x[..., None]
    if x.ndim != 3 or x.shape[-1] != 1:
        raise ValueError(f"Expected spectra [n, channels] or [n, channels, 1], got shape {x.shape}.")
    return x


def _optimizer(learning_rate: float, steps: int, weight_decay: float) -> keras.optimizers.Optimizer:
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(steps, 1), alpha=0.05)
    return keras.optimizers.AdamW(schedule, weight_decay=weight_decay)


def pretrain(
    model: MaskedSpectrumAutoencoder,
    spectra: Any,
    epochs: int = 30,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    weight_decay: float = 0.05,
    adapt: bool = True,
    seed: int = 0,
    verbose: int = 0,
) -> dict[str, list[float]]:
    """Pre-train ``model`` on unlabelled ``spectra`` (counts) with the masked-patch loss.

    ``adapt`` first sets the per-channel normalisation statistics from ``spectra``. Returns the
    Keras history (``loss`` per epoch, masked MSE in standardised units).
    """
    x = _spectra(spectra)
    if adapt:
        model.standardizer.adapt(x)
    keras.utils.set_random_seed(seed)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    model.compile(optimizer=_optimizer(learning_rate, steps, weight_decay))
    return model.fit(x, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=verbose).history


def finetune(
    regressor: SpectrumRegressor,
    spectra: Any,
    targets: Any,
    epochs: int = 60,
    batch_size: int = 32,
    learning_rate: float = 5e-4,
    weight_decay: float = 0.05,
    encoder_from: MaskedSpectrumAutoencoder | SpectrumRegressor | None = None,
    seed: int = 0,
    verbose: int = 0,
) -> dict[str, list[float]]:
    """Train ``regressor`` on labelled spectra; ``targets [n, len(regressor targets)]`` in wt%.

    With ``encoder_from`` (a pre-trained autoencoder) its encoder and normalisation statistics are
    copied first; otherwise (training from scratch) the statistics come from ``spectra``. The target
    normalisation is always set from ``targets``. The regressor's ``mode`` decides what trains.
    """
    x = _spectra(spectra)
    y = np.asarray(targets, dtype=np.float32)
    if y.ndim != 2 or y.shape != (len(x), len(regressor.config["targets"])):
        raise ValueError(
            f"Expected targets [{len(x)}, {len(regressor.config['targets'])}] for {regressor.config['targets']}, "
            f"got shape {y.shape}."
        )
    if encoder_from is not None:
        transfer_encoder(encoder_from, regressor)
    else:
        regressor.standardizer.adapt(x)
    regressor.target_scaler.adapt(y)
    regressor.set_mode(regressor.config["mode"])
    keras.utils.set_random_seed(seed)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    regressor.compile(optimizer=_optimizer(learning_rate, steps, weight_decay))
    return regressor.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=verbose).history


def predict(regressor: SpectrumRegressor, spectra: Any, batch_size: int = 256) -> np.ndarray:
    """Predicted targets ``[n, targets]`` in wt%."""
    return np.asarray(regressor.predict(_spectra(spectra), batch_size=batch_size, verbose=0))


def regression_metrics(y_true: Any, y_pred: Any, targets: Sequence[str]) -> dict[str, dict[str, float]]:
    """Coefficient of determination R2 and RMSE (wt%) per target."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if y_true.shape != y_pred.shape or y_true.shape[1] != len(targets):
        raise ValueError(f"Shapes {y_true.shape} and {y_pred.shape} do not match {len(targets)} targets.")
    out = {}
    for j, name in enumerate(targets):
        residual = np.sum((y_true[:, j] - y_pred[:, j]) ** 2)
        total = np.sum((y_true[:, j] - y_true[:, j].mean()) ** 2)
        out[name] = {
            "r2": round(float(1.0 - residual / total) if total > 0 else float("nan"), 4),
            "rmse": round(float(np.sqrt(residual / len(y_true))), 4),
        }
    return out


def plot_reconstruction(
    model: MaskedSpectrumAutoencoder,
    spectrum: Any,
    energies_kev: Any | None = None,
    hidden: Any | None = None,
    path: Path | str | None = None,
):
    """Original spectrum vs its reconstruction, hidden patches shaded; returns the matplotlib Figure."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = _spectra(np.asarray(spectrum)[None] if np.ndim(spectrum) < 3 else spectrum)[:1]
    counts, per_channel = model.reconstruct(x, hidden=hidden)
    axis = np.arange(x.shape[1]) if energies_kev is None else np.asarray(energies_kev)
    fig, ax = plt.subplots(figsize=(10, 3.5))
    ax.plot(axis, x[0, :, 0], lw=0.8, color="0.2", label="measured")
    shown = np.where(per_channel[0] > 0, counts[0], np.nan)
    ax.plot(axis, shown, lw=0.8, color="tab:red", label="reconstructed (hidden patches)")
    ax.fill_between(
        axis, 0, 1, where=per_channel[0] > 0, transform=ax.get_xaxis_transform(), color="tab:red", alpha=0.08
    )
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("energy (keV)" if energies_kev is not None else "channel")
    ax.set_ylabel("counts")
    ax.legend(loc="upper right")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_predicted_vs_measured(
    y_true: Any, y_pred: Any, targets: Sequence[str], path: Path | str | None = None, title: str = ""
):
    """Scatter of predicted vs measured values per target (wt%) with the 1:1 line; returns the Figure."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    scores = regression_metrics(y_true, y_pred, targets)
    fig, axes = plt.subplots(1, len(targets), figsize=(4 * len(targets), 4), squeeze=False)
    for j, (ax, name) in enumerate(zip(axes[0], targets)):
        lo, hi = (
            float(min(y_true[:, j].min(), y_pred[:, j].min())),
            float(max(y_true[:, j].max(), y_pred[:, j].max())),
        )
        ax.plot([lo, hi], [lo, hi], color="0.5", lw=1)
        ax.scatter(y_true[:, j], y_pred[:, j], s=6, alpha=0.6)
        ax.set_xlabel(f"measured {TARGET_NAMES.get(name, name)} (wt%)")
        ax.set_ylabel(f"predicted {TARGET_NAMES.get(name, name)} (wt%)")
        ax.set_title(f"R$^2$ {scores[name]['r2']:.3f}, RMSE {scores[name]['rmse']:.3g}")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _parse_targets(text: str) -> list[str]:
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    bad = [t for t in names if t not in TARGET_NAMES]
    if not names or bad:
        raise ValueError(f"--target takes a comma-separated subset of caco3,toc; got {text!r}.")
    return names


def _load_data(args: argparse.Namespace) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """(all spectra with core ids, labelled subset or None) from --data or --synthetic."""
    if args.data is not None:
        from zoo.data import xrf as reader

        cores = reader.read_cores(args.data)
        spectra = {
            "spectra": np.concatenate([c.spectra for c in cores.values()]),
            "core_id": np.concatenate([[c.core_id] * len(c.depth_m) for c in cores.values()]),
        }
        labels_file = Path(args.data, "labels.csv")
        labelled = (
            reader.join_labels(cores, reader.parse_labels(labels_file.read_text()))
            if labels_file.is_file()
            else None
        )
        return spectra, labelled
    if args.synthetic is None:
        raise ValueError("Give --data <core-scanner export folder> or --synthetic <number of cores>.")
    from zoo.synth.xrf import synthetic_cores

    cores = synthetic_cores(args.synthetic, n_depths=args.depths, family=args.family, seed=args.seed)
    spectra = {
        "spectra": np.concatenate([c.spectra for c in cores]),
        "core_id": np.concatenate([[c.core_id] * len(c.depth_m) for c in cores]),
    }
    return spectra, {**spectra, "targets": np.concatenate([c.targets for c in cores])}


def run(args: argparse.Namespace) -> None:
    """Run one stage from parsed :func:`add_arguments` options; prints a JSON report."""
    if args.output:
        from zoo.output_paths import check_output_file

        check_output_file(args.output, overwrite=args.overwrite, option="--output")
    data, labelled = _load_data(args)
    if args.stage == "pretrain":
        model = build(arch=args.arch, mask_ratio=args.mask_ratio, seed=args.seed)
        history = pretrain(
            model, data["spectra"], epochs=args.epochs, batch_size=args.batch_size, seed=args.seed
        )
        if args.plot:
            plot_reconstruction(model, data["spectra"][0], path=args.plot)
        if args.output:
            model.save_weights(args.output)
        print(
            json.dumps(
                {"stage": "pretrain", "spectra": len(data["spectra"]), "loss": round(history["loss"][-1], 5)}
            )
        )
        return
    if labelled is None:
        raise ValueError(
            f"--stage finetune needs {Path(args.data, 'labels.csv')} (core_id,depth_m,caco3,toc)."
        )
    from zoo.data.xrf import TARGETS, split_cores

    targets = _parse_targets(args.target)
    columns = [TARGETS.index(t) for t in targets]
    splits = split_cores(
        labelled["core_id"], {"train": 1 - args.test_fraction, "test": args.test_fraction}, args.seed
    )
    rows = {s: np.isin(labelled["core_id"], ids) for s, ids in splits.items()}
    regressor = build_regressor(arch=args.arch, targets=targets, mode=args.mode)
    source = None
    if args.weights is not None or args.preset:
        import zoo

        source = zoo.load("max", pretrained=False if args.weights else args.preset, arch=args.arch)
        if args.weights is not None:
            source.load_weights(args.weights)
    y = labelled["targets"][:, columns]
    finetune(regressor, labelled["spectra"][rows["train"]], y[rows["train"]], epochs=args.epochs,
             batch_size=args.batch_size, encoder_from=source, seed=args.seed)  # fmt: skip
    predicted = predict(regressor, labelled["spectra"][rows["test"]])
    scores = regression_metrics(y[rows["test"]], predicted, targets)
    if args.plot:
        plot_predicted_vs_measured(y[rows["test"]], predicted, targets, path=args.plot)
    if args.output:
        regressor.save_weights(args.output)
    print(json.dumps({"stage": "finetune", "test_cores": splits["test"], "metrics": scores}))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``zoo train --model max`` (for a parser that dispatches on ``--model``)."""
    parser.add_argument("--stage", choices=("pretrain", "finetune"), required=True)
    parser.add_argument(
        "--target", default="caco3,toc", help="Comma-separated targets (finetune): caco3,toc."
    )
    parser.add_argument("--data", type=Path, help="Core-scanner export folder (spectra/*.csv, labels.csv).")
    parser.add_argument("--synthetic", type=int, help="Use this many synthetic cores instead of --data.")
    parser.add_argument("--family", default="pacific", help="Composition family of synthetic cores.")
    parser.add_argument("--depths", type=int, default=120, help="Spectra per synthetic core.")
    parser.add_argument("--arch", default="max-small", choices=("max-small", "max-large"))
    parser.add_argument(
        "--mask-ratio", type=float, default=0.5, help="Hidden fraction of patches (pretrain)."
    )
    parser.add_argument("--mode", choices=("finetune", "linear_probe"), default="finetune")
    parser.add_argument(
        "--weights", type=Path, help="Pre-trained autoencoder weights (.weights.h5) to start from."
    )
    parser.add_argument(
        "--preset", default="", help="Or start from a preset of the 'max' card, e.g. synthetic-v1."
    )
    parser.add_argument(
        "--test-fraction", type=float, default=0.25, help="Fraction of cores held out (finetune)."
    )
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--plot", type=Path, help="Save the reconstruction / predicted-vs-measured plot here."
    )
    parser.add_argument("--output", type=Path, help="Save the trained weights here (.weights.h5).")
    parser.add_argument("--overwrite", action="store_true", help="Replace an existing --output file.")
