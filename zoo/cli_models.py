"""What the ``zoo`` command line says about models: ``zoo list``, ``zoo info``, waveform models.

``zoo info`` takes a model name or a preset folder written by :func:`zoo.save_preset` (as ``pick``
and ``evaluate`` do): for a folder it prints the card of the folder's model, the builder
configuration, the metadata and each file with its size and sha256.

Example:
    >>> card_for("phasenet").name, "phasenet" in waveform_models(), "xdisc" in waveform_models()
    ('phasenet', True, False)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoo.registry import ModelCard


def card_for(model: str) -> ModelCard:
    """The card of a model name or of a preset folder's model (nothing is built or loaded)."""
    import zoo
    from zoo.preset_folder import is_preset_folder, read_config

    if is_preset_folder(model):
        return zoo.card(read_config(model)["model"])
    return zoo.card(model)


def waveform_models() -> list[str]:
    """Registered models that ``zoo pick``/``annotate``/``evaluate`` can run on waveforms."""
    import zoo

    return [name for name in zoo.list_models() if is_waveform_model(zoo.card(name))]


def is_waveform_model(card: ModelCard) -> bool:
    """True if the card states a window, sampling rate, components and labels (pickers, detectors)."""
    return bool(card.components and card.sampling_rate and card.input_samples and card.labels)


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


def _print_card(c: ModelCard) -> None:
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


def _info_folder(folder: Path) -> None:
    """A preset folder: its model's card, the builder configuration, metadata and files."""
    from zoo.preset_folder import read_config, read_metadata
    from zoo.weights import sha256sum

    config = read_config(folder)
    c = card_for(str(folder))
    print(f"{folder}: preset folder of {c.name} ({c.description})")
    _print_card(c)
    print(f"  builder configuration: {config.get('config', {})}")
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
