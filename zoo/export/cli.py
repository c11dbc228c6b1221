"""The ``zoo export`` subcommand: ``zoo export NAME --preset P --out DIR --version N [--format F]``.

Writes ``DIR/NAME/N/`` (SavedModel for TF Serving) or ``DIR/NAME/N/model.onnx`` and prints the
path and the served signatures.

Example::

    zoo export phasenet --out serving --version 1
    zoo export phasenet --out onnx-models --version 1 --format onnx
"""

from __future__ import annotations

import argparse
from pathlib import Path

FORMAT_CHOICES = ("savedmodel", "onnx")


def add_cli(subparsers) -> None:
    """Add the ``export`` sub-parser to an ``argparse`` sub-parser collection."""
    p = subparsers.add_parser(
        "export",
        help="export a model for TF Serving (SavedModel) or ONNX",
        description=__doc__.split("\n")[0],
    )
    p.add_argument("name", help="model name (see `zoo list`)")
    p.add_argument("--preset", default=None, help="weights preset (default: the model's default)")
    p.add_argument("--out", default="serving", help="base folder; the model goes to OUT/NAME/VERSION")
    p.add_argument(
        "--version", type=int, default=None, help="positive version number (default: the next free one)"
    )
    p.add_argument("--format", choices=FORMAT_CHOICES, default="savedmodel", help="output format")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> None:
    """Check the output folder, load the model, export it, print where it went and what it serves.

    Everything that can be checked without the model is checked first: ``--out`` is a folder (or
    can be created) that this process can write, and the version folder is free.
    """
    import zoo
    from zoo.export import export
    from zoo.export.layout import check_version
    from zoo.export.signatures import check_card, output_names
    from zoo.output_paths import check_output_folder

    card = zoo.card(args.name)
    check_card(card)
    check_output_folder(args.out, option="--out")
    target = check_output_folder(Path(args.out) / card.name, option="--out")
    check_version(target, args.version)
    if args.format == "onnx":
        from zoo.export.onnx import check_onnx_installed

        check_onnx_installed()
    else:
        from zoo.export.warmup import serving_apis

        serving_apis()
    model = zoo.load(card.name, pretrained=args.preset or True)
    path = export(model, target, version=args.version, format=args.format)
    print(f"wrote {path} ({card.name}, preset {model.zoo_preset})")
    print(
        f"input: waveform float32 [windows, {card.waveform.samples}, {len(card.waveform.components)}] raw counts, "
        f"components {card.waveform.components} at {card.waveform.sampling_rate:g} Hz"
    )
    print("outputs: " + ", ".join(output_names(card)))
