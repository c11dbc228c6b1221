"""Annotation traces to waveform files: SEED channel codes and one file per trace where a format needs it.

Rules (``zoo annotate --output``):

- The format follows the file ending (``.mseed``/``.miniseed``/``.ms`` MiniSEED, ``.sac`` SAC, ...: any
  format ObsPy writes, except Q, whose header and data files are named by ObsPy itself, and GSE2, GCF
  and WAV, which hold integers: probabilities would be truncated to 0 or 1).
- SEED formats keep three characters of a channel code, so every format except PICKLE gets the channel
  ``<band><instrument><label letter>``: the instrument the annotation came from and the first letter
  of the label (``PhaseNet_P`` of ``BW.RJOB..EH`` -> ``EHP``; PhaseNet's noise label becomes ``EHN``,
  which reads like a north component: these files hold probabilities, not ground motion). PICKLE keeps
  the traces as :func:`zoo.annotate` made them.
- Formats that hold one trace per file (:data:`ONE_TRACE_PER_FILE`: SAC, SACXY) get one file per
  trace, named ``<stem>.<Model>_<label><suffix>``; with several instruments the instrument id comes
  first (``ann.BW.RJOB..EH.PhaseNet_P.sac``), with several segments of one instrument their start time
  last (``ann.PhaseNet_P.20090824T002003Z.sac``). SAC headers also carry the model and the label in
  ``kuser0`` and ``kuser1`` (8 characters each).
- Every target is checked before anything is written; existing files are replaced only with
  ``overwrite``. Each file is written atomically.

Example:
    >>> import obspy, zoo, tempfile
    >>> from pathlib import Path
    >>> ann = zoo.annotate(zoo.load("phasenet"), obspy.read())
    >>> files = plan(ann, Path(tempfile.mkdtemp()) / "ann.sac", "PhaseNet")
    >>> [(path.name, st[0].stats.channel) for path, st in files]
    [('ann.PhaseNet_N.sac', 'EHN'), ('ann.PhaseNet_P.sac', 'EHP'), ('ann.PhaseNet_S.sac', 'EHS')]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import obspy
from obspy.core.util import AttribDict

from zoo.files import write_atomically
from zoo.waveforms.annotate import annotation_instrument_id

ONE_TRACE_PER_FILE = frozenset({"SAC", "SACXY"})
"""ObsPy writers that store one trace per file (given several, ObsPy would number the files itself).

WAV does too, but it is refused (:data:`UNSUPPORTED_FORMATS`)."""

KEEPS_TRACES = frozenset({"PICKLE"})
"""Formats that keep every trace attribute, so the annotation channel names stay as they are."""

_MINISEED_ENDINGS = {".mseed": "MSEED", ".miniseed": "MSEED", ".ms": "MSEED"}
UNSUPPORTED_FORMATS = {
    "Q": "ObsPy writes Q as a header and a data file of its own naming",
    "GSE2": "GSE2 holds integer counts and annotations are probabilities",
    "GCF": "GCF holds integer counts and annotations are probabilities (they would be truncated to 0 or 1)",
    "WAV": "WAV holds integer samples and annotations are probabilities (they would be truncated to 0 or 1)",
}
"""ObsPy writers ``zoo annotate`` refuses, with the reason."""


def output_format(path: str | os.PathLike) -> str:
    """The ObsPy format name for an output file, from its ending (``ann.sac`` -> ``"SAC"``).

    Raises:
        ValueError: The ending names no format ObsPy can write.

    Example:
        >>> output_format("day.ann.mseed"), output_format("ann.SAC")
        ('MSEED', 'SAC')
    """
    from obspy.core.util.base import ENTRY_POINTS

    suffix = Path(path).suffix.lower()
    fmt = _MINISEED_ENDINGS.get(suffix, suffix[1:].upper())
    writable = sorted(set(ENTRY_POINTS["waveform_write"]) - set(UNSUPPORTED_FORMATS))
    if fmt in UNSUPPORTED_FORMATS:
        raise ValueError(
            f"Cannot write annotations as {fmt}: {UNSUPPORTED_FORMATS[fmt]}; use .mseed or .sac."
        )
    if fmt not in writable:
        raise ValueError(
            f"Cannot tell a waveform format from the ending of {os.fspath(path)!r}; use .mseed (MiniSEED), "
            f".sac or another ObsPy format name as the ending ({', '.join(f.lower() for f in writable)})."
        )
    return fmt


def seed_channel_codes(labels: Sequence[str], instrument: str) -> dict[str, str]:
    """Channel code per label: the instrument's band and instrument code plus the label's first letter.

    Raises:
        ValueError: Two labels start with the same letter.

    Example:
        >>> seed_channel_codes(["Detection", "P", "S"], "HH")
        {'Detection': 'HHD', 'P': 'HHP', 'S': 'HHS'}
    """
    codes = {label: f"{instrument}{label[:1].upper()}" for label in labels}
    if len(set(codes.values())) != len(codes):
        raise ValueError(
            f"Labels {list(labels)} do not start with distinct letters, so they have no distinct "
            "3-character channel codes; write PICKLE (.pickle) instead."
        )
    return codes


def plan(
    annotations: obspy.Stream, path: str | os.PathLike, prefix: str, fmt: str | None = None
) -> list[tuple[Path, obspy.Stream]]:
    """The files to write and the traces of each, renamed per the module's rules (copies; input untouched).

    Args:
        annotations: Traces from :func:`zoo.annotate` (channel ``<prefix>_<label>``).
        path: The output file the user asked for.
        prefix: The model's channel prefix (``card.prefix``, e.g. ``"PhaseNet"``).
        fmt: ObsPy format name (default: from the ending, see :func:`output_format`).
    """
    path = Path(path)
    fmt = fmt or output_format(path)
    labels = sorted({tr.stats.channel[len(prefix) + 1 :] for tr in annotations})
    renamed = obspy.Stream()
    for tr in annotations:
        tr = tr.copy()
        label = tr.stats.channel[len(prefix) + 1 :]
        if fmt not in KEEPS_TRACES:
            tr.stats.channel = seed_channel_codes(labels, tr.stats.get("instrument", ""))[label]
        if fmt in ("SAC", "SACXY"):
            tr.stats.sac = AttribDict({"kuser0": prefix[:8], "kuser1": label[:8]})
        renamed.append(tr)
    if fmt not in ONE_TRACE_PER_FILE:
        return [(path, renamed)]
    several_instruments = len({annotation_instrument_id(tr) for tr in annotations}) > 1
    starts: dict[tuple[str, str], int] = {}
    for tr in annotations:
        key = (annotation_instrument_id(tr), tr.stats.channel)
        starts[key] = starts.get(key, 0) + 1
    files = []
    for original, tr in zip(annotations, renamed):
        key = (annotation_instrument_id(original), original.stats.channel)
        parts = [path.stem] + [key[0]] * several_instruments + [key[1]]
        if starts[key] > 1:
            parts.append(original.stats.starttime.strftime("%Y%m%dT%H%M%SZ"))
        files.append((path.with_name(".".join(parts) + path.suffix), obspy.Stream([tr])))
    names = [p for p, _ in files]
    if len(set(names)) != len(names):
        raise ValueError(
            f"Annotation segments start within one second of each other; write {path.stem}.mseed."
        )
    return sorted(files, key=lambda item: str(item[0]))


def existing_targets(files: Sequence[tuple[Path, obspy.Stream]]) -> list[Path]:
    """The planned files that exist already."""
    return [p for p, _ in files if p.exists()]


def write(files: Sequence[tuple[Path, obspy.Stream]], fmt: str, overwrite: bool = False) -> list[Path]:
    """Write each planned file atomically; checks every target first and writes nothing if one exists.

    Raises:
        FileExistsError: A target exists and ``overwrite`` is false.
    """
    existing = existing_targets(files)
    if existing and not overwrite:
        raise FileExistsError(
            f"{existing[0]} exists ({len(existing)} of {len(files)} files); pass overwrite=True to replace them."
        )
    return [
        write_atomically(p, lambda tmp, st=st: st.write(str(tmp), format=fmt), overwrite=overwrite)
        for p, st in files
    ]
