"""STEAD reader: the 50-trace sample and a tiny merged-layout file with a noise trace."""

import h5py
import numpy as np
import pandas as pd
import pytest

from zoo.data import stead
from zoo.data.elements import P_ARRIVAL, S_ARRIVAL, SNR, SOURCE_ID, TRACE_NAME, WAVEFORM

NAMED = ["109C.TA_20060723155859_EV", "109C.TA_20061103161223_EV", "109C.TA_20061129211102_EV"]


@pytest.fixture(scope="module")
def stead50(shared):
    return shared / "data" / "stead50"


@pytest.fixture(scope="module")
def examples(stead50):
    return {ex[TRACE_NAME]: ex for ex in stead.iter_examples(stead50, components="ZNE")}


def test_arrivals_equal_the_csv(stead50, examples):
    csv = pd.read_csv(stead50 / "metadata.csv").set_index("trace_name")
    assert len(examples) == len(csv) == 50
    for name in NAMED:
        assert examples[name][P_ARRIVAL] == csv.loc[name, "p_arrival_sample"]
        assert examples[name][S_ARRIVAL] == csv.loc[name, "s_arrival_sample"]
        assert examples[name][SOURCE_ID] == str(csv.loc[name, "source_id"])
    snr = [float(v) for v in csv.loc[NAMED[0], "snr_db"].strip("[]").split()]
    assert examples[NAMED[0]][SNR] == pytest.approx(np.mean(snr), rel=1e-6)


def test_waveforms_equal_the_hdf5_with_components_reordered(stead50, examples):
    with h5py.File(stead50 / "waveforms.hdf5", "r") as f:
        for name in NAMED:
            enz = f[f"earthquake/local/{name}"][()]
            zne = examples[name][WAVEFORM]
            assert zne.dtype == np.float32 and zne.shape == (6000, 3)
            for out, src in ((0, 2), (1, 1), (2, 0)):  # Z, N, E from E, N, Z
                np.testing.assert_array_equal(zne[:, out], enz[:, src])


def test_metadata_uses_seisbench_names(stead50):
    table = stead.read_metadata(stead50)
    for column in (
        "trace_p_arrival_sample",
        "station_code",
        "station_network_code",
        "path_ep_distance_km",
        "trace_sampling_rate_hz",
        "split",
    ):
        assert column in table.columns
    assert "p_arrival_sample" not in table.columns
    assert (table.trace_sampling_rate_hz == 100.0).all()


def test_splits_are_by_event_and_cover_everything(stead50):
    parts = {s: stead.read_metadata(stead50, s) for s in ("train", "dev", "test")}
    assert sum(len(p) for p in parts.values()) == 50
    ids = [set(p.source_id) for p in parts.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    again = stead.read_metadata(stead50, "dev")
    assert again.trace_name.tolist() == parts["dev"].trace_name.tolist()
    other_seed = stead.read_metadata(stead50, "dev", split_seed=7)
    assert other_seed.trace_name.tolist() != parts["dev"].trace_name.tolist()


@pytest.fixture
def merged(tmp_path):
    """A tiny STEAD 'merged' pair: one earthquake and one noise trace under data/."""
    rng = np.random.default_rng(0)
    waves = {
        "A.XX_EV": rng.normal(size=(300, 3)).astype("f4"),
        "A.XX_NO": rng.normal(size=(300, 3)).astype("f4"),
    }
    with h5py.File(tmp_path / "merged.hdf5", "w") as f:
        for name, data in waves.items():
            f[f"data/{name}"] = data
    (tmp_path / "merged.csv").write_text(
        "network_code,receiver_code,p_arrival_sample,s_arrival_sample,source_id,snr_db,"
        "trace_category,trace_name\n"
        "XX,A,100.0,180.0,42,[10. 20. 30.],earthquake_local,A.XX_EV\n"
        "XX,A,,,None,,noise,A.XX_NO\n"
    )
    return tmp_path, waves


def test_noise_traces_have_nan_arrivals_and_no_event(merged):
    folder, waves = merged
    hdf5, csv = stead.find_files(folder)
    assert (hdf5.name, csv.name) == ("merged.hdf5", "merged.csv")
    examples = {ex[TRACE_NAME]: ex for ex in stead.iter_examples(folder / "merged.csv")}
    eq, noise = examples["A.XX_EV"], examples["A.XX_NO"]
    assert (eq[P_ARRIVAL], eq[S_ARRIVAL], eq[SOURCE_ID], eq[SNR]) == (100.0, 180.0, "42", 20.0)
    assert np.isnan(noise[P_ARRIVAL]) and np.isnan(noise[S_ARRIVAL]) and np.isnan(noise[SNR])
    assert noise[SOURCE_ID] == ""
    np.testing.assert_array_equal(noise[WAVEFORM], waves["A.XX_NO"])


def test_tf_dataset_shuffles_reproducibly_per_epoch(stead50):
    ds = stead.dataset(stead50, shuffle=True, seed=4, split="train")
    assert int(ds.cardinality()) == len(stead.read_metadata(stead50, "train"))
    first = [el[TRACE_NAME].numpy() for el in ds]
    second = [el[TRACE_NAME].numpy() for el in ds]
    assert sorted(first) == sorted(second) and first != second
    again = [el[TRACE_NAME].numpy() for el in stead.dataset(stead50, shuffle=True, seed=4, split="train")]
    assert again == first
    el = next(iter(ds))
    assert el[WAVEFORM].dtype.name == "float32" and el[WAVEFORM].shape == (6000, 3)


def test_bad_paths_are_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        stead.find_files(tmp_path / "nothing")
    with pytest.raises(ValueError, match="exactly one"):
        stead.find_files(tmp_path)
    (tmp_path / "x.csv").write_text("trace_name,foo\na,1\n")
    with h5py.File(tmp_path / "x.hdf5", "w"):
        pass
    with pytest.raises(ValueError, match="lacks STEAD column"):
        stead.read_metadata(tmp_path)


def test_text_in_an_arrival_column_is_an_error(stead50, tmp_path):
    table = pd.read_csv(stead50 / "metadata.csv", dtype=str)
    table.loc[5, "s_arrival_sample"] = "abc"
    table.to_csv(tmp_path / "metadata.csv", index=False)
    (tmp_path / "waveforms.hdf5").symlink_to(stead50 / "waveforms.hdf5")
    with pytest.raises(ValueError, match=r"line 7 \(.+\): column s_arrival_sample has 'abc'"):
        stead.read_metadata(tmp_path)
