"""SeisBench-format reader on tiny datasets written with h5py: buckets, CW/WC, chunks, components."""

import h5py
import numpy as np
import pandas as pd
import pytest

from zoo.data import seisbench
from zoo.data.elements import P_ARRIVAL, S_ARRIVAL, SAMPLING_RATE, SOURCE_ID, TRACE_NAME, WAVEFORM


@pytest.fixture
def bucketed(tmp_path):
    """ZNE, CW buckets; one 2-component bucket (Z, N) declared per trace."""
    rng = np.random.default_rng(1)
    buckets = {
        "bucket0": rng.normal(size=(3, 3, 60)).astype("f4"),
        "bucket1": rng.normal(size=(2, 3, 60)).astype("f4"),
        "bucket2": rng.normal(size=(1, 2, 60)).astype("f4"),
    }
    with h5py.File(tmp_path / "waveforms.hdf5", "w") as f:
        f["data_format/component_order"] = "ZNE"
        f["data_format/dimension_order"] = "CW"
        f["data_format/sampling_rate"] = 100.0
        for name, data in buckets.items():
            f[f"data/{name}"] = data
    table = pd.DataFrame(
        {
            "trace_name": ["bucket0$0,:3,:60", "bucket0$2,:3,:50", "bucket1$1,:3,10:60", "bucket2$0,:2,:60"],
            "trace_Pg_arrival_sample": [12, np.nan, 20, np.nan],
            "trace_Pn_arrival_sample": [10, np.nan, np.nan, np.nan],
            "trace_Sg_arrival_sample": [30, 25, np.nan, np.nan],
            "trace_component_order": ["ZNE", "ZNE", "ZNE", "ZN"],
            "source_id": ["e1", "e1", "e2", "e3"],
            "station_code": ["A", "B", "C", "D"],
            "split": ["train", "train", "test", "dev"],
        }
    )
    table.to_csv(tmp_path / "metadata.csv", index=False)
    return tmp_path, buckets


def _by_name(folder, **kw):
    return {ex[TRACE_NAME]: ex for ex in seisbench.iter_examples(folder, **kw)}


def test_bucketed_names_resolve_to_rows_and_slices(bucketed):
    folder, buckets = bucketed
    examples = _by_name(folder, components="ENZ")
    first = examples["bucket0$0,:3,:60"][WAVEFORM]
    assert first.dtype == np.float32 and first.shape == (60, 3)
    for out, src in ((0, 2), (1, 1), (2, 0)):  # E, N, Z from Z, N, E rows
        np.testing.assert_array_equal(first[:, out], buckets["bucket0"][0, src])
    short = examples["bucket0$2,:3,:50"][WAVEFORM]
    np.testing.assert_array_equal(short, buckets["bucket0"][2, ::-1, :50].T)
    offset = examples["bucket1$1,:3,10:60"][WAVEFORM]
    np.testing.assert_array_equal(offset, buckets["bucket1"][1, ::-1, 10:60].T)


def test_missing_components_are_zeros(bucketed):
    folder, buckets = bucketed
    two = _by_name(folder, components="ZNE")["bucket2$0,:2,:60"][WAVEFORM]
    np.testing.assert_array_equal(two[:, :2], buckets["bucket2"][0].T)
    assert not two[:, 2].any()


def test_arrivals_take_the_earliest_phase_and_nan_when_absent(bucketed):
    folder, _ = bucketed
    examples = _by_name(folder)
    first = examples["bucket0$0,:3,:60"]
    assert (first[P_ARRIVAL], first[S_ARRIVAL]) == (10.0, 30.0)  # Pn before Pg
    assert np.isnan(examples["bucket0$2,:3,:50"][P_ARRIVAL])
    assert examples["bucket1$1,:3,10:60"][P_ARRIVAL] == 20.0 and np.isnan(
        examples["bucket1$1,:3,10:60"][S_ARRIVAL]
    )
    only_pg = _by_name(folder, p_columns=["trace_Pg_arrival_sample"])
    assert only_pg["bucket0$0,:3,:60"][P_ARRIVAL] == 12.0
    assert all(ex[SAMPLING_RATE] == 100.0 for ex in examples.values())
    assert first[SOURCE_ID] == "e1"


def test_split_column_filters(bucketed):
    folder, _ = bucketed
    assert list(_by_name(folder, split="train")) == ["bucket0$0,:3,:60", "bucket0$2,:3,:50"]
    assert list(_by_name(folder, split="dev")) == ["bucket2$0,:2,:60"]


def test_chunks_wc_order_attrs_and_event_split(tmp_path):
    rng = np.random.default_rng(2)
    traces = {f"t{i}": rng.normal(size=(40 + i, 2)).astype("f4") for i in range(6)}
    for chunk, names in (("_a", ["t0", "t1", "t2"]), ("_b", ["t3", "t4", "t5"])):
        with h5py.File(tmp_path / f"waveforms{chunk}.hdf5", "w") as f:
            group = f.create_group("data_format")
            group.attrs["component_order"] = "NZ"
            group.attrs["dimension_order"] = "WC"
            group.attrs["sampling_rate"] = 50.0
            for name in names:
                f[f"data/{name}"] = traces[name]
        pd.DataFrame(
            {
                "trace_name": names,
                "trace_p_arrival_sample": [5, 6, 7],
                "source_id": [f"ev{n[1]}" for n in names],
            }
        ).to_csv(tmp_path / f"metadata{chunk}.csv", index=False)
    assert seisbench.chunks(tmp_path) == ["_a", "_b"]
    examples = _by_name(tmp_path, components="ZNE", columns=["trace_chunk"])
    assert len(examples) == 6
    for name, data in traces.items():
        ex = examples[name]
        np.testing.assert_array_equal(ex[WAVEFORM][:, 0], data[:, 1])  # Z
        np.testing.assert_array_equal(ex[WAVEFORM][:, 1], data[:, 0])  # N
        assert not ex[WAVEFORM][:, 2].any() and ex[SAMPLING_RATE] == 50.0
    assert examples["t4"]["trace_chunk"] == "_b"
    parts = [set(_by_name(tmp_path, split=s)) for s in ("train", "dev", "test")]
    assert set().union(*parts) == set(traces) and sum(map(len, parts)) == 6


def test_tf_dataset_pads_nothing_and_keeps_lengths(bucketed):
    folder, _ = bucketed
    ds = seisbench.dataset(folder, columns=["station_code"])
    assert int(ds.cardinality()) == 4
    lengths = {el[TRACE_NAME].numpy().decode(): el[WAVEFORM].shape[0] for el in ds}
    assert lengths["bucket0$2,:3,:50"] == 50 and lengths["bucket0$0,:3,:60"] == 60
    assert next(iter(ds))["station_code"].numpy() == b"A"


def test_errors_name_the_problem(tmp_path, bucketed):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no metadata"):
        seisbench.chunks(empty)
    with pytest.raises(ValueError, match="invalid bucket location"):
        seisbench.parse_location("1:2:3:4")
    folder, _ = bucketed
    with (
        h5py.File(folder / "waveforms.hdf5", "r") as f,
        pytest.raises(ValueError, match="no dataset data/nope"),
    ):
        seisbench.load_waveform(f, "nope$0,:,:")
    with pytest.raises(ValueError, match="repeats"):
        next(seisbench.iter_examples(folder, components="ZZE"))


def test_text_in_an_arrival_column_is_an_error(bucketed):
    folder, _ = bucketed
    table = pd.read_csv(folder / "metadata.csv", dtype=str)
    table.loc[1, "trace_Sg_arrival_sample"] = "12 s"
    table.to_csv(folder / "metadata.csv", index=False)
    with pytest.raises(
        ValueError, match=r"line 3 \(bucket0\$2,:3,:50\): column trace_Sg_arrival_sample has '12 s'"
    ):
        seisbench.read_metadata(folder)
