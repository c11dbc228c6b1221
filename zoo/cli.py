"""The ``zoo`` command line: list models, show a card, pick and annotate waveform files.

Usage::

    zoo list
    zoo info phasenet
    zoo pick --example
    zoo pick day.mseed --model phasenet --threshold P=0.3,S=0.3 --output picks.csv
    zoo annotate day.mseed --output ann.mseed
    zoo evaluate --data ncedc/pred --labels ncedc/labels.csv --p-column pred_itp --s-column pred_its
    zoo export phasenet --out serving --version 1
    zoo train --model xdisc --stage synthetic --epochs 12 --output xdisc.weights.h5

Bad input ends with exit status 2 and a one-line message on standard error.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import obspy

from zoo.archive.cli import add_cli as add_archive_cli
from zoo.export.cli import add_cli as add_export_cli

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """A problem with the user's command line or files (reported in one line, exit status 2)."""


def _thresholds(text: str | None) -> dict[str, float]:
    """Parse ``P=0.3,S=0.3`` into ``{"P_threshold": 0.3, "S_threshold": 0.3}``."""
    if not text:
        return {}
    out = {}
    for item in text.split(","):
        label, sep, value = item.partition("=")
        try:
            out[f"{label.strip()}_threshold"] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise BadInput(
                f"--threshold expects LABEL=VALUE pairs separated by commas (e.g. P=0.3,S=0.3), got {item!r}."
            )
    return out


def _read(files: Sequence[str], example: bool) -> obspy.Stream:
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


def _load(args: argparse.Namespace):
    import zoo

    return zoo.load(args.model, pretrained=args.preset or True)


def cmd_list(args: argparse.Namespace) -> None:
    """Print the model table."""
    import zoo

    rows = [("name", "task", "presets", "input", "rate", "citation")]
    for name in zoo.list_models():
        c = zoo.card(name)
        shape = f"{c.input_samples} x {c.components}" if c.input_samples else "-"
        rate = f"{c.sampling_rate:g} Hz" if c.sampling_rate else "-"
        rows.append((name, c.task, ",".join(c.presets) or "-", shape, rate, c.citation))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths)) + "  " + row[5])


def cmd_info(args: argparse.Namespace) -> None:
    """Print one model card and its presets."""
    import zoo

    c = zoo.card(args.name)
    print(f"{c.name}: {c.description}")
    print(f"  task: {c.task}; citation: {c.citation}; licence: {c.licence or 'see presets'}")
    if c.input_samples and c.sampling_rate:
        print(
            f"  input: {c.input_samples} samples x {c.components} at {c.sampling_rate:g} Hz; labels: "
            f"{', '.join(c.labels)}; overlap {c.overlap} samples; {c.stacking} stacking; blinding {c.blinding}"
        )
    elif c.input_samples:
        print(f"  input: {c.input_samples} values; outputs: {', '.join(c.labels) or '-'}")
    if c.thresholds:
        print("  default thresholds: " + ", ".join(f"{k}={v:g}" for k, v in c.thresholds.items()))
    for name, preset in c.presets.items():
        default = " (default)" if name == c.default_preset else ""
        print(f"  preset {name}{default}: {preset.description}")
        for f in preset.files:
            where = f"{f.package} (shipped): {f.path}" if f.package else f.path
            print(f"    {where}  {f.size} B  sha256 {f.sha256}")


def cmd_pick(args: argparse.Namespace) -> None:
    """Pick phases and print them; optionally write CSV or QuakeML."""
    import zoo

    suffix = Path(args.output).suffix.lower() if args.output else None
    if suffix not in (None, ".csv", ".xml", ".qml", ".quakeml"):
        raise BadInput(f"--output must end in .csv or .xml (QuakeML), got {args.output!r}.")
    if args.output and Path(args.output).exists() and not args.overwrite:
        raise BadInput(f"{args.output} exists; add --overwrite to replace it.")
    stream = _read(args.files, args.example)
    thresholds = _thresholds(args.threshold)
    model = _load(args)
    picks = zoo.classify(model, stream, batch_size=args.batch_size, **thresholds)
    detections = f", {len(picks.detections)} detections" if model.zoo_card.detection_labels else ""
    print(f"{len(picks)} picks{detections} by {model.zoo_card.prefix} ({model.zoo_preset})")
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


def seed_channel_codes(labels: Sequence[str]) -> dict[str, str]:
    """Three-character channel codes for annotation labels (MiniSEED keeps only three characters)."""
    codes = {label: label.replace("_", "").upper()[:3] for label in labels}
    if len(set(codes.values())) != len(codes):
        raise BadInput(f"Labels {list(labels)} do not map to distinct 3-character MiniSEED channel codes.")
    return codes


def cmd_annotate(args: argparse.Namespace) -> None:
    """Write the probability traces to a MiniSEED (or other ObsPy-writable) file."""
    import zoo

    stream = _read(args.files, args.example)
    out = Path(args.output)
    if out.exists() and not args.overwrite:
        raise BadInput(f"{out} exists; add --overwrite to replace it.")
    model = _load(args)
    annotations = zoo.annotate(model, stream, batch_size=args.batch_size)
    prefix = model.zoo_card.prefix + "_"
    fmt = "MSEED" if out.suffix.lower() in (".mseed", ".miniseed", ".ms") else None
    if fmt == "MSEED":
        codes = seed_channel_codes(model.zoo_card.labels)
        for tr in annotations:
            tr.stats.channel = codes[tr.stats.channel[len(prefix) :]]
        print("MiniSEED channel codes: " + ", ".join(f"{prefix}{k} -> {v}" for k, v in codes.items()))
    try:
        annotations.write(str(out), format=fmt)
    except (ValueError, TypeError) as err:
        raise BadInput(f"Cannot write {out}: {err}") from err
    print(f"wrote {len(annotations)} traces to {out}")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on standard error and exit status 2."""

    def error(self, message: str) -> None:
        self.exit(EXIT_BAD_INPUT, f"zoo: error: {message} (see `{self.prog} --help`)\n")


def cmd_evaluate(args: argparse.Namespace) -> None:
    """Pick labelled records and print precision, recall and F1 per phase (rows P/S)."""
    import zoo.data
    from zoo.evaluation import evaluate
    from zoo.metrics import plot_precision_recall

    for output in (args.csv, args.pr_curve):
        if output and Path(output).exists() and not args.overwrite:
            raise BadInput(f"{output} exists; add --overwrite to replace it.")
    if not Path(args.data).exists():
        raise BadInput(f"No such data: {args.data}")
    model = _load(args)
    options = {}
    if zoo.data.detect_format(args.data) == "phasenet_npz":
        options = {"labels": args.labels, "p_column": args.p_column, "s_column": args.s_column}
    records = zoo.data.iter_examples(
        args.data, components=model.zoo_card.components, split=args.split, **options
    )
    result = evaluate(
        model,
        records,
        tolerance=args.tolerance,
        thresholds=_thresholds(args.threshold),
        batch_size=args.batch_size,
        sweep_from=0.05 if args.pr_curve else None,
    )
    scores = result.scores
    n_records = result.labels["trace_id"].nunique()
    split = f", split {args.split}" if args.split else ""
    print(
        f"{model.zoo_card.prefix} ({model.zoo_preset}) on {n_records} labelled records{split}, "
        f"tolerance {args.tolerance:g} s"
    )
    print(scores.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.csv:
        scores.to_csv(args.csv)
        print(f"wrote {args.csv}")
    if args.pr_curve:
        plot_precision_recall(result.sweep(tolerance=args.tolerance), args.pr_curve)
        print(f"wrote {args.pr_curve}")


TRAIN_RECIPES = {
    "eqtransformer": "zoo.train.pickers",
    "max": "zoo.train.max",
    "phasenet": "zoo.train.pickers",
    "xdisc": "zoo.train.receiver_functions",
}
"""Model name -> recipe module with ``add_arguments(parser)`` and ``run(args)``."""


def cmd_train(args: argparse.Namespace) -> None:
    """Parse the recipe's own options from the rest of the command line and run it."""
    import importlib

    recipe = importlib.import_module(TRAIN_RECIPES[args.model])
    parser = _Parser(prog=f"zoo train --model {args.model}", description=recipe.__doc__.splitlines()[0])
    recipe.add_arguments(parser)
    recipe.run(parser.parse_args(args.extra, argparse.Namespace(model=args.model)))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="zoo", description="geozoo: seismology models on ObsPy streams.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the models").set_defaults(func=cmd_list)
    info = sub.add_parser("info", help="show a model card and its presets")
    info.add_argument("name")
    info.set_defaults(func=cmd_info)
    for name, func, helptext in (
        ("pick", cmd_pick, "pick phases in waveform files"),
        ("annotate", cmd_annotate, "write probability traces"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("files", nargs="*", help="waveform files ObsPy can read (MiniSEED, SAC, ...)")
        p.add_argument("--example", action="store_true", help="use ObsPy's bundled example event (BW.RJOB)")
        p.add_argument("--model", default="phasenet", help="model name (see `zoo list`)")
        p.add_argument("--preset", default=None, help="weights preset (default: the model's default)")
        p.add_argument("--batch-size", type=int, default=128, help="windows per predict call")
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
    )
    train.add_argument("--model", required=True, choices=sorted(TRAIN_RECIPES))
    train.set_defaults(func=cmd_train)
    add_export_cli(sub)
    add_archive_cli(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


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
    from zoo.runtime import tune_allocator

    tune_allocator()
    with warnings.catch_warnings():
        warnings.simplefilter("default", UserWarning)
        warnings.showwarning = _show_warning
        try:
            args.func(args)
        except (BadInput, ValueError, TypeError, FileExistsError, ImportError) as err:
            if args.verbose:
                raise
            print(f"zoo: error: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
