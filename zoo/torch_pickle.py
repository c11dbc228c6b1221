"""Read PyTorch ``.pt`` / ``.pth`` files without PyTorch: tensors become NumPy arrays, no code runs.

A file written by ``torch.save`` (PyTorch 1.6 and later) is a zip archive. Its member
``<name>/data.pkl`` is a pickle (protocol 2) of the saved object in which every tensor is a call to
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``; each storage is named by a key,
and its raw little-endian bytes are the member ``<name>/data/<key>``. This module unpickles with a
``pickle.Unpickler`` whose ``find_class`` knows only those tensor-rebuilding functions, the storage
types, ``collections.OrderedDict`` and plain containers and scalars; any other global (``os.system``,
``builtins.eval``, a model class, ``argparse.Namespace``, NumPy's scalar constructor) is refused with a
``ValueError`` that names it, before anything is called. Nothing from the file is ever executed.

Tensors come back as NumPy arrays with the tensor's shape, C-contiguous copies (a view with an offset
or strides, e.g. a transposed tensor, is read through ``numpy.lib.stride_tricks.as_strided`` and
copied). dtypes: float64/32/16, int64/32/16/8, uint8/16/32/64, bool, complex64/128 keep their type;
bfloat16, which NumPy lacks, is widened exactly to float32. Float8, quantised and sparse tensors are
refused. State dicts (``collections.OrderedDict``) stay ``OrderedDict``; nested dicts, lists, tuples,
sets, strings, bytes and numbers come back as themselves. The device a tensor was saved from (e.g.
``cuda:0``) does not matter. Files in PyTorch's legacy format (before 1.6, or saved with
``_use_new_zipfile_serialization=False``) are refused with a message saying how to convert them.

Example:
    >>> import io, pickle, tempfile, zipfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "empty.pt"
    >>> with zipfile.ZipFile(path, "w") as archive:
    ...     archive.writestr("empty/data.pkl", pickle.dumps({"epoch": 3, "name": "max"}, protocol=2))
    >>> load(path)
    {'epoch': 3, 'name': 'max'}
"""

from __future__ import annotations

import collections
import os
import pickle
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

# NumPy dtype of each PyTorch storage type (the global the pickle names, e.g. ``torch.FloatStorage``).
_STORAGE_DTYPES = {
    "DoubleStorage": "<f8",
    "FloatStorage": "<f4",
    "HalfStorage": "<f2",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
    "ComplexFloatStorage": "<c8",
    "ComplexDoubleStorage": "<c16",
}
# NumPy dtype of each ``torch.<dtype>`` global (given explicitly with untyped storages, e.g. uint16).
_TORCH_DTYPES = {
    "float64": "<f8",
    "float32": "<f4",
    "float16": "<f2",
    "bfloat16": "bfloat16",
    "int64": "<i8",
    "int32": "<i4",
    "int16": "<i2",
    "int8": "i1",
    "uint8": "u1",
    "uint16": "<u2",
    "uint32": "<u4",
    "uint64": "<u8",
    "bool": "?",
    "complex64": "<c8",
    "complex128": "<c16",
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # the first pickle of a legacy (pre-1.6) torch.save file
_MODULE_ALIASES = {"__builtin__": "builtins", "copy_reg": "copyreg"}  # Python 2 names in protocol 2
_UNSUPPORTED_DTYPES = ("float8", "float4", "bits", "complex32", "qint", "quint", "QInt", "QUInt")


class _StorageType:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _DType:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Placeholder:
    """Stands for a storage or tensor while unpickling; refuses to be modified by the pickle."""

    __slots__ = ()

    def __setstate__(self, state: Any) -> None:
        raise ValueError("The pickle tries to set the state of a tensor; refused.")


class _Storage(_Placeholder):
    __slots__ = ("dtype", "key", "numel")

    def __init__(self, dtype: str, key: str, numel: int) -> None:
        self.dtype, self.key, self.numel = dtype, key, numel


class _Tensor(_Placeholder):
    __slots__ = ("storage", "offset", "size", "stride", "dtype", "metadata")

    def __init__(self, storage: Any, offset: Any, size: Any, stride: Any, dtype: str, metadata: Any) -> None:
        if not isinstance(storage, _Storage):
            raise ValueError(f"A tensor is rebuilt from a {type(storage).__name__}, not a storage.")
        self.storage, self.dtype, self.metadata = storage, dtype, metadata
        self.offset, self.size, self.stride = _index(offset), _shape(size), _shape(stride)
        if len(self.size) != len(self.stride):
            raise ValueError(f"A tensor has size {self.size} but strides {self.stride}.")


def _index(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"Expected a non-negative integer in a tensor's layout, got {value!r}.")
    return value


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, tuple | list):
        raise ValueError(f"Expected a tuple of integers in a tensor's layout, got {value!r}.")
    return tuple(_index(v) for v in value)


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any) -> _Tensor:
    return _Tensor(storage, offset, size, stride, getattr(storage, "dtype", ""), None)


def _rebuild_tensor_v2(
    storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any, hooks: Any, metadata: Any = None
) -> _Tensor:
    return _Tensor(storage, offset, size, stride, getattr(storage, "dtype", ""), metadata)


def _rebuild_tensor_v3(
    storage: Any,
    offset: Any,
    size: Any,
    stride: Any,
    requires_grad: Any,
    hooks: Any,
    dtype: Any,
    metadata: Any = None,
) -> _Tensor:
    if not isinstance(dtype, _DType):
        raise ValueError(f"A tensor names dtype {dtype!r}, not a torch dtype.")
    if not isinstance(storage, _Storage) or storage.dtype != "u1":
        raise ValueError("A tensor with an explicit dtype must be rebuilt from an untyped storage.")
    numpy_dtype = _TORCH_DTYPES[dtype.name]
    itemsize = 2 if numpy_dtype == "bfloat16" else np.dtype(numpy_dtype).itemsize
    if storage.numel % itemsize:
        raise ValueError(f"A storage of {storage.numel} bytes cannot hold {dtype.name} values.")
    typed = _Storage(numpy_dtype, storage.key, storage.numel // itemsize)
    return _Tensor(typed, offset, size, stride, numpy_dtype, metadata)


def _rebuild_parameter(data: Any, requires_grad: Any, hooks: Any, state: Any = None) -> Any:
    if not isinstance(data, _Tensor):
        raise ValueError(f"A parameter wraps a {type(data).__name__}, not a tensor.")
    return data


def _encode(text: Any, encoding: Any = "latin1") -> bytes:
    """``_codecs.encode``, as protocol 2 pickles ``bytes``: only str -> latin-1 bytes."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise ValueError("The pickle calls _codecs.encode other than for bytes; refused.")
    return text.encode("latin1")


_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("_codecs", "encode"): _encode,
    ("torch", "Size"): tuple,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch", "UntypedStorage"): _StorageType("UntypedStorage"),
    ("torch.storage", "UntypedStorage"): _StorageType("UntypedStorage"),
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
    **{("torch", name): _DType(name) for name in _TORCH_DTYPES},
}


class _Unpickler(pickle.Unpickler):
    """Resolves only the globals in ``_GLOBALS``; storages become :class:`_Storage` placeholders."""

    def __init__(self, file: Any, source: str) -> None:
        super().__init__(file, encoding="utf-8")
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        module = _MODULE_ALIASES.get(module, module)
        found = _GLOBALS.get((module, name))
        if found is None and module == "torch" and name.startswith(_UNSUPPORTED_DTYPES):
            raise ValueError(
                f"{self.source} holds a tensor of PyTorch type {name}, which NumPy cannot represent; "
                "convert it in PyTorch (e.g. tensor.float()) and save it again."
            )
        if found is None:
            raise ValueError(
                f"{self.source} refers to {module}.{name}, which is not a tensor, a storage or a plain "
                "container; refused (a PyTorch file can run code when unpickled, so only tensors and "
                "plain data are read)."
            )
        return found

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise ValueError(f"{self.source} holds an unknown persistent object {pid!r:.80}; refused.")
        _, storage_type, key, _location, numel = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str):
            raise ValueError(f"{self.source} names storage {key!r} with an unknown storage type; refused.")
        dtype = "u1" if storage_type.name == "UntypedStorage" else _STORAGE_DTYPES[storage_type.name]
        return _Storage(dtype, key, _index(numel))


def load(path: str | os.PathLike) -> Any:
    """The object saved with ``torch.save`` at ``path``, with every tensor as a NumPy array.

    Raises:
        ValueError: the file refers to anything but tensors and plain data (naming the global), is in
            PyTorch's legacy format, is big-endian, or is damaged.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist or is not a file.")
    if not zipfile.is_zipfile(path):
        raise ValueError(_not_zip_message(path))
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n == "data.pkl" or n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"{path} is a zip file but not one written by torch.save (no single data.pkl).")
        prefix = pickles[0][: -len("data.pkl")]
        names = set(archive.namelist())
        if f"{prefix}byteorder" in names and archive.read(f"{prefix}byteorder").strip() != b"little":
            raise ValueError(f"{path} was saved on a big-endian machine; only little-endian files are read.")
        try:
            with archive.open(pickles[0]) as fh:
                obj = _Unpickler(fh, str(path)).load()
        except ValueError:
            raise
        except Exception as err:  # a malformed pickle: UnpicklingError, EOFError, TypeError, ...
            raise ValueError(f"{path} holds a damaged or unsupported pickle ({err}).") from err
        storages: dict[str, np.ndarray] = {}

        def storage(item: _Storage) -> np.ndarray:
            if item.key not in storages:
                member = f"{prefix}data/{item.key}"
                if member not in names:
                    raise ValueError(f"{path} has no storage {item.key!r} ({member}).")
                raw = archive.read(member)
                dtype = np.dtype("<u2" if item.dtype == "bfloat16" else item.dtype)
                if len(raw) != item.numel * dtype.itemsize:
                    raise ValueError(
                        f"{path}: storage {item.key!r} has {len(raw)} bytes, expected "
                        f"{item.numel} x {dtype.itemsize} (damaged file)."
                    )
                storages[item.key] = np.frombuffer(raw, dtype)
            return storages[item.key]

        try:
            return _materialize(obj, lambda t: _array(t, storage(t.storage), path), {})
        except (TypeError, AttributeError, RecursionError) as err:  # a tensor as a dict key, deep nesting
            raise ValueError(f"{path} holds data that cannot be read as plain containers ({err}).") from err


def read_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The state dict saved at ``path`` as ``{name: array}``.

    A checkpoint dict that holds the state dict under ``"model"`` or ``"state_dict"`` (with other
    entries such as ``"epoch"`` beside it) is unwrapped.

    Raises:
        ValueError: as :func:`load`, or the file holds no mapping of names to tensors.
    """
    obj = load(path)
    if isinstance(obj, Mapping) and not _is_state_dict(obj):
        for key in ("model", "state_dict"):
            if _is_state_dict(obj.get(key)):
                obj = obj[key]
                break
    if not _is_state_dict(obj):
        found = sorted(map(str, obj)) if isinstance(obj, Mapping) else type(obj).__name__
        raise ValueError(
            f"{path} holds no state dict (a mapping of names to tensors, possibly under 'model' or "
            f"'state_dict'); found {found}."
        )
    return dict(obj)


def _is_state_dict(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping)
        and bool(obj)
        and all(isinstance(k, str) and isinstance(v, np.ndarray) for k, v in obj.items())
    )


def _array(tensor: _Tensor, flat: np.ndarray, path: Path) -> np.ndarray:
    """The tensor's values: its view (offset, size, strides in elements) of the storage, copied."""
    if any(n == 0 for n in tensor.size):
        values = np.empty(tensor.size, flat.dtype)
    else:
        last = tensor.offset + sum((n - 1) * s for n, s in zip(tensor.size, tensor.stride))
        if last >= len(flat):
            raise ValueError(
                f"{path}: a tensor of size {tensor.size} (strides {tensor.stride}, offset {tensor.offset}) "
                f"reaches beyond its storage of {len(flat)} values (damaged file)."
            )
        view = np.lib.stride_tricks.as_strided(
            flat[tensor.offset :],
            shape=tensor.size,
            strides=[s * flat.itemsize for s in tensor.stride],
            writeable=False,
        )
        values = np.array(view, dtype=flat.dtype.newbyteorder("="), order="C")
    if tensor.dtype == "bfloat16":  # the upper 16 bits of a float32: widening is exact
        values = (values.astype(np.uint32) << 16).view(np.float32)
    for flag, on in dict(tensor.metadata or {}).items():
        if flag == "neg" and on:
            values = np.negative(values)
        elif flag == "conj" and on:
            values = np.conj(values)
        elif on:
            raise ValueError(f"{path}: a tensor has the unsupported flag {flag!r}.")
    return values


def _materialize(obj: Any, array: Callable[[_Tensor], np.ndarray], memo: dict[int, Any]) -> Any:
    """Replace placeholders by arrays in nested containers (shared and cyclic parts stay shared)."""
    if id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, _Tensor):
        memo[id(obj)] = array(obj)
    elif isinstance(obj, _Placeholder | _StorageType | _DType) or callable(obj):
        raise ValueError(f"A bare {type(obj).__name__.strip('_').lower()} is not plain data; refused.")
    elif isinstance(obj, dict):
        result = type(obj)() if type(obj) in (dict, collections.OrderedDict) else {}
        memo[id(obj)] = result
        for key, value in obj.items():
            result[_materialize(key, array, memo)] = _materialize(value, array, memo)
    elif isinstance(obj, list):
        items: list[Any] = []
        memo[id(obj)] = items
        items.extend(_materialize(item, array, memo) for item in obj)
    elif isinstance(obj, tuple):
        memo[id(obj)] = tuple(_materialize(item, array, memo) for item in obj)
    else:
        memo[id(obj)] = obj  # str, bytes, numbers, bool, None, set and frozenset of those
    return memo[id(obj)]


def _not_zip_message(path: Path) -> str:
    if tarfile.is_tarfile(path):
        return f"{path} is in PyTorch's tar format (before 0.4); load it in PyTorch and save it again."
    try:
        with open(path, "rb") as fh:
            first = _Unpickler(fh, str(path)).load()
    except Exception:
        first = None
    if isinstance(first, int) and first == _LEGACY_MAGIC:
        return (
            f"{path} is in PyTorch's legacy format (PyTorch before 1.6, or saved with "
            "_use_new_zipfile_serialization=False), which is not read without PyTorch. Convert it once: "
            "torch.save(torch.load(path, weights_only=True), new_path)."
        )
    return f"{path} is not a file written by torch.save (not a zip archive)."
