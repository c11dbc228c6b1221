"""The ``zoo`` command line: list models, show a card, pick and annotate waveform files.

Usage::

    zoo list
    zoo info phasenet
    zoo pick --example
    zoo pick day.mseed --model phasenet --threshold P=0.3,S=0.3 --output picks.csv
    zoo annotate day.mseed --output ann.mseed
    zoo evaluate --data ncedc/pred --labels ncedc/labels.csv --p-column pred_itp --s-column pred_its
    zoo export phasenet --out serving --version 1
    zoo convert seisbench instance.pt.v3 --model phasenet --out pn-instance
    zoo train --model xdisc --stage synthetic --epochs 12 --output xdisc.weights.h5

Bad input ends with exit status 2 and a one-line message on standard error; output paths are
checked before a model is loaded. TensorFlow is imported only by commands that need it (``zoo
list``, ``zoo info``, ``--help`` and ``--version`` run without it), with its start-up messages kept off
the terminal unless ``--verbose`` is given. ``zoo train`` reads each model's recipe from its card.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from zoo._version import __version__
from zoo.archive.cli import add_cli as add_archive_cli
from zoo.cli_convert import add_cli as add_convert_cli
from zoo.cli_models import card_for, cmd_info, cmd_list, print_train_help, train_recipes
from zoo.export.cli import add_cli as add_export_cli

EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 141


NO_TENSORFLOW = ("list", "info", "train")
"""Commands that run without importing TensorFlow (``train`` imports it once a recipe runs)."""


def _start_tensorflow(args: argparse.Namespace) -> None:
    """Tune the allocator and import TensorFlow with its start-up messages off the terminal (unless -v)."""
    from zoo.runtime import quiet_tensorflow, tune_allocator

    tune_allocator()
    if not args.verbose:
        quiet_tensorflow()


class BadInput(Exception):
    """A problem with the user's command line or files (reported in one line, exit status 2)."""


def plural(n: int, word: str) -> str:
    """``"1 pick"``, ``"2 picks"``, ``"1 detection"``, ``"0 detections"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _thresholds(text: str | None) -> dict[str, float]:
    """Parse ``P=0.3,S=0.3`` into ``{"P": 0.3, "S": 0.3}``; a label given twice is an error."""
    if not text:
        return {}
    out: dict[str, float] = {}
    for item in text.split(","):
        label, sep, value = item.partition("=")
        label = label.strip()
        try:
            number = float(value)
        except ValueError:
            sep = ""
        if not sep or not label:
            raise BadInput(
                f"--threshold expects LABEL=VALUE pairs separated by commas (e.g. P=0.3,S=0.3), got {item!r}."
            )
        if label in out:
            raise BadInput(f"--threshold gives {label} twice ({text!r}); give each label once.")
        out[label] = number
    return out


def threshold_keywords(text: str | None) -> dict[str, float]:
    """``P=0.3,S=0.3`` as the keywords of :func:`zoo.classify`: ``{"P_threshold": 0.3, "S_threshold": 0.3}``."""
    return {f"{label}_threshold": value for label, value in _thresholds(text).items()}


def _check_thresholds(card, thresholds: dict[str, float]) -> None:
    """Labels the card triggers on, values in (0, 1] (before any waveform is read)."""
    valid = (*card.trigger.pick_labels, *card.trigger.detection_labels)
    for label, value in thresholds.items():
        if label not in valid:
            raise BadInput(
                f"--threshold label {label!r} is not one of {card.name}'s: {', '.join(valid) or 'none'}."
            )
        if not 0 < value <= 1:
            raise BadInput(f"--threshold {label}={value:g}: a threshold is a probability in (0, 1].")


def _read(files: Sequence[str], example: bool):
    import obspy

    if example:
        return obspy.read()
    if not files:
        raise BadInput("Give one or more waveform files, or --example for ObsPy's example event.")
    stream = obspy.Stream()
    for name in files:
        if not Path(name).is_file():
            raise BadInput(f"No such file: {name}")
        try:
            stream += obspy.read(name)
        except Exception as err:  # ObsPy raises several types for unreadable files
            raise BadInput(f"Cannot read {name} as waveforms ({err}).") from err
    return stream


def _preflight(args: argparse.Namespace) -> None:
    """Checks before any waveform is read or model loaded: a waveform model, thresholds, outputs."""
    from zoo.output_paths import check_output_file
    from zoo.registry import waveform_card

    card = waveform_card(card_for(args.model), f"`zoo {args.command}`")
    _check_thresholds(card, _thresholds(getattr(args, "threshold", None)))
    # zoo annotate checks the files it will write itself (SAC: one file per trace, not --output).
    overwrite = args.overwrite or args.command == "annotate"
    for option in ("output", "csv", "pr_curve"):
        path = getattr(args, option, None)
        if path:
            check_output_file(path, overwrite=overwrite, option="--" + option.replace("_", "-"))


def _load(args: argparse.Namespace):
    import zoo

    return zoo.load(args.model, pretrained=args.preset or True)


def cmd_pick(args: argparse.Namespace) -> None:
    """Pick phases and print them; optionally write CSV or QuakeML."""
    import zoo

    suffix = Path(args.output).suffix.lower() if args.output else None
    if suffix not in (None, ".csv", ".xml", ".qml", ".quakeml"):
        raise BadInput(f"--output must end in .csv or .xml (QuakeML), got {args.output!r}.")
    _preflight(args)
    stream = _read(args.files, args.example)
    thresholds = threshold_keywords(args.threshold)
    model = _load(args)
    picks = zoo.classify(model, stream, batch_size=args.batch_size, **thresholds)
    detections = (
        f", {plural(len(picks.detections), 'detection')}" if model.zoo_card.trigger.detection_labels else ""
    )
    print(f"{plural(len(picks), 'pick')}{detections} by {model.zoo_card.prefix} ({model.zoo_preset})")
    for p in picks:
        print(f"{p.trace_id:<16} {p.phase:<3} {p.time}  p={p.probability:.3f}")
    for d in picks.detections:
        print(f"{d.trace_id:<16} detection {d.start_time} - {d.end_time}  peak={d.peak_value:.3f}")
    if suffix == ".csv":
        picks.to_csv(args.output, overwrite=args.overwrite)
    elif suffix:
        picks.to_quakeml(args.output, overwrite=args.overwrite)
    if suffix:
        print(f"wrote {args.output}")


def cmd_annotate(args: argparse.Namespace) -> None:
    """Write the probability traces to MiniSEED (or another ObsPy format; see zoo.annotation_files)."""
    import zoo
    from zoo import annotation_files
    from zoo.waveforms.annotate import annotation_instrument_id

    _preflight(args)
    out = Path(args.output)
    try:
        fmt = annotation_files.output_format(out)
    except ValueError as err:
        raise BadInput(str(err)) from err
    if fmt not in annotation_files.ONE_TRACE_PER_FILE and out.exists() and not args.overwrite:
        raise BadInput(f"{out} exists; add --overwrite to replace it.")
    stream = _read(args.files, args.example)
    model = _load(args)
    annotations = zoo.annotate(model, stream, batch_size=args.batch_size)
    prefix = model.zoo_card.prefix
    files = annotation_files.plan(annotations, out, prefix, fmt)
    existing = annotation_files.existing_targets(files)
    if existing and not args.overwrite:
        if len(existing) == 1:
            raise BadInput(f"{existing[0]} exists; add --overwrite to replace it.")
        raise BadInput(
            f"{existing[0]} and {len(existing) - 1} more of the {len(files)} output files exist; "
            "add --overwrite to replace them."
        )
    if fmt not in annotation_files.KEEPS_TRACES:
        for instrument in sorted({annotation_instrument_id(tr) for tr in annotations}):
            codes = annotation_files.seed_channel_codes(
                model.zoo_card.annotation.labels, instrument.rsplit(".", 1)[1]
            )
            mapping = ", ".join(f"{prefix}_{label} -> {code}" for label, code in codes.items())
            print(f"channel codes of {instrument}: {mapping}")
    try:
        written = annotation_files.write(files, fmt, overwrite=args.overwrite)
    except Exception as err:  # ObsPy's writers raise several types, some a bare Exception
        raise BadInput(f"Cannot write {out}: {err}") from err
    for path, (_, traces) in zip(written, files):
        print(f"wrote {len(traces)} trace{'s' * (len(traces) != 1)} to {path}")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on standard error and exit status 2."""

    def error(self, message: str) -> None:
        self.exit(EXIT_BAD_INPUT, f"zoo: error: {message} (see `{self.prog} --help`)\n")


def cmd_evaluate(args: argparse.Namespace) -> None:
    """Pick labelled records and print precision, recall and F1 per phase (rows P/S)."""
    import zoo.data
    from zoo.evaluation import evaluate
    from zoo.metrics import plot_precision_recall

    if not Path(args.data).exists():
        raise BadInput(f"No such data: {args.data}")
    if args.labels and not Path(args.labels).is_file():
        raise BadInput(f"No such labels file: {args.labels}")
    _preflight(args)
    options = {}
    if zoo.data.detect_format(args.data) == "phasenet_npz":
        options = {"labels": args.labels, "p_column": args.p_column, "s_column": args.s_column}
    model = _load(args)
    records = zoo.data.iter_examples(
        args.data, components=model.zoo_card.waveform.components, split=args.split, **options
    )
    try:
        result = evaluate(
            model,
            records,
            tolerance=args.tolerance,
            thresholds=_thresholds(args.threshold),
            batch_size=args.batch_size,
            sweep_from=0.05 if args.pr_curve else None,
        )
    except OSError as err:  # h5py and NumPy report unreadable files as OSError
        raise BadInput(f"Cannot read the records in {args.data}: {err}") from err
    scores = result.scores
    n_records = result.labels["trace_id"].nunique()
    split = f", split {args.split}" if args.split else ""
    print(
        f"{model.zoo_card.prefix} ({model.zoo_preset}) on {plural(n_records, 'labelled record')}{split}, "
        f"tolerance {args.tolerance:g} s"
    )
    print(scores.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.csv:
        scores.to_csv(args.csv)
        print(f"wrote {args.csv}")
    if args.pr_curve:
        plot_precision_recall(result.sweep(tolerance=args.tolerance), args.pr_curve)
        print(f"wrote {args.pr_curve}")


_TRAIN_EPILOG = "The options of a recipe: zoo train --model NAME --help"


def cmd_train(args: argparse.Namespace) -> None:
    """Parse the recipe's own options from the rest of the command line and run it."""
    import importlib

    recipes = train_recipes()
    if args.model is None:
        if args.help:
            print_train_help(args.train_parser)
            return
        raise BadInput(
            f"zoo train needs --model NAME, one of {', '.join(sorted(recipes))} (see `zoo train --help`)."
        )
    if args.model not in recipes:
        raise BadInput(
            f"--model {args.model!r} has no training recipe; models with one: {', '.join(sorted(recipes))}."
        )
    _start_tensorflow(args)
    recipe = importlib.import_module(recipes[args.model])
    parser = _Parser(prog=f"zoo train --model {args.model}", description=recipe.__doc__.splitlines()[0])
    recipe.add_arguments(parser)
    extra = [*args.extra, "--help"] if args.help else args.extra
    recipe.run(parser.parse_args(extra, argparse.Namespace(model=args.model)))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="zoo", description="geozoo: seismology models on ObsPy streams.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("--version", action="version", version=f"geozoo {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the models").set_defaults(func=cmd_list)
    info = sub.add_parser("info", help="show a model card and its presets, or a preset folder")
    info.add_argument("name", help="model name (see `zoo list`) or preset folder (zoo.save_preset)")
    info.set_defaults(func=cmd_info)
    for name, func, helptext in (
        ("pick", cmd_pick, "pick phases in waveform files"),
        ("annotate", cmd_annotate, "write probability traces"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("files", nargs="*", help="waveform files ObsPy can read (MiniSEED, SAC, ...)")
        p.add_argument("--example", action="store_true", help="use ObsPy's bundled example event (BW.RJOB)")
        p.add_argument("--model", default="phasenet", help="model name (see `zoo list`) or preset folder")
        p.add_argument("--preset", default=None, help="weights preset (default: the model's default)")
        p.add_argument("--batch-size", type=int, default=128, help="windows in the network at once")
        p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
        p.set_defaults(func=func)
        if name == "pick":
            p.add_argument("--threshold", help="per-label thresholds, e.g. P=0.3,S=0.3")
            p.add_argument("--output", help="write picks to .csv or .xml (QuakeML)")
        else:
            p.add_argument("--output", required=True, help="output file, e.g. ann.mseed")
    evaluate = sub.add_parser("evaluate", help="precision/recall/F1 of picks on labelled records")
    evaluate.add_argument(
        "--data", required=True, help="labelled records: SeisBench folder, STEAD, NPZ folder"
    )
    evaluate.add_argument("--split", choices=("train", "dev", "test"), help="evaluate one split only")
    evaluate.add_argument("--labels", help="NPZ data: the labels CSV (default: found beside the folder)")
    evaluate.add_argument("--p-column", default="itp", help="NPZ data: CSV column of the P arrival sample")
    evaluate.add_argument("--s-column", default="its", help="NPZ data: CSV column of the S arrival sample")
    evaluate.add_argument("--tolerance", type=float, default=0.1, help="hit tolerance in seconds")
    evaluate.add_argument("--model", default="phasenet", help="model name or preset folder")
    evaluate.add_argument("--preset", default=None)
    evaluate.add_argument("--threshold", help="per-label thresholds, e.g. P=0.3,S=0.3")
    evaluate.add_argument("--batch-size", type=int, default=128)
    evaluate.add_argument("--csv", help="also write the table as CSV")
    evaluate.add_argument("--pr-curve", help="also write a precision-recall plot (PNG) over thresholds")
    evaluate.add_argument("--overwrite", action="store_true", help="replace existing output files")
    evaluate.set_defaults(func=cmd_evaluate)
    train = sub.add_parser(
        "train",
        add_help=False,
        help="train a model with its recipe; `zoo train --model NAME --help` lists its options",
        description="Train a model with its recipe; every option after --model NAME belongs to the recipe.",
        epilog=_TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument(
        "-h", "--help", action="store_true", help="show this help (with --model: the recipe's)"
    )
    train.add_argument("--model", help="the model to train (models with a recipe: see zoo train --help)")
    train.set_defaults(func=cmd_train, train_parser=train)
    add_export_cli(sub)
    add_archive_cli(sub)
    add_convert_cli(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _one_line(err: BaseException) -> str:
    """The message of ``err`` on one line (a ``KeyError`` without its quotes)."""
    text = str(err.args[0]) if isinstance(err, KeyError) and err.args else str(err)
    return " ".join(text.split()) or type(err).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``zoo`` console script; returns the exit status."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "train":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("default", UserWarning)
        warnings.showwarning = _show_warning
        try:
            if args.command not in NO_TENSORFLOW:
                _start_tensorflow(args)
            args.func(args)
        except BrokenPipeError:  # the reader of our output went away (e.g. `zoo list | head -3`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        except (BadInput, ValueError, TypeError, FileExistsError, ImportError, OSError) as err:
            if args.verbose:
                raise
            print(f"zoo: error: {_one_line(err)}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
