"""What the ``zoo`` command line says about models: ``zoo list``, ``zoo info``, training recipes (no TensorFlow).

``zoo info`` takes a model name or a preset folder written by :func:`zoo.save_preset` (as ``pick``
and ``evaluate`` do): for a folder it prints the card of the folder's model, the builder
configuration, the metadata and each file with its size and sha256.

Example:
    >>> card_for("phasenet").name, short_citation(card_for("phasenet").citation)
    ('phasenet', 'Zhu & Beroza (2019)')
"""

from __future__ import annotations

import argparse
import ast
import importlib.machinery
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoo.registry import ModelCard


def card_for(model: str) -> ModelCard:
    """The card of a model name or of a preset folder's model, with its card variant (nothing is built)."""
    import zoo
    from zoo.preset_folder import is_preset_folder, read_config
    from zoo.registry import Variant

    if is_preset_folder(model):
        config = read_config(model)
        variant = config.get("variant")
        variant = None if variant is None else Variant.from_dict(variant, f"{model}: variant")
        return zoo.card(config["model"]).with_variant(variant)
    return zoo.card(model)


def train_recipes() -> dict[str, str]:
    """Model name -> module of its ``zoo train`` recipe (``add_arguments(parser)``, ``run(args)``), from the cards."""
    import zoo

    return {
        name: zoo.card(name).training.recipe for name in zoo.list_models() if zoo.card(name).training.recipe
    }


def print_train_help(parser: argparse.ArgumentParser) -> None:
    """The ``zoo train`` help and, per model, the first line of its recipe's description (nothing imported)."""
    parser.print_help()
    print("\nmodels and their training recipes:")
    for name, module in train_recipes().items():
        print(f"  {name:<14} {recipe_summary(module)}")


def recipe_summary(module: str) -> str:
    """The first line of a module's docstring, read from its source without importing it (or its package).

    Example:
        >>> recipe_summary("zoo.train.pickers").split(":")[0]
        'Recipe `zoo train --model phasenet|eqtransformer`'
    """
    parts = module.split(".")
    spec = importlib.machinery.PathFinder.find_spec(parts[0], sys.path)
    for depth in range(1, len(parts)):
        if spec is None or not spec.submodule_search_locations:
            break
        spec = importlib.machinery.PathFinder.find_spec(
            ".".join(parts[: depth + 1]), spec.submodule_search_locations
        )
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise ValueError(f"Cannot find the source of the training recipe {module!r}.")
    doc = ast.get_docstring(ast.parse(Path(spec.origin).read_text())) or ""
    return doc.strip().split("\n")[0]


def short_citation(citation: str) -> str:
    """``"Zhu & Beroza (2019)"``, ``"Mousavi et al. (2020)"`` for the model table (a citation without a
    year is given whole).

    Example:
        >>> short_citation("Ross, Z. E., Meier, M.-A., Hauksson, E., & Heaton, T. H. (2018). Generalized ...")
        'Ross et al. (2018)'
    """
    year = re.search(r"\((19|20)\d\d\)", citation)
    if not year:
        return citation
    surnames = re.findall(r"([A-Z][A-Za-z'-]+), (?:[A-Z]\.[ -]?)+", citation[: year.start()])
    if not surnames:
        return citation[: year.end()]
    authors = " & ".join(surnames) if len(surnames) <= 2 else f"{surnames[0]} et al."
    return f"{authors} {year.group(0)}"


def cmd_list(args: argparse.Namespace) -> None:
    """Print the model table."""
    import zoo

    rows = [("name", "task", "presets", "input", "rate", "citation")]
    for name in zoo.list_models():
        c = zoo.card(name)
        shape = f"{c.waveform.samples} x {c.waveform.components}" if c.waveform else "-"
        rate = f"{c.waveform.sampling_rate:g} Hz" if c.waveform else "-"
        rows.append((name, c.task, ",".join(c.presets) or "-", shape, rate, short_citation(c.citation)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths)) + "  " + row[5])


def _print_card(c: ModelCard) -> None:
    print(f"  task: {c.task}; licence: {c.licence or 'see presets'}")
    print(f"  citation: {c.citation}")
    if c.waveform is not None:
        w = c.waveform
        print(f"  input: {w.samples} samples x {w.components} at {w.sampling_rate:g} Hz")
    if c.annotation is not None:
        a = c.annotation
        print(
            f"  labels: {', '.join(a.labels)}; overlap {a.overlap} samples; {a.stacking} stacking; "
            f"blinding {a.blinding}"
        )
    if c.trigger is not None and c.trigger.thresholds:
        print("  default thresholds: " + ", ".join(f"{k}={v:g}" for k, v in c.trigger.thresholds.items()))
    if c.training is not None and c.training.recipe:
        print(f"  training: zoo train --model {c.name} (recipe {c.training.recipe})")
    if c.variants:
        print(f"  card variants: {', '.join(sorted(c.variants))}")


def _info_folder(folder: Path) -> None:
    """A preset folder: its model's card, the builder configuration, metadata and files."""
    from zoo.preset_folder import read_config, read_metadata
    from zoo.weights import sha256sum

    config = read_config(folder)
    c = card_for(str(folder))
    print(f"{folder}: preset folder of {c.name} ({c.description})")
    _print_card(c)
    print(f"  builder configuration: {config.get('config', {})}")
    if config.get("variant"):
        print(f"  card variant: {config['variant']}")
    try:
        metadata = read_metadata(folder)
    except (OSError, ValueError):
        metadata = {}
    for key, value in metadata.items():
        print(f"  {key}: {value}")
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        print(f"    {path.name}  {path.stat().st_size} B  sha256 {sha256sum(path)}")


def cmd_info(args: argparse.Namespace) -> None:
    """Print one model card and its presets, or a preset folder's model and files."""
    import zoo
    from zoo.preset_folder import is_preset_folder

    if is_preset_folder(args.name):
        _info_folder(Path(args.name))
        return
    if Path(args.name).is_dir():
        raise ValueError(
            f"{args.name} is a folder but not a preset folder (no config.json from zoo.save_preset)."
        )
    c = zoo.card(args.name)
    print(f"{c.name}: {c.description}")
    _print_card(c)
    for name, preset in c.presets.items():
        default = " (default)" if name == c.default_preset else ""
        print(f"  preset {name}{default}: {preset.description}")
        for f in preset.files:
            where = f"{f.package} (shipped): {f.path}" if f.package else f.path
            print(f"    {where}  {f.size} B  sha256 {f.sha256}")
