"""Reading PyTorch files without PyTorch: values of every dtype, views, containers; hostile files refused.

The .pt fixtures in tests/fixtures were written once with torch 2.13 by
``python tests/fixtures/make_torch_fixtures.py`` (see that script); the expected values below are the
same formulas in NumPy. Only ``test_round_trip_with_torch`` needs torch, and is skipped without it.
"""

from __future__ import annotations

import argparse
import collections
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from zoo import torch_pickle

FIXTURES = Path(__file__).parent / "fixtures"


def _expected_tensors() -> dict[str, np.ndarray]:
    base = np.arange(24, dtype="float32").reshape(4, 6) / 4
    return {
        "float64": np.arange(6, dtype="float64").reshape(2, 3) / 3,
        "float32": base,
        "float16": (np.arange(5, dtype="float16") - 2) / 8,
        "bfloat16": np.array([1.0, -2.5, 3.140625, 2.0**100, -0.0], "float32"),
        "int64": np.array([0, -1, 2**40, -(2**62), 2**63 - 1], "int64"),
        "int32": np.array([[1, -2], [3, 2**31 - 1]], "int32"),
        "int16": np.array([-(2**15), 7], "int16"),
        "int8": np.array([-128, 127], "int8"),
        "uint8": np.array([0, 255], "uint8"),
        "uint16": np.array([0, 1, 65535], "uint16"),
        "bool": np.array([True, False, True]),
        "complex64": np.array([1 + 2j, -3j], "complex64"),
        "scalar": np.array(2.5, "float32"),
        "empty": np.zeros((0, 3), "float32"),
        "transposed": base.T,
        "sliced": base[1:, ::2],
        "expanded": np.broadcast_to(np.array([1.0, 2.0, 3.0], "float32"), (2, 3)),
        "conj": np.array([1 - 1j, 2 + 3j], "complex64"),
    }


def test_tensors_of_every_dtype_and_layout():
    loaded = torch_pickle.load(FIXTURES / "torch_tensors.pt")
    expected = _expected_tensors()
    assert list(loaded) == list(expected)
    for name, value in expected.items():
        got = loaded[name]
        assert got.dtype == value.dtype and got.shape == value.shape, name
        np.testing.assert_array_equal(got, value, err_msg=name)
        assert got.flags.c_contiguous and got.flags.writeable, name
    np.testing.assert_array_equal(np.signbit(loaded["bfloat16"]), [False, True, False, False, True])
    loaded["float32"][:] = -1  # views of one storage come back as independent copies
    np.testing.assert_array_equal(loaded["transposed"], expected["transposed"])


def test_nested_plain_data_parameters_and_shared_tensors():
    loaded = torch_pickle.load(FIXTURES / "torch_nested.pt")
    tensors = {key: loaded.pop(key) for key in ("nested", "param", "tied")}
    assert loaded == {
        "epoch": 7,
        "lr": 1e-4,
        "name": "max-small",
        "flags": [True, None, (1, 2.5, "x")],
        "raw": b"\x00\xffraw",
        "ids": {1, 2, 3},
        "z": 1 + 2j,
    }
    (ones, zeros) = tensors["nested"]["a"]["b"]
    np.testing.assert_array_equal(ones, np.ones(2, "float32"))
    assert zeros.dtype == np.int64 and zeros.tolist() == [0]
    np.testing.assert_array_equal(tensors["param"], np.array([0.5, -0.5], "float32"))
    first, second = tensors["tied"]
    assert first is second and first.tolist() == [7.0, 7.0]  # one tensor saved twice stays one array


def test_a_state_dict_is_an_ordered_dict_of_arrays():
    state = torch_pickle.load(FIXTURES / "torch_state_dict.pt")
    assert type(state) is collections.OrderedDict
    assert list(state) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
        "2.weight",
        "2.bias",
    ]
    for i, (name, value) in enumerate(state.items()):
        if name == "1.num_batches_tracked":
            assert value.dtype == np.int64 and value.shape == () and value == 5
        else:
            expected = np.arange(value.size, dtype="float32").reshape(value.shape) / 10 + i
            np.testing.assert_allclose(value, expected, rtol=0, atol=0, err_msg=name)
    assert [v.shape for v in state.values()][:2] == [(3, 2, 3), (3,)]
    assert torch_pickle.read_state_dict(FIXTURES / "torch_state_dict.pt").keys() == state.keys()


def test_read_state_dict_unwraps_a_checkpoint_and_refuses_other_contents(tmp_path):
    state = torch_pickle.read_state_dict(FIXTURES / "max_tiny.pth")
    with np.load(FIXTURES / "max_tiny.npz") as expected:
        assert sorted(state) == sorted(expected.files)
        for name in expected.files:
            np.testing.assert_array_equal(state[name], expected[name], err_msg=name)
    with pytest.raises(ValueError, match=r"no state dict .*found \['epoch', 'flags'"):
        torch_pickle.read_state_dict(FIXTURES / "torch_nested.pt")


def _zip_with_pickle(path: Path, payload: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", payload)
        archive.writestr("archive/byteorder", "little")
    return path


class _Hostile:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return self.func, (self.arg,)


@pytest.mark.parametrize(
    ("func", "name"), [(os.system, f"{os.system.__module__}.system"), (eval, "builtins.eval")]
)
def test_a_hostile_pickle_is_refused_without_running(tmp_path, func, name):
    marker = tmp_path / "pwned"
    command = f"touch {marker}" if func is os.system else f"open({str(marker)!r}, 'w')"
    payload = pickle.dumps({"model": {"w": _Hostile(func, command)}}, protocol=2)
    path = _zip_with_pickle(tmp_path / "evil.pt", payload)
    with pytest.raises(ValueError, match=rf"refers to {name}, which is not a tensor"):
        torch_pickle.load(path)
    with pytest.raises(ValueError, match=rf"refers to {name}"):
        torch_pickle.read_state_dict(path)
    assert not marker.exists()
    # The same payload loaded by the standard unpickler would have run: the test would notice.
    subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"],
                   input=payload, check=False)  # fmt: skip
    assert marker.exists()


def test_other_globals_and_malformed_tensors_are_refused(tmp_path):
    # e.g. the command-line arguments that training scripts (MAE's among them) store in a checkpoint
    payload = pickle.dumps({"model": {}, "args": argparse.Namespace(lr=1e-3)}, protocol=2)
    with pytest.raises(ValueError, match=r"refers to argparse.Namespace"):
        torch_pickle.load(_zip_with_pickle(tmp_path / "args.pt", payload))
    # A storage shorter than its pickle says (a damaged file).
    good = zipfile.ZipFile(FIXTURES / "torch_state_dict.pt")
    prefix = next(n for n in good.namelist() if n.endswith("data.pkl"))[: -len("data.pkl")]
    bad = tmp_path / "bad.pt"
    with zipfile.ZipFile(bad, "w") as archive:
        for info in good.infolist():
            content = good.read(info)
            archive.writestr(info.filename, content[:4] if info.filename == prefix + "data/0" else content)
    with pytest.raises(ValueError, match=r"storage '0' has 4 bytes"):
        torch_pickle.load(bad)
    # A 3 x 3 tensor on a storage of 4 floats: as_strided would read foreign memory.
    text = lambda s: b"X" + len(s).to_bytes(4, "little") + s.encode()  # noqa: E731  (BINUNICODE)
    storage = b"(" + text("storage") + b"ctorch\nFloatStorage\n" + text("0") + text("cpu") + b"K\x04tQ"
    tensor = (
        b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n("
        + storage
        + b"K\x00K\x03K\x03\x86K\x03K\x01\x86\x89}tR."
    )
    path = _zip_with_pickle(tmp_path / "overreach.pt", tensor)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("archive/data/0", np.arange(4, dtype="<f4").tobytes())
    with pytest.raises(ValueError, match=r"size \(3, 3\) .* reaches beyond its storage of 4 values"):
        torch_pickle.load(path)
    float8 = b"\x80\x02ctorch\nfloat8_e4m3fn\n."  # the dtype global of a float8 tensor
    with pytest.raises(ValueError, match="float8_e4m3fn, which NumPy cannot represent"):
        torch_pickle.load(_zip_with_pickle(tmp_path / "f8.pt", float8))
    deep = b"\x80\x02" + b"]" * 100_000 + b"a" * 99_999 + b"."  # lists nested beyond the recursion limit
    with pytest.raises(ValueError, match="cannot be read as plain containers"):
        torch_pickle.load(_zip_with_pickle(tmp_path / "deep.pt", deep))
    (tmp_path / "plain.pt").write_bytes(pickle.dumps({"w": 1}))
    with pytest.raises(ValueError, match="not a file written by torch.save"):
        torch_pickle.load(tmp_path / "plain.pt")


def test_big_endian_and_legacy_files_are_refused_with_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match=r"legacy format.*before 1.6.*torch.save\(torch.load"):
        torch_pickle.load(FIXTURES / "torch_legacy.pt")
    source = zipfile.ZipFile(FIXTURES / "torch_state_dict.pt")
    big = tmp_path / "big.pt"
    with zipfile.ZipFile(big, "w") as archive:
        for info in source.infolist():
            content = source.read(info)
            archive.writestr(info.filename, b"big" if info.filename.endswith("/byteorder") else content)
    with pytest.raises(ValueError, match="big-endian"):
        torch_pickle.load(big)


def test_round_trip_with_torch(tmp_path):
    torch = pytest.importorskip("torch")
    generator = torch.Generator().manual_seed(0)
    dtypes = [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32,
              torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64]  # fmt: skip
    saved = {}
    for dtype in dtypes:
        values = torch.randn(3, 5, 4, generator=generator) * 100
        tensor = values.to(torch.complex64) if dtype.is_complex else values.to(dtype)
        saved[str(dtype)] = tensor
        saved[f"{dtype} permuted"] = tensor.permute(2, 0, 1)[1:, :, ::2]
    state = collections.OrderedDict(torch.nn.GRU(4, 3, num_layers=2).state_dict())
    path = tmp_path / "round.pt"
    torch.save({"tensors": saved, "state": state, "epoch": 1}, path)
    loaded = torch_pickle.load(path)
    assert loaded["epoch"] == 1 and list(loaded["state"]) == list(state)
    for name, tensor in [*saved.items(), *state.items()]:
        got = loaded["tensors"].get(name) if name in saved else loaded["state"][name]
        reference = (tensor.float() if tensor.dtype == torch.bfloat16 else tensor).numpy()
        assert got.dtype == reference.dtype and got.shape == reference.shape, name
        np.testing.assert_array_equal(got, reference, err_msg=name)
