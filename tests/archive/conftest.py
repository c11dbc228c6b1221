"""A small SDS archive written by ObsPy: noise with real STEAD event records, some across midnight.

Three stations (XX.AAA, XX.BBB, XX.CCC, channels HHE/HHN/HHZ, 100 Hz, int32 counts in Steim-2) over three
days, 2020-061 to 2020-063. To keep the suite fast, each day file holds only the hours around midnight:
the data run continuously from 22:30 to 01:30 across both midnights (two three-hour stretches, one gap
in between), and the events sit on the chunk boundaries that matter: within 10 s of midnight, across
the hour, at the ends of each stretch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import obspy
import pandas as pd
import pytest

NETWORK = "XX"
STATIONS = ("AAA", "BBB", "CCC")
RATE = 100.0
DAY1 = obspy.UTCDateTime(2020, 3, 1)  # day 061
START = DAY1 + 22.5 * 3600
END = DAY1 + 2 * 86400 + 1.5 * 3600
STRETCHES = ((START, DAY1 + 86400 + 1.5 * 3600), (DAY1 + 86400 + 22.5 * 3600, END))
STRETCH_SECONDS = 3 * 3600

# Seconds (from each stretch's start, i.e. from 22:30) at which a record's P arrival is placed:
# 1 h 30 min is midnight, 30 min is 23:00, 2 h 30 min is 01:00.
P_OFFSETS = {
    "AAA": ((5400 - 4.0, 1800 + 2.0, 600.0), (5400 + 3.0, 9000 - 6.0, 10790.0)),
    "BBB": ((5400 - 9.0, 8990.0, 40.0), (5400 - 1.5, 1795.0, 3000.0)),
    "CCC": ((5400 + 8.0, 2500.0, 10780.0), (5400 - 6.0, 9003.0, 7000.0)),
}


def _records(stead: Path, n: int) -> list[tuple[np.ndarray, int]]:
    meta = pd.read_csv(stead / "metadata.csv")
    out = []
    with h5py.File(stead / "waveforms.hdf5", "r") as f:
        for name, p in zip(meta.trace_name[:n], meta.p_arrival_sample[:n]):
            out.append((f[f"earthquake/local/{name}"][()].astype(np.float64), int(p)))
    return out


def stretch_data(station: int, stretch: int, offsets, records, rng) -> np.ndarray:
    """``[samples, 3]`` (E, N, Z) counts of one three-hour stretch: noise plus the records."""
    n = int(STRETCH_SECONDS * RATE)
    data = rng.normal(0.0, 40.0, size=(n, 3))
    for k, p_offset in enumerate(offsets):
        record, p_sample = records[(3 * station + 6 * stretch + k) % len(records)]
        first = int(round(p_offset * RATE)) - p_sample
        lo, hi = max(first, 0), min(first + len(record), n)
        data[lo:hi] += record[lo - first : hi - first]
    return np.round(data).astype(np.int32)


def write_sds(root: Path, stead: Path) -> dict[str, obspy.Stream]:
    """Write the archive below ``root`` (ObsPy's SDS naming); returns each station's continuous stream."""
    rng = np.random.default_rng(15)
    records = _records(stead, 18)
    streams = {}
    for s, station in enumerate(STATIONS):
        st = obspy.Stream()
        for k, (t0, _) in enumerate(STRETCHES):
            data = stretch_data(s, k, P_OFFSETS[station][k], records, rng)
            for c, comp in enumerate("ENZ"):
                header = {"network": NETWORK, "station": station, "channel": f"HH{comp}"}
                st += obspy.Trace(
                    np.ascontiguousarray(data[:, c]), {**header, "sampling_rate": RATE, "starttime": t0}
                )
        streams[station] = st
        for tr in st:
            for day in range(3):
                d0 = DAY1 + day * 86400
                piece = tr.slice(d0, d0 + 86400 - 1 / RATE)
                if not piece.stats.npts:
                    continue
                path = root / f"{d0.year}" / NETWORK / station / f"{tr.stats.channel}.D"
                path.mkdir(parents=True, exist_ok=True)
                name = f"{NETWORK}.{station}..{tr.stats.channel}.D.{d0.year}.{d0.julday:03d}"
                day_file = path / name
                existing = obspy.read(str(day_file)) if day_file.exists() else obspy.Stream()
                (existing + piece).write(str(day_file), format="MSEED", encoding="STEIM2", reclen=4096)
    return streams


@dataclass(frozen=True)
class Archive:
    """The test archive: its SDS root, each station's continuous stream, and the run's time span."""

    root: Path
    streams: dict[str, obspy.Stream]
    start: obspy.UTCDateTime = START
    end: obspy.UTCDateTime = END
    stations: str = f"{NETWORK}.*..HH?"

    def day_files(self, station: str) -> list[Path]:
        """The station's day files (all channels, all days)."""
        return sorted(self.root.glob(f"*/{NETWORK}/{station}/*.D/*"))


@pytest.fixture(scope="session")
def archive(tmp_path_factory, shared) -> Archive:
    """The test archive (written once per session)."""
    root = tmp_path_factory.mktemp("sds")
    return Archive(root, write_sds(root, shared / "data" / "stead50"))
