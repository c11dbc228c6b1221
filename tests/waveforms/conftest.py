"""Fixtures of the waveform-path tests: one labelled NCEDC record."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def ncedc_record(shared):
    """The first NCEDC training record: 9001 x 3 samples at 100 Hz, P at sample 3000."""
    import pandas as pd

    labels = pd.read_csv(shared / "data" / "ncedc" / "labels.csv")
    row = labels.iloc[0]
    return np.load(shared / "data" / "ncedc" / "train" / row.fname)["data"], row
