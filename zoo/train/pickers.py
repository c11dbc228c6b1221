"""Recipe `zoo train --model phasenet|eqtransformer`: train or fine-tune a picker on labelled records.

Command line::

    zoo train --model phasenet --pretrained original --data ../shared/data/stead50 \\
        --augment shift,noise,dropout --epochs 5 --freeze encoder --warmup-steps 20 --out runs/pn-stead

``--data`` is any format :func:`zoo.data.open_dataset` reads (SeisBench folder, STEAD, PhaseNet NPZ);
the training records are its ``train`` split and the validation records its ``dev`` split (by event),
unless ``--val-data`` names other records. The best model by validation pick F1 is written to ``--out``
as a preset folder (``zoo pick --model runs/pn-stead ...`` and ``zoo.load("runs/pn-stead")`` use it).

``--adversarial-shape`` trains with the shape discriminator (:class:`zoo.train.ShapeAdversarial`,
``--lambda-data``, ``--discriminator-lr``); ``--shape-history N`` plots the S peak height and time error
of the validation windows every N steps.

``--augment`` takes augmentation names with an optional probability, ``name[:p]``, comma-separated:
:data:`AUGMENT_DEFAULTS` lists the short names with their parameters and default probabilities; any
other augmentation name (:attr:`zoo.augment.base.Augmentation.name`, e.g. ``rotate_horizontals``)
works with its own defaults (probability 1).

Example:
    >>> parse_augment("shift,noise:0.8,dropout").steps
    [Shift(p=0.5, mode='zero', keep_phases=True), AddNoise(p=0.8, snr_db=(0.0, 20.0)), ChannelDropout(p=0.3)]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

from zoo.augment import (
    AddNoise,
    ChannelDropout,
    FalsePositive,
    Pipeline,
    PolarityFlip,
    RandomBandpass,
    Shift,
    Superpose,
    TimeStretch,
    ZeroMask,
)
from zoo.augment.base import AUGMENTATIONS, Augmentation

logger = logging.getLogger(__name__)

AUGMENT_DEFAULTS: dict[str, Augmentation] = {
    "shift": Shift(p=0.5, mode="zero", keep_phases=True),
    "noise": AddNoise(p=0.5, snr_db=(0.0, 20.0)),
    "dropout": ChannelDropout(p=0.3),
    "superpose": Superpose(p=0.3),
    "gaps": FalsePositive(p=0.2),
    "polarity": PolarityFlip(),
    "bandpass": RandomBandpass(p=0.3),
    "stretch": TimeStretch(p=0.2),
    "mask": ZeroMask(p=0.2),
}
"""Short name -> augmentation with its default probability for ``--augment``."""


def parse_augment(spec: str) -> Pipeline:
    """A :class:`~zoo.augment.Pipeline` from ``"name[:p],name[:p],..."`` (see the module docstring)."""
    steps = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, p_text = item.partition(":")
        if name in AUGMENT_DEFAULTS:
            step = AUGMENT_DEFAULTS[name]
        elif name in AUGMENTATIONS:
            step = AUGMENTATIONS[name]()
        else:
            known = sorted(set(AUGMENT_DEFAULTS) | set(AUGMENTATIONS))
            raise ValueError(f"unknown augmentation {name!r}; known: {', '.join(known)}.")
        if p_text:
            try:
                p = float(p_text)
            except ValueError:
                raise ValueError(
                    f"augmentation probability must be a number in [0, 1], got {item!r}."
                ) from None
            step = dataclasses.replace(step, p=p)
        steps.append(step)
    return Pipeline(steps)


def parse_p_position(text: str) -> float | tuple[float, float] | None:
    """``"random"`` -> None, ``"10"`` -> 10.0 s, ``"10-15"`` -> (10.0, 15.0) s."""
    if text == "random":
        return None
    try:
        values = [float(v) for v in text.split("-")]
    except ValueError:
        raise ValueError(
            f"--p-position must be 'random', seconds or 'min-max' seconds, got {text!r}."
        ) from None
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise ValueError(f"--p-position must be 'random', seconds or 'min-max' seconds, got {text!r}.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``zoo train --model phasenet|eqtransformer``."""
    parser.add_argument("--data", required=True, type=Path, help="labelled records (SeisBench, STEAD, NPZ)")
    parser.add_argument("--val-data", type=Path, help="validation records (default: the dev split of --data)")
    parser.add_argument("--out", required=True, type=Path, help="output folder (preset + training logs)")
    parser.add_argument(
        "--pretrained", default="default", help="preset to start from, or 'none' (random init)"
    )
    parser.add_argument("--augment", default="", help="e.g. shift,noise:0.5,dropout (see zoo.train.pickers)")
    parser.add_argument("--p-position", default="random", help="'random', seconds, or 'min-max' seconds")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps-per-epoch", type=int, help="batches per epoch (the data repeats)")
    parser.add_argument("--lr", type=float, default=1e-3, help="learning rate after the warm-up")
    parser.add_argument("--warmup-steps", type=int, default=0, help="optimizer steps of linear warm-up")
    parser.add_argument(
        "--freeze", help="layer groups (encoder, decoder) or layer-name regexes, comma-separated"
    )
    parser.add_argument("--patience", type=int, help="early stopping after this many epochs without gain")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--adversarial-shape", action="store_true", help="add the shape discriminator (GAN)")
    parser.add_argument("--lambda-data", type=float, default=4000.0, help="data-loss weight with the GAN")
    parser.add_argument(
        "--discriminator-lr", type=float, default=1e-3, help="discriminator learning rate (GAN)"
    )
    parser.add_argument(
        "--shape-history",
        type=int,
        metavar="STEPS",
        help="every STEPS steps record the S peak height and time error on validation windows "
        "(plot: OUT/training/shape_history.png)",
    )


def _records(path: Path, components: str, split: str | None, seed: int):
    import zoo.data

    records = zoo.data.open_dataset(path, components=components, split=split, seed=seed)
    if int(records.cardinality()) == 0:
        hint = " (name validation records with --val-data)" if split == "dev" else ""
        raise ValueError(f"{path} has no records in split {split!r}{hint}.")
    return records


def run(args: argparse.Namespace) -> None:
    """Train as the options say and print where the result is."""
    import zoo
    from zoo.output_paths import check_output_folder
    from zoo.train.fit import fit

    check_output_folder(args.out, option="--out")
    pretrained: bool | str = {"default": True, "none": False}.get(args.pretrained, args.pretrained)
    model = zoo.load(args.model, pretrained=pretrained)
    components = model.zoo_card.waveform.components
    train = _records(args.data, components, "train", args.seed)
    val = (
        _records(args.val_data, components, None, args.seed)
        if args.val_data
        else _records(args.data, components, "dev", args.seed)
    )
    trainer_options: dict[str, Any] = {}
    trainer = None
    if args.adversarial_shape:
        from zoo.train.shape_adversarial import ShapeAdversarial

        trainer = ShapeAdversarial
        trainer_options = {
            "lambda_data": args.lambda_data,
            "discriminator_learning_rate": args.discriminator_lr,
        }
    callbacks = []
    if args.shape_history:
        from zoo.train.shape_history import ShapeHistory, monitor_batch

        plot = args.out / "training" / "shape_history.png"
        callbacks.append(
            ShapeHistory(monitor_batch(val, model.zoo_card), every=args.shape_history, path=plot)
        )
    history = fit(
        model,
        train,
        val,
        epochs=args.epochs,
        batch_size=args.batch_size,
        steps_per_epoch=args.steps_per_epoch,
        augment=parse_augment(args.augment) if args.augment else None,
        p_position=parse_p_position(args.p_position),
        learning_rate=args.lr,
        warmup_steps=args.warmup_steps,
        freeze=args.freeze.split(",") if args.freeze else None,
        out=args.out,
        patience=args.patience,
        resume=args.resume,
        seed=args.seed,
        metadata={"data": str(args.data), "val_data": str(args.val_data or args.data)},
        callbacks=callbacks,
        verbose=2,
        **({"trainer": trainer, "trainer_options": trainer_options} if trainer else {}),
    )
    best = max(history.history["val_pick_f1"])
    print(f"best validation pick F1 {best:.3f}; preset folder {args.out} (zoo.load('{args.out}'))")
