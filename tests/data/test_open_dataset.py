"""zoo.data entry point: format detection and one call for every format."""

import h5py
import numpy as np
import pytest

import zoo.data
from zoo.data import phasenet_npz, stead


@pytest.mark.parametrize(
    "relative, expected",
    [
        ("data/stead50", "stead"),
        ("data/stead50/waveforms.hdf5", "stead"),
        ("data/stead50/metadata.csv", "stead"),
        ("data/ncedc/train", "phasenet_npz"),
        ("data/ncedc/pred", "phasenet_npz"),
    ],
)
def test_formats_are_detected(shared, relative, expected):
    assert zoo.data.detect_format(shared / relative) == expected


def test_seisbench_folder_is_detected_and_read(tmp_path):
    data = np.arange(20, dtype="f4").reshape(2, 10)  # Z, N rows (CW)
    with h5py.File(tmp_path / "waveforms.hdf5", "w") as f:
        f["data_format/component_order"] = "ZN"
        f["data/t0"] = data
    (tmp_path / "metadata.csv").write_text("trace_name,trace_p_arrival_sample\nt0,4\n")
    assert zoo.data.detect_format(tmp_path) == "seisbench"
    el = next(iter(zoo.data.open_dataset(tmp_path / "waveforms.hdf5", components="ZNE")))
    np.testing.assert_array_equal(el[zoo.data.WAVEFORM].numpy(), np.c_[data.T, np.zeros(10)])
    assert float(el[zoo.data.P_ARRIVAL]) == 4.0 and np.isnan(float(el[zoo.data.S_ARRIVAL]))


def test_unknown_layout_says_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match="SeisBench folder"):
        zoo.data.detect_format(tmp_path)
    with pytest.raises(ValueError, match="format must be one of"):
        zoo.data.open_dataset(tmp_path, format="mseed")


def test_open_dataset_matches_the_format_readers(shared):
    folder = shared / "data" / "stead50"
    el = next(iter(zoo.data.open_dataset(folder, components="ZNE", split="test")))
    ref = next(stead.iter_examples(folder, components="ZNE", split="test"))
    np.testing.assert_array_equal(el[zoo.data.WAVEFORM].numpy(), ref[zoo.data.WAVEFORM])
    assert float(el[zoo.data.P_ARRIVAL]) == ref[zoo.data.P_ARRIVAL]
    npz = shared / "data" / "ncedc" / "train"
    ds = zoo.data.open_dataset(npz)
    assert int(ds.cardinality()) == 77
    first = next(iter(ds))
    ref = next(phasenet_npz.iter_examples(npz))
    assert first[zoo.data.TRACE_NAME].numpy().decode() == ref[zoo.data.TRACE_NAME]
    assert float(first[zoo.data.S_ARRIVAL]) == ref[zoo.data.S_ARRIVAL]
    table = zoo.data.read_metadata(npz, split="dev")
    assert set(table.split) == {"dev"} and zoo.data.P_ARRIVAL in table.columns
