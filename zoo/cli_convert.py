"""The ``zoo convert seisbench`` subcommand: SeisBench weights -> a preset folder that ``zoo.load`` builds.

Nothing of the zoo is imported until the command runs (``zoo --help`` stays fast).

``zoo convert seisbench PT --model NAME --out DIR [--metadata JSON] [--overwrite]`` converts
``NAME.pt[.vN]`` (with ``NAME.json[.vN]`` beside it, or ``--metadata``) with
:func:`zoo.convert_seisbench`, after checking the files and the output folder, and prints the folder
and the card it annotates with (the ``seisbench`` card variant).

Example::

    zoo convert seisbench ~/.seisbench/models/v3/phasenet/instance.pt.v3 --model phasenet --out pn-instance
    zoo pick day.mseed --model pn-instance
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_cli(subparsers) -> None:
    """Add the ``convert`` sub-parser (with its ``seisbench`` format) to an ``argparse`` collection."""
    convert = subparsers.add_parser(
        "convert",
        help="convert another library's weights into a preset folder",
        description=__doc__.split("\n")[0],
    )
    formats = convert.add_subparsers(dest="format", required=True)
    p = formats.add_parser("seisbench", help="SeisBench weights (NAME.pt[.vN] + NAME.json[.vN])")
    p.add_argument("pt", help="the SeisBench state dict, NAME.pt or NAME.pt.vN")
    p.add_argument(
        "--model",
        help="phasenet, eqtransformer, gpd, cred or SeisBench's class name (default: recognised from the weights)",
    )
    p.add_argument("--out", required=True, help="the preset folder to write")
    p.add_argument("--metadata", help="the JSON, if it is not beside PT with the same name")
    p.add_argument("--overwrite", action="store_true", help="replace a preset already in --out")
    p.set_defaults(func=cmd_convert_seisbench)


def cmd_convert_seisbench(args: argparse.Namespace) -> None:
    """Check the inputs and ``--out``, convert, print the folder and its card."""
    from zoo.output_paths import check_output_folder
    from zoo.preset_folder import is_preset_folder
    from zoo.seisbench.convert import convert_seisbench
    from zoo.seisbench.files import metadata_path_for
    from zoo.seisbench.models import model_name

    if args.model is not None:
        model_name(args.model)
    pt = Path(args.pt)
    if not pt.is_file():
        raise ValueError(f"No such file: {pt}")
    metadata = Path(args.metadata) if args.metadata else metadata_path_for(pt)
    if not metadata.is_file():
        raise ValueError(f"No such file: {metadata} (the JSON of {pt.name}; give it with --metadata)")
    out = check_output_folder(args.out, option="--out")
    if is_preset_folder(out) and not args.overwrite:
        raise ValueError(f"--out {out} already holds a preset; add --overwrite to replace it.")
    from zoo.cli_models import card_for

    folder = convert_seisbench(pt, args.model, out, metadata_path=metadata, overwrite=args.overwrite)
    card = card_for(str(folder))
    annotation = card.annotation
    print(f"wrote {folder} ({card.name}, card variant seisbench)")
    print(
        f"window {card.waveform.samples} samples at {card.waveform.sampling_rate:g} Hz, components "
        f"{card.waveform.components}, labels {','.join(annotation.labels)}, overlap {annotation.overlap}, "
        f"stacking {annotation.stacking}, thresholds "
        + ",".join(f"{label}={value:g}" for label, value in card.trigger.thresholds.items())
    )
