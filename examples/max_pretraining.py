"""MAX on synthetic cores: does masked-autoencoder pre-training help CaCO3/TOC with a third of the labels?

Setup (CPU, about 10 minutes on 2 cores):

- 10 training cores and 3 held-out cores of the ``pacific`` composition family, plus one zero-shot
  core of the ``southern`` family (other lithogenic composition and CaCO3/TOC ranges), 120 spectra
  (2048 channels) per core, from :mod:`zoo.synth.xrf`.
- ``max-small`` pre-trained (mask ratio 0.5) on ALL spectra of the training cores (no labels).
- One third of the training spectra are labelled (every third depth). On them: the pre-trained
  network fine-tuned (full and linear probe), and the same network trained from scratch with the
  same labels, epochs and optimiser.
- R2 and RMSE (wt%) of CaCO3 and TOC on the held-out cores and on the zero-shot core.

Usage::

    python examples/max_pretraining.py --out max_results
    python examples/max_pretraining.py --save-weights zoo/models/max/weights   # also writes the synthetic-v1 files
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from zoo.models.max.model import build, build_regressor
from zoo.synth.xrf import Detector, synthetic_cores
from zoo.train.max import (
    finetune,
    plot_predicted_vs_measured,
    plot_reconstruction,
    predict,
    pretrain,
    regression_metrics,
)

TARGETS = ("caco3", "toc")


def _stack(cores):
    return np.concatenate([c.spectra for c in cores]), np.concatenate([c.targets for c in cores])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("max_results"), help="Folder for plots and JSON.")
    parser.add_argument(
        "--save-weights", type=Path, help="Folder to write the synthetic-v1 weights files into."
    )
    parser.add_argument("--depths", type=int, default=120)
    parser.add_argument("--pretrain-epochs", type=int, default=30)
    parser.add_argument("--finetune-epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.time()

    train_cores = synthetic_cores(10, args.depths, "pacific", seed=args.seed, prefix="PT")
    test_cores = synthetic_cores(3, args.depths, "pacific", seed=args.seed + 1, prefix="PH")
    zero_shot = synthetic_cores(1, args.depths, "southern", seed=args.seed + 2, prefix="SZ")
    x_all, y_all = _stack(train_cores)
    labelled = np.zeros(len(x_all), bool)
    labelled[::3] = True
    sets = {"held-out cores": _stack(test_cores), "zero-shot core": _stack(zero_shot)}
    print(
        f"{len(x_all)} pre-training spectra, {labelled.sum()} labelled; data in {time.time() - start:.0f} s"
    )

    autoencoder = build("max-small", mask_ratio=0.5, seed=args.seed)
    history = pretrain(autoencoder, x_all, epochs=args.pretrain_epochs, seed=args.seed)
    print(
        f"pre-training: masked loss {history['loss'][0]:.3f} -> {history['loss'][-1]:.3f} ({time.time() - start:.0f} s)"
    )
    hidden = np.zeros((1, 128), "float32")
    hidden[0, np.random.default_rng(0).permutation(128)[:64]] = 1.0
    plot_reconstruction(
        autoencoder, x_all[0], Detector().energies(), hidden, path=args.out / "reconstruction.png"
    )

    runs = {
        "pre-trained, fine-tuned": ("finetune", autoencoder),
        "pre-trained, linear probe": ("linear_probe", autoencoder),
        "from scratch": ("finetune", None),
    }
    results, regressors = {}, {}
    for name, (mode, source) in runs.items():
        regressor = build_regressor("max-small", targets=TARGETS, mode=mode)
        lr = 2e-3 if mode == "linear_probe" else 5e-4
        finetune(regressor, x_all[labelled], y_all[labelled], epochs=args.finetune_epochs, batch_size=32,
                 learning_rate=lr, encoder_from=source, seed=args.seed)  # fmt: skip
        regressors[name] = regressor
        results[name] = {}
        for set_name, (x, y) in sets.items():
            predicted = predict(regressor, x)
            results[name][set_name] = regression_metrics(y, predicted, TARGETS)
            slug = f"{name}_{set_name}".replace(" ", "_").replace(",", "")
            plot_predicted_vs_measured(
                y, predicted, TARGETS, path=args.out / f"{slug}.png", title=f"{name}: {set_name}"
            )
        print(f"{name}: done ({time.time() - start:.0f} s)")

    lines = [
        "| model | set | CaCO3 R2 | CaCO3 RMSE (wt%) | TOC R2 | TOC RMSE (wt%) |",
        "|---|---|---|---|---|---|",
    ]
    for name, per_set in results.items():
        for set_name, m in per_set.items():
            lines.append(
                f"| {name} | {set_name} | {m['caco3']['r2']:.3f} | {m['caco3']['rmse']:.2f} | "
                f"{m['toc']['r2']:.3f} | {m['toc']['rmse']:.3f} |"
            )
    print("\n".join(lines))
    (args.out / "results.json").write_text(json.dumps(results, indent=1))

    if args.save_weights:
        files = {
            "max_small_synthetic_v1.weights.h5": autoencoder,
            "max_small_regressor_synthetic_v1.weights.h5": regressors["pre-trained, fine-tuned"],
        }
        for file_name, model in files.items():
            path = args.save_weights / file_name
            model.save_weights(path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"{path}: {path.stat().st_size} bytes, sha256 {digest}")
    print(f"total {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
