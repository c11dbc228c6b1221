"""Arrival label columns: empty means no arrival, text or infinity is an error naming line and column."""

import numpy as np
import pandas as pd
import pytest

from zoo.data.arrivals import arrival_samples, check_unique


def test_empty_none_and_negative_cells():
    values = pd.Series(["120", "", None, "None", "-1", " 7.5 "])
    np.testing.assert_array_equal(
        arrival_samples(values, "itp", "x.csv").to_numpy(), [120.0, np.nan, np.nan, np.nan, np.nan, 7.5]
    )
    kept = arrival_samples(values, "p", "x.csv", negative_is_missing=False)
    assert kept.iloc[4] == -1.0


@pytest.mark.parametrize("bad", ["abc", "inf", "12 s"])
def test_text_is_an_error_naming_line_column_and_record(bad):
    values = pd.Series(["1", "2", bad])
    names = pd.Series(["a.npz", "b.npz", "c.npz"])
    with pytest.raises(ValueError, match=rf"x.csv line 4 \(c.npz\): column its has '{bad}'"):
        arrival_samples(values, "its", "x.csv", names=names)


def test_repeated_names_name_both_lines():
    check_unique(pd.Series(["a", "b"]), "fname", "x.csv")
    with pytest.raises(ValueError, match="fname 'b' is listed on line 3 and line 5"):
        check_unique(pd.Series(["a", "b", "c", "b"]), "fname", "x.csv")
