"""Fixtures of the waveform-path tests: one labelled NCEDC record, a real multi-station stream."""

from pathlib import Path

import numpy as np
import pytest

PINNED_CURVES = Path(__file__).parent / "fixtures" / "pinned_curves.npz"
"""Every model's curves on :func:`stead_stream`, made by ``make_pinned_curves.py`` before issue 16."""


@pytest.fixture(scope="session")
def ncedc_record(shared):
    """The first NCEDC training record: 9001 x 3 samples at 100 Hz, P at sample 3000."""
    import pandas as pd

    labels = pd.read_csv(shared / "data" / "ncedc" / "labels.csv")
    row = labels.iloc[0]
    return np.load(shared / "data" / "ncedc" / "train" / row.fname)["data"], row


def stead_stream(stead: Path):
    """Real continuous data: stead50 records laid end to end at two stations (E, N, Z at 100 Hz).

    ``XX.A..HH``: records 0-4, 30000 samples in one segment; ``XX.B..HH``: records 5-7 with a 10-s gap
    after record 6 (segments of 12000 and 6000 samples); ``XX.C..HH``: record 8 at 40 Hz (resampled).
    """
    import h5py
    import obspy
    import pandas as pd

    names = pd.read_csv(stead / "metadata.csv").trace_name.tolist()
    with h5py.File(stead / "waveforms.hdf5", "r") as f:
        records = [np.asarray(f[f"earthquake/local/{n}"], np.float32) for n in names[:9]]
    t0 = obspy.UTCDateTime(2020, 1, 1)
    pieces = [
        ("A", t0, np.concatenate(records[:5]), 100.0),
        ("B", t0, np.concatenate(records[5:7]), 100.0),
        ("B", t0 + 130.0, records[7], 100.0),
        ("C", t0, records[8][::5].copy(), 20.0),
    ]
    stream = obspy.Stream()
    for station, start, data, rate in pieces:
        for c, component in enumerate("ENZ"):
            header = {"network": "XX", "station": station, "channel": f"HH{component}"}
            stream += obspy.Trace(
                np.ascontiguousarray(data[:, c]), {**header, "sampling_rate": rate, "starttime": start}
            )
    return stream


@pytest.fixture(scope="session")
def stead_continuous(shared):
    """The stream of :func:`stead_stream`."""
    return stead_stream(shared / "data" / "stead50")
