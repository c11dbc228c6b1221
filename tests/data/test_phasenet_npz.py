"""PhaseNet NPZ + CSV records: arrivals, waveforms, absent phases, splits and errors."""

import numpy as np
import pandas as pd
import pytest

from zoo.data.phasenet_npz import dataset, iter_examples


def test_missing_column_and_file_are_errors(tmp_path):
    csv = tmp_path / "labels.csv"
    pd.DataFrame({"fname": ["nope.npz"], "itp": [1], "its": [2]}).to_csv(csv, index=False)
    with pytest.raises(ValueError, match="does not exist"):
        list(iter_examples(tmp_path, csv))
    with pytest.raises(ValueError, match="lacks column"):
        list(iter_examples(tmp_path, csv, p_column="pred_itp"))


def test_examples_follow_labels_csv(shared):
    ncedc = shared / "data" / "ncedc"
    table = pd.read_csv(ncedc / "labels.csv")
    train = list(iter_examples(ncedc / "train", components="ZNE"))
    pred = list(iter_examples(ncedc / "pred", ncedc / "labels.csv", p_column="pred_itp", s_column="pred_its"))
    assert [ex["trace_name"] + ".npz" for ex in train] == table.fname.tolist()
    np.testing.assert_array_equal([ex["trace_p_arrival_sample"] for ex in train], table.itp)
    np.testing.assert_array_equal([ex["trace_s_arrival_sample"] for ex in train], table.its)
    np.testing.assert_array_equal([ex["trace_p_arrival_sample"] for ex in pred], table.pred_itp)
    np.testing.assert_array_equal([ex["trace_s_arrival_sample"] for ex in pred], table.pred_its)
    enz = np.load(ncedc / "train" / table.fname[3])["data"]
    zne = train[3]["waveform"]
    assert zne.dtype == np.float32 and zne.shape == enz.shape
    for out, src in ((0, 2), (1, 1), (2, 0)):
        np.testing.assert_array_equal(zne[:, out], enz[:, src].astype(np.float32))


def test_negative_or_empty_labels_are_nan_and_splits_are_disjoint(tmp_path):
    for i in range(20):
        np.savez(tmp_path / f"r{i}.npz", data=np.full((50, 3), i, dtype="f8"))
    labels = pd.DataFrame(
        {"fname": [f"r{i}.npz" for i in range(20)], "itp": [-1] + list(range(19)), "its": [None] * 20}
    )
    labels.to_csv(tmp_path / "labels.csv", index=False)
    first = next(iter_examples(tmp_path))
    assert np.isnan(first["trace_p_arrival_sample"]) and np.isnan(first["trace_s_arrival_sample"])
    parts = [{ex["trace_name"] for ex in iter_examples(tmp_path, split=s)} for s in ("train", "dev", "test")]
    assert sum(map(len, parts)) == 20 and len(set().union(*parts)) == 20
    ds = dataset(tmp_path, split="train")
    assert int(ds.cardinality()) == len(parts[0])
    assert {el["trace_name"].numpy().decode() for el in ds} == parts[0]


def test_bad_labels_are_errors_not_missing_arrivals(tmp_path):
    from zoo.data.phasenet_npz import read_labels

    csv = tmp_path / "labels.csv"
    pd.DataFrame({"fname": ["a.npz", "b.npz"], "itp": ["1", "abc"], "its": ["2", ""]}).to_csv(
        csv, index=False
    )
    with pytest.raises(ValueError, match=r"line 3 \(b.npz\): column itp has 'abc'"):
        read_labels(csv)
    pd.DataFrame({"fname": ["a.npz", "b.npz", "a.npz"], "itp": [1, 2, 1], "its": [2, 3, 2]}).to_csv(
        csv, index=False
    )
    with pytest.raises(ValueError, match="fname 'a.npz' is listed on line 2 and line 4"):
        read_labels(csv)
