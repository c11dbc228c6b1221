"""Where the waveforms are: an SDS tree, a path/URL template, or a list (or glob) of MiniSEED files.

:func:`open_source` turns what the user typed into a source; ``source.files(selection, start, end)`` lists
the channel files that hold the selected channels between ``start`` and ``end``, as :class:`ChannelFile`
records (path, channel codes, the time the file covers). Paths are fsspec paths, so ``s3://``, ``gs://``,
``https://`` and ``memory://`` work where the matching fsspec driver is installed (s3fs and gcsfs come
with the ``cloud`` extra).

Templates use the fields ``{year} {doy} {month} {day} {net} {sta} {loc} {cha}`` with Python format
specs: ``{sta:_<5}`` pads the station code with ``_`` to five characters, as in SCEDC's bucket;
``{doy}`` defaults to three digits and ``{month}``/``{day}`` to two. A template is listed with one glob
per distinct value of the time fields in its folder part (one per day for SCEDC's day folders, one per
year for SDS), never one request per file.

Example:
    >>> t = Template("s3://scedc-pds/continuous_waveforms/{year}/{year}_{doy}/{net}{sta:_<5}{cha}{loc:_<2}_{year}{doy}.ms")
    >>> t.render(year=2019, doy=185, net="CI", sta="PASC", loc="", cha="HHZ")
    's3://scedc-pds/continuous_waveforms/2019/2019_185/CIPASC_HHZ___2019185.ms'
    >>> t.parse("s3://scedc-pds/continuous_waveforms/2019/2019_185/CIPASC_HHZ___2019185.ms")["sta"]
    'PASC'
    >>> open_source("sds:///data/SDS").template.text
    '/data/SDS/{year}/{net}/{sta}/{cha}.D/{net}.{sta}.{loc}.{cha}.D.{year}.{doy}'
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import string
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import fsspec
import obspy

from zoo.archive.stations import StationSelection

logger = logging.getLogger(__name__)

TIME_FIELDS = ("year", "doy", "month", "day")
CODE_FIELDS = ("net", "sta", "loc", "cha")
SDS_LAYOUT = "{year}/{net}/{sta}/{cha}.D/{net}.{sta}.{loc}.{cha}.D.{year}.{doy}"
"""ObsPy's SDS naming (``obspy.clients.filesystem.sds``) below the root."""

_DEFAULT_SPECS = {"year": "04d", "doy": "03d", "month": "02d", "day": "02d"}
_CODE_REGEX = {
    "net": "[A-Za-z0-9]{1,2}",
    "sta": "[A-Za-z0-9]{1,5}",
    "loc": "[A-Za-z0-9-]{0,2}",
    "cha": "[A-Za-z0-9]{3}",
}
_PADDED = re.compile(r"^(?P<fill>.)?(?P<align>[<>^])(?P<width>\d+)$")
_GLOB_CHARS = set("*?[")
_SELECTION_FIELDS = {"net": "network", "sta": "station", "loc": "location", "cha": "channel"}


@dataclass(frozen=True)
class ChannelFile:
    """One file holding (part of) one channel.

    Attributes:
        path: fsspec path or URL.
        network, station, location, channel: SEED codes (location ``""`` when empty).
        start: Start of the time the file covers (a template's day, or the first sample of a listed file).
        end: End of that time (exclusive).
        one_channel: The file holds only this channel, records in time order (SDS and bucket layouts), so
            a task needing a few minutes of it may fetch just the head or tail bytes.
    """

    path: str
    network: str
    station: str
    location: str
    channel: str
    start: obspy.UTCDateTime
    end: obspy.UTCDateTime
    one_channel: bool = True

    @property
    def instrument(self) -> str:
        """``NET.STA.LOC.CH``: the channel code without its component letter."""
        return f"{self.network}.{self.station}.{self.location}.{self.channel[:-1]}"


class Template:
    """A path/URL template with ``{year} {doy} {month} {day} {net} {sta} {loc} {cha}`` fields."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self.parts = list(string.Formatter().parse(text))
        except ValueError as err:
            raise ValueError(f"Cannot read the template {text!r}: {err}.") from err
        names = {name for _, name, _, _ in self.parts if name is not None}
        unknown = names - set(TIME_FIELDS + CODE_FIELDS)
        if unknown:
            raise ValueError(
                f"Template {text!r} has unknown field(s) {sorted(unknown)}; the fields are "
                f"{', '.join('{' + f + '}' for f in TIME_FIELDS + CODE_FIELDS)}."
            )
        missing = set(CODE_FIELDS) - names
        if missing:
            raise ValueError(
                f"Template {text!r} lacks {sorted('{' + m + '}' for m in missing)}: every file must name its "
                "channel (net, sta, loc, cha); use a list or glob of files otherwise."
            )
        if "year" not in names or not ("doy" in names or {"month", "day"} <= names):
            raise ValueError(
                f"Template {text!r} must date its files with {{year}} and {{doy}} (or {{month}} and {{day}})."
            )
        folder = text.rsplit("/", 1)[0] if "/" in text else ""
        self.folder_time_fields = tuple(
            f for f in TIME_FIELDS if f in {n for _, n, _, _ in string.Formatter().parse(folder) if n}
        )
        self._regex = re.compile(self._pattern())

    def render(self, **values: Any) -> str:
        """The path for the given field values (time fields as integers, codes as strings)."""
        return "".join(
            literal + ("" if name is None else format(values[name], spec or _DEFAULT_SPECS.get(name, "")))
            for literal, name, spec, _ in self.parts
        )

    def glob(self, **values: Any) -> str:
        """A glob pattern: given fields rendered, the others ``*`` (a code pattern without a spec is kept)."""
        out = []
        for literal, name, spec, _ in self.parts:
            out.append(glob_escape(literal))
            if name is None:
                continue
            value = values.get(name)
            if value is None or (spec and isinstance(value, str) and _GLOB_CHARS & set(value)):
                out.append("*")
            elif isinstance(value, str) and _GLOB_CHARS & set(value):
                out.append(value)
            else:
                out.append(glob_escape(format(value, spec or _DEFAULT_SPECS.get(name, ""))))
        return "".join(out)

    def parse(self, path: str) -> dict[str, Any] | None:
        """The field values of a path made by this template (padding stripped), or ``None``."""
        match = self._regex.fullmatch(path)
        if match is None:
            return None
        values: dict[str, Any] = {}
        for _, name, spec, _ in self.parts:
            if name is None or name in values:
                continue
            raw = match.group(name)
            padded = _PADDED.match(spec or "")
            if padded and name in CODE_FIELDS:
                fill = padded["fill"] or " "
                raw = {"<": raw.rstrip, ">": raw.lstrip, "^": raw.strip}[padded["align"]](fill)
            values[name] = int(raw) if name in TIME_FIELDS else raw
        if values["loc"] == "--":
            values["loc"] = ""
        return values

    def _pattern(self) -> str:
        regex, seen = [], set()
        for literal, name, spec, _ in self.parts:
            regex.append(re.escape(literal))
            if name is None:
                continue
            if name in seen:
                regex.append(f"(?P={name})")
                continue
            seen.add(name)
            padded = _PADDED.match(spec or "")
            width = re.match(r"^0?(\d+)d?$", spec or _DEFAULT_SPECS.get(name, ""))
            if padded:
                body = f".{{{padded['width']}}}"
            elif name in TIME_FIELDS:
                body = rf"\d{{{width[1]}}}" if width else r"\d+"
            else:
                body = _CODE_REGEX[name]
            regex.append(f"(?P<{name}>{body})")
        return "".join(regex)


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards made literal (``[`` -> ``[[]``)."""
    return re.sub(r"([*?[])", r"[\1]", text)


def _date(values: dict[str, Any]) -> datetime.date:
    if "doy" in values:
        return datetime.date(values["year"], 1, 1) + datetime.timedelta(days=values["doy"] - 1)
    return datetime.date(values["year"], values["month"], values["day"])


def days(start: obspy.UTCDateTime, end: obspy.UTCDateTime) -> list[datetime.date]:
    """The UTC days that overlap ``[start, end)``."""
    first = start.datetime.date()
    last = (end - 1e-6).datetime.date()
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


def _time_values(day: datetime.date) -> dict[str, int]:
    return {"year": day.year, "doy": day.timetuple().tm_yday, "month": day.month, "day": day.day}


class TemplateSource:
    """Channel-day files named by a :class:`Template` (SDS is the template ``SDS_LAYOUT`` below a root)."""

    def __init__(self, template: str, storage_options: dict[str, Any] | None = None) -> None:
        self.template = Template(template)
        self.storage_options = dict(storage_options or {})
        prefix, brace, rest = template.partition("{")
        self.fs, root = fsspec.core.url_to_fs(prefix or ".", **self.storage_options)
        if (not prefix or prefix.endswith("/")) and not root.endswith("/"):
            root += "/"
        # The template as the filesystem spells listed paths (no protocol; local paths absolute).
        self.listed = Template(root + brace + rest)

    def describe(self) -> str:
        """The template text (recorded in ``run.json``)."""
        return self.template.text

    def files(
        self, selection: StationSelection, start: obspy.UTCDateTime, end: obspy.UTCDateTime
    ) -> list[ChannelFile]:
        """The selected channel-day files for the days overlapping ``[start, end)``."""
        wanted = days(start, end)
        codes = {f: selection.common(_SELECTION_FIELDS[f]) for f in CODE_FIELDS}
        if codes["cha"] is None:
            shared = {p[3] for p in selection.patterns}
            codes["cha"] = shared.pop() if len(shared) == 1 else None
        globs = {}
        for day in wanted:
            values = _time_values(day)
            key = {f: values[f] for f in self.template.folder_time_fields}
            globs.setdefault(tuple(key.items()), self.listed.glob(**key, **codes))
        found = set()
        for pattern in globs.values():
            logger.info("Listing %s", pattern)
            found.update(self.fs.glob(pattern))
        first, last = wanted[0], wanted[-1]
        out = []
        for path in sorted(found):
            values = self.listed.parse(path)
            if values is None:
                continue
            day = _date(values)
            if not first <= day <= last or not selection.matches(
                values["net"], values["sta"], values["loc"], values["cha"]
            ):
                continue
            t0 = obspy.UTCDateTime(day.isoformat())
            out.append(
                ChannelFile(
                    full_path(self.fs, path),
                    values["net"],
                    values["sta"],
                    values["loc"],
                    values["cha"],
                    t0,
                    t0 + 86400,
                )
            )
        return out


def full_path(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """A listed path as a readable location: plain for local files, ``proto://path`` otherwise."""
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if protocol in ("file", "local"):
        return path
    return f"{protocol}://{path}"


class FileListSource:
    """A list (or glob) of MiniSEED files with any content; each file's header says what it covers."""

    def __init__(self, paths: str | list[str], storage_options: dict[str, Any] | None = None) -> None:
        self.storage_options = dict(storage_options or {})
        self.spec = paths if isinstance(paths, str) else list(paths)
        if isinstance(paths, str):
            fs, pattern = fsspec.core.url_to_fs(paths, **self.storage_options)
            self.paths = sorted(full_path(fs, p) for p in fs.glob(pattern))
        else:
            self.paths = [str(p) for p in paths]
        if not self.paths:
            raise ValueError(f"No waveform file matches {paths!r}.")

    def describe(self) -> str | list[str]:
        """The glob or the file list (recorded in ``run.json``)."""
        return self.spec

    def files(
        self, selection: StationSelection, start: obspy.UTCDateTime, end: obspy.UTCDateTime
    ) -> list[ChannelFile]:
        """The selected channels of every file whose data overlap ``[start, end)`` (headers are read once)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            headers = list(pool.map(self._header, self.paths))
        out = []
        for path, traces in zip(self.paths, headers):
            for (net, sta, loc, cha), (t0, t1) in traces.items():
                if t1 > start and t0 < end and selection.matches(net, sta, loc, cha):
                    out.append(ChannelFile(path, net, sta, loc, cha, t0, t1, one_channel=False))
        return out

    def _header(
        self, path: str
    ) -> dict[tuple[str, str, str, str], tuple[obspy.UTCDateTime, obspy.UTCDateTime]]:
        with fsspec.open(path, "rb", **self.storage_options) as fh:
            try:
                stream = obspy.read(fh, format="MSEED", headonly=True)
            except Exception as err:  # ObsPy raises several types for unreadable files
                raise ValueError(f"Cannot read {path} as MiniSEED ({err}).") from err
        spans: dict[tuple[str, str, str, str], tuple[obspy.UTCDateTime, obspy.UTCDateTime]] = {}
        for tr in stream:
            s = tr.stats
            key = (s.network, s.station, s.location, s.channel)
            t0, t1 = s.starttime, s.endtime + s.delta
            if key in spans:
                t0, t1 = min(t0, spans[key][0]), max(t1, spans[key][1])
            spans[key] = (t0, t1)
        return spans


def open_source(
    source: str | os.PathLike | list[str], storage_options: dict[str, Any] | None = None
) -> TemplateSource | FileListSource:
    """The source a user means: ``sds://ROOT``, a template with ``{...}`` fields, a glob, or a list of files.

    ``s3://`` and ``gs://`` sources are read anonymously unless ``storage_options`` are given (the open
    buckets of SCEDC and NCEDC need no account).

    Raises:
        ValueError: A plain folder (say ``sds://`` for an SDS tree), a bad template, no matching file.
    """
    if isinstance(source, (list, tuple)):
        return FileListSource([os.fspath(p) for p in source], storage_options)
    text = os.fspath(source)
    if storage_options is None and text.split("://", 1)[0] in ("s3", "gs", "gcs"):
        storage_options = {"anon": True} if text.startswith("s3") else {"token": "anon"}
    if text.startswith("sds://"):
        root = text[len("sds://") :].rstrip("/")
        if not root:
            raise ValueError("sds:// needs a root folder, e.g. sds:///data/SDS or sds://s3://bucket/SDS.")
        return TemplateSource(f"{root}/{SDS_LAYOUT}", storage_options)
    if "{" in text:
        return TemplateSource(text, storage_options)
    if os.path.isdir(text):
        raise ValueError(
            f"{text} is a folder: write sds://{text} for an SDS archive, or a glob such as {text}/*.mseed."
        )
    return FileListSource(text, storage_options)
