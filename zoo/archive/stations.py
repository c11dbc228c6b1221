"""Station selections: ``NET.STA.LOC.CHA`` patterns given on the command line or in a file.

A pattern has up to four dot-separated fnmatch fields (``*``, ``?``, ``[..]``): network, station,
location and channel; missing trailing fields match anything, and ``--`` stands for the empty location
code. ``CI.*..HH?`` selects every CI station's HH instrument with an empty location code.

Example:
    >>> sel = StationSelection.parse("CI.*..HH?,BW.RJOB.*.EH?")
    >>> sel.matches("CI", "PASC", "", "HHZ"), sel.matches("CI", "PASC", "00", "HHZ")
    (True, False)
    >>> sel.common("network") is None, StationSelection.parse("CI.A*,CI.B*").common("network")
    (True, 'CI')
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

_FIELDS = ("network", "station", "location", "channel")
_WILDCARDS = set("*?[")


@dataclass(frozen=True)
class StationSelection:
    """A union of ``(network, station, location, channel)`` fnmatch patterns.

    Attributes:
        patterns: The patterns, each a 4-tuple of strings (location ``""`` is the empty code).
    """

    patterns: tuple[tuple[str, str, str, str], ...]

    @classmethod
    def parse(cls, spec: str | os.PathLike | list[str] | tuple[str, ...]) -> StationSelection:
        """Patterns from a comma-separated string, a list of strings, or a text file (one per line, ``#`` comments).

        Raises:
            ValueError: No pattern, or a pattern with more than four fields.
        """
        if isinstance(spec, (list, tuple)):
            items = [str(s) for s in spec]
        elif isinstance(spec, os.PathLike) or (isinstance(spec, str) and os.path.isfile(spec)):
            with open(spec, encoding="utf-8") as fh:
                items = [line.split("#", 1)[0] for line in fh]
        elif isinstance(spec, str):
            items = spec.split(",")
        else:
            raise TypeError(f"Stations must be a string, a file path or a list of patterns, got {spec!r}.")
        patterns = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            parts = item.split(".")
            if len(parts) > 4:
                raise ValueError(
                    f"Station pattern {item!r} has {len(parts)} fields; expected NET.STA.LOC.CHA "
                    "(e.g. CI.*..HH? for all CI stations' HH instruments)."
                )
            parts += ["*"] * (4 - len(parts))
            parts[2] = "" if parts[2] == "--" else parts[2]
            patterns.append(tuple(parts))
        if not patterns:
            raise ValueError(
                f"No station pattern in {spec!r}; give e.g. 'CI.*..HH?' or a file of such lines."
            )
        return cls(tuple(patterns))

    def matches(self, network: str, station: str, location: str, channel: str) -> bool:
        """True if the channel is selected by any pattern."""
        codes = (network, station, location, channel)
        return any(all(fnmatch.fnmatchcase(c, p) for c, p in zip(codes, pat)) for pat in self.patterns)

    def common(self, field: str) -> str | None:
        """The single value (no wildcard) that every pattern gives ``field``, else ``None``.

        Sources use it to narrow their file listing (e.g. list one network's folder only).
        """
        values = {pat[_FIELDS.index(field)] for pat in self.patterns}
        if len(values) != 1:
            return None
        (value,) = values
        return None if _WILDCARDS & set(value) else value

    def to_list(self) -> list[str]:
        """The patterns as ``NET.STA.LOC.CHA`` strings (recorded in ``run.json``)."""
        return [".".join(p) for p in self.patterns]
