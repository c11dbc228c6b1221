"""The stead50 input: reading the STEAD CSV and HDF5 files, and the ObsPy streams annotated."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import obspy
from fixture_defs import (
    BAND,
    COMPONENTS,
    CONTINUOUS_NAME,
    CONTINUOUS_SAMPLES,
    CONTINUOUS_START,
    CONTINUOUS_TRACES,
    TRACE_START,
)


@dataclass
class Stead:
    """The stead50 traces: names in CSV order, ``[6000, 3]`` float32 arrays (E, N, Z), codes, arrivals."""

    names: list[str]
    arrays: dict[str, np.ndarray]
    codes: dict[str, tuple[str, str]]  # network, station
    arrivals: dict[str, tuple[float, float]]  # P and S arrival samples


def read_stead(data_dir: Path) -> Stead:
    with open(data_dir / "metadata.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [row["trace_name"] for row in rows]
    with h5py.File(data_dir / "waveforms.hdf5", "r") as fh:
        arrays = {name: np.asarray(fh[f"earthquake/local/{name}"], dtype=np.float32) for name in names}
    return Stead(
        names=names,
        arrays=arrays,
        codes={row["trace_name"]: (row["network_code"], row["receiver_code"]) for row in rows},
        arrivals={
            row["trace_name"]: (float(row["p_arrival_sample"]), float(row["s_arrival_sample"]))
            for row in rows
        },
    )


def make_stream(data: np.ndarray, network: str, station: str, start: obspy.UTCDateTime) -> obspy.Stream:
    """One trace per component ``<network>.<station>..HH<E|N|Z>`` at 100 Hz."""
    stream = obspy.Stream()
    for index, component in enumerate(COMPONENTS):
        header = {
            "network": network,
            "station": station,
            "location": "",
            "channel": BAND + component,
            "sampling_rate": 100.0,
            "starttime": start,
        }
        stream += obspy.Trace(np.ascontiguousarray(data[:, index]), header)
    return stream


def input_streams(stead: Stead) -> dict[str, obspy.Stream]:
    names, arrays = stead.names, stead.arrays
    streams = {name: make_stream(arrays[name], *stead.codes[name], TRACE_START) for name in names}
    joined = np.concatenate([arrays[name] for name in names[:CONTINUOUS_TRACES]])[:CONTINUOUS_SAMPLES]
    streams[CONTINUOUS_NAME] = make_stream(joined, *stead.codes[names[0]], CONTINUOUS_START)
    return streams
