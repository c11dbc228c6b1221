"""The ``zoo archive`` subcommand: ``pick``, ``status`` and ``collect``.

Example::

    zoo archive pick sds:///data/SDS --stations "CI.*..HH?" --start 2019-07-04 --end 2019-07-11 \\
        --model phasenet --out runs/ridgecrest
    zoo archive status runs/ridgecrest
    zoo archive collect runs/ridgecrest --output picks.csv
"""

from __future__ import annotations

import argparse
import json


def _options(items: list[str] | None, flag: str) -> dict | None:
    """``KEY=VALUE`` items as a dict (values parsed as JSON where they are JSON, else strings)."""
    if not items:
        return None
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} expects KEY=VALUE (e.g. anon=true), got {item!r}.")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def add_cli(subparsers) -> None:
    """Add the ``archive`` sub-parser (with ``pick``, ``status``, ``collect``) to an ``argparse`` collection."""
    archive = subparsers.add_parser(
        "archive", help="pick a whole archive on Dask (SDS, templates, S3), resumable, Parquet output"
    )
    sub = archive.add_subparsers(dest="archive_command", required=True)
    p = sub.add_parser("pick", help="pick every selected instrument x chunk of an archive")
    p.add_argument(
        "source",
        nargs="+",
        help="sds://ROOT, a template such as s3://bucket/{year}/{year}_{doy}/{net}{sta:_<5}{cha}{loc:_<2}_{year}{doy}.ms, "
        "a glob, or MiniSEED files",
    )
    p.add_argument(
        "--stations", required=True, help="NET.STA.LOC.CHA patterns (comma-separated) or a file of them"
    )
    p.add_argument("--start", required=True, help="start time (anything ObsPy's UTCDateTime reads)")
    p.add_argument("--end", required=True, help="end time (exclusive)")
    p.add_argument("--out", required=True, help="run folder (path or fsspec URL)")
    p.add_argument("--model", default="phasenet", help="model name or preset folder")
    p.add_argument("--preset", default=None, help="weights preset (default: the model's default)")
    p.add_argument("--threshold", help="per-label thresholds, e.g. P=0.3,S=0.3")
    p.add_argument("--chunk", default="1d", help="task length: 1d (default), 6h, 1h, ... (must divide a day)")
    p.add_argument("--workers", type=int, help="local cluster: worker processes (default: cores / threads)")
    p.add_argument(
        "--threads-per-worker", type=int, help="TensorFlow threads per worker (default: cores / workers)"
    )
    p.add_argument("--scheduler", help="attach to a running Dask scheduler, e.g. tcp://head:8786")
    p.add_argument("--batch-size", type=int, default=128, help="windows in the network at once")
    p.add_argument(
        "--retries", type=int, default=2, help="extra attempts before a task is recorded in failed/"
    )
    p.add_argument(
        "--max-in-flight", type=int, help="tasks queued at a time (default: two per worker thread)"
    )
    p.add_argument("--save-annotations", action="store_true", help="also write probability traces per task")
    p.add_argument(
        "--zero-fill-missing",
        action="store_true",
        help="pick instruments lacking a component with zeros in its place",
    )
    p.add_argument(
        "--source-option", action="append", metavar="KEY=VALUE", help="fsspec option for the source"
    )
    p.add_argument(
        "--out-option", action="append", metavar="KEY=VALUE", help="fsspec option for the run folder"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_pick)
    s = sub.add_parser("status", help="done / failed / left tasks, data hours and picks of a run folder")
    s.add_argument("out", help="run folder")
    s.set_defaults(func=cmd_status)
    c = sub.add_parser("collect", help="write all picks of a run folder to .csv, .parquet or .xml (QuakeML)")
    c.add_argument("out", help="run folder")
    c.add_argument("--output", required=True, help="picks.csv, picks.parquet or picks.xml")
    c.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    c.set_defaults(func=cmd_collect)


def cmd_pick(args: argparse.Namespace) -> None:
    """Run (or resume) an archive run and print its summary."""
    from zoo.archive.run import pick
    from zoo.cli import threshold_keywords

    source = args.source[0] if len(args.source) == 1 else args.source
    summary = pick(
        source,
        args.stations,
        args.start,
        args.end,
        args.model,
        out=args.out,
        preset=args.preset,
        scheduler=args.scheduler,
        workers=args.workers,
        threads_per_worker=args.threads_per_worker,
        chunk=args.chunk,
        batch_size=args.batch_size,
        save_annotations=args.save_annotations,
        zero_fill=args.zero_fill_missing,
        retries=args.retries,
        max_in_flight=args.max_in_flight,
        source_options=_options(args.source_option, "--source-option"),
        out_options=_options(args.out_option, "--out-option"),
        progress=not args.no_progress,
        **threshold_keywords(args.threshold),
    )
    print(summary)
    if summary.failed:
        print(f"{summary.failed} tasks failed; see `zoo archive status {args.out}`")


def cmd_status(args: argparse.Namespace) -> None:
    """Print the state of a run folder."""
    from zoo.archive.results import status

    print(status(args.out))


def cmd_collect(args: argparse.Namespace) -> None:
    """Write the picks of a run folder to one file."""
    from zoo.archive.results import collect

    print(f"wrote {collect(args.out, args.output, overwrite=args.overwrite)}")
