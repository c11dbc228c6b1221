"""The training element shared by every waveform reader, and the numpy -> tf.data step.

An element is a dict with SeisBench's metadata names:

- :data:`WAVEFORM`: float32 ``[samples, channels]`` in the requested component order, raw values.
- :data:`P_ARRIVAL`, :data:`S_ARRIVAL`: float32 sample index of the arrival inside the waveform,
  NaN when the phase is absent.
- :data:`TRACE_NAME`, :data:`SOURCE_ID`: strings (``""`` when the source is unknown).
- :data:`SAMPLING_RATE`: float32 Hz; :data:`SNR`: float32 dB (NaN when unknown).

Readers produce these dicts with numpy values (:func:`make_example`); :func:`to_dataset` turns a
reader into a ``tf.data.Dataset`` with a fixed signature, so the parsing code exists once and the
TFDS builders reuse it.

Example:
    >>> import numpy as np
    >>> ex = make_example(np.ones((5, 3)), "ZNE", "ENZ", p=1.0, s=None, trace_name="a")
    >>> ex[WAVEFORM].dtype, ex[WAVEFORM].shape, float(ex[S_ARRIVAL])
    (dtype('float32'), (5, 3), nan)
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

WAVEFORM = "waveform"
P_ARRIVAL = "trace_p_arrival_sample"
S_ARRIVAL = "trace_s_arrival_sample"
TRACE_NAME = "trace_name"
SOURCE_ID = "source_id"
SAMPLING_RATE = "trace_sampling_rate_hz"
SNR = "trace_snr_db"
COMPONENT_ORDER = "trace_component_order"
SPLIT = "split"

FLOAT_KEYS = (P_ARRIVAL, S_ARRIVAL, SAMPLING_RATE, SNR)
STRING_KEYS = (TRACE_NAME, SOURCE_ID)
"""Keys present in every element besides :data:`WAVEFORM`."""


def check_components(components: str) -> str:
    """Validate a component order such as ``"ENZ"`` (unique single-letter component codes)."""
    if not isinstance(components, str) or not components:
        raise TypeError(f"components must be a non-empty string such as 'ENZ'; got {components!r}.")
    if len(set(components)) != len(components):
        raise ValueError(f"components {components!r} repeats a component; expected e.g. 'ENZ'.")
    return components


def reorder(data: np.ndarray, source: str, target: str) -> np.ndarray:
    """Columns of ``data`` ``[samples, len(source)]`` in the ``target`` order, float32.

    A component of ``target`` that ``source`` lacks becomes a column of zeros (logged at INFO).

    Example:
        >>> reorder(np.array([[1, 2, 3]]), "ZNE", "ENZ").tolist()
        [[3.0, 2.0, 1.0]]
        >>> reorder(np.array([[1]]), "Z", "ENZ").tolist()
        [[0.0, 0.0, 1.0]]
    """
    if data.ndim != 2 or data.shape[1] != len(source):
        raise ValueError(
            f"waveform has shape {data.shape}; expected [samples, {len(source)}] for components {source!r}."
        )
    out = np.zeros((data.shape[0], len(target)), dtype=np.float32)
    for i, component in enumerate(target):
        j = source.find(component)
        if j >= 0:
            out[:, i] = data[:, j]
        else:
            logger.info("component %s missing (record has %s): filled with zeros", component, source)
    return out


def as_float(value: Any) -> np.float32:
    """A metadata value as float32; missing, empty or non-numeric values become NaN."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return np.float32(np.nan)
    return np.float32(out if math.isfinite(out) else np.nan)


def as_text(value: Any) -> str:
    """A metadata value as text; NaN and None become ``""``; whole floats lose their ``.0``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def make_example(
    data: np.ndarray,
    source: str,
    components: str,
    *,
    p: Any,
    s: Any,
    trace_name: str,
    source_id: Any = "",
    sampling_rate: Any = np.nan,
    snr: Any = np.nan,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One element: ``data`` ``[samples, len(source)]`` reordered to ``components``, arrivals in samples."""
    example = {
        WAVEFORM: reorder(np.asarray(data), source, components),
        P_ARRIVAL: as_float(p),
        S_ARRIVAL: as_float(s),
        TRACE_NAME: str(trace_name),
        SOURCE_ID: as_text(source_id),
        SAMPLING_RATE: as_float(sampling_rate),
        SNR: as_float(snr),
    }
    for key, value in (extra or {}).items():
        example[key] = value
    return example


def column_kinds(metadata: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """``{column: "float" | "text"}`` for extra metadata columns to carry into each element."""
    reserved = {WAVEFORM, *FLOAT_KEYS, *STRING_KEYS}
    kinds = {}
    for column in columns:
        if column not in metadata.columns:
            raise ValueError(f"metadata has no column {column!r}; it has {list(metadata.columns)}.")
        if column in reserved:
            continue
        kinds[column] = "float" if pd.api.types.is_numeric_dtype(metadata[column]) else "text"
    return kinds


def extra_values(row: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    """The extra columns of one metadata row, converted as :func:`column_kinds` says."""
    return {c: as_float(row[c]) if kind == "float" else as_text(row[c]) for c, kind in kinds.items()}


def row_order(n: int, shuffle: bool, seed: int | None) -> np.ndarray:
    """Indices ``0..n-1``, permuted with ``seed`` when ``shuffle`` is true."""
    if not shuffle:
        return np.arange(n)
    return np.random.default_rng(seed).permutation(n)


def iter_rows(
    metadata: pd.DataFrame, columns: Sequence[str], shuffle: bool = False, seed: int | None = None
) -> Iterator[dict[str, Any]]:
    """One small ``{column: value}`` dict per row of ``metadata`` (only ``columns`` that exist).

    Reads column arrays, so a table of millions of rows is not copied into millions of dicts.
    """
    arrays = {c: metadata[c].to_numpy() for c in dict.fromkeys(columns) if c in metadata.columns}
    for i in row_order(len(metadata), shuffle, seed):
        yield {c: values[i] for c, values in arrays.items()}


def to_dataset(
    generate: Callable[[int | None], Iterator[dict[str, Any]]],
    channels: int,
    extra: Mapping[str, str] | None = None,
    size: int | None = None,
    seed: int | None = None,
):
    """A ``tf.data.Dataset`` of the elements that ``generate(seed)`` yields.

    Every iteration (epoch) calls ``generate`` again with ``seed + epoch`` (``None`` stays ``None``),
    so a shuffled reader gives a new but reproducible order per epoch. ``extra`` maps additional
    keys to ``"float"`` or ``"text"``; ``size`` sets the dataset's cardinality.
    """
    import tensorflow as tf

    signature = {WAVEFORM: tf.TensorSpec((None, channels), tf.float32)}
    signature.update({k: tf.TensorSpec((), tf.float32) for k in FLOAT_KEYS})
    signature.update({k: tf.TensorSpec((), tf.string) for k in STRING_KEYS})
    for key, kind in (extra or {}).items():
        signature[key] = tf.TensorSpec((), tf.float32 if kind == "float" else tf.string)
    epochs = itertools.count()

    def generator():
        epoch = next(epochs)
        for example in generate(None if seed is None else seed + epoch):
            yield {key: example[key] for key in signature}

    ds = tf.data.Dataset.from_generator(generator, output_signature=signature)
    if size is not None:
        ds = ds.apply(tf.data.experimental.assert_cardinality(size))
    return ds


def reader_dataset(
    iter_examples: Callable[..., Iterator[dict[str, Any]]],
    path: Any,
    metadata: pd.DataFrame,
    *,
    components: str,
    shuffle: bool,
    seed: int | None,
    columns: Sequence[str],
):
    """A format reader's ``iter_examples(path, metadata=...)`` over a fixed table, as a ``tf.data.Dataset``.

    Every epoch reads the traces again (a new order per epoch with ``shuffle``, see :func:`to_dataset`).
    """
    kinds = column_kinds(metadata, columns)

    def generate(epoch_seed):
        return iter_examples(
            path, components=components, shuffle=shuffle, seed=epoch_seed, columns=columns, metadata=metadata
        )

    return to_dataset(generate, len(check_components(components)), kinds, size=len(metadata), seed=seed)


def tfds_features(channels: int, extra: Mapping[str, str] | None = None):
    """The ``tfds.features.FeaturesDict`` of an element (used by the TFDS builders in ``zoo.datasets``).

    ``waveform`` is ``Tensor(shape=(None, channels), float32)``; ``extra`` maps additional keys to
    ``"float"`` (float32) or ``"text"``.
    """
    import tensorflow_datasets as tfds

    spec = {WAVEFORM: tfds.features.Tensor(shape=(None, channels), dtype=np.float32)}
    spec.update({k: np.float32 for k in FLOAT_KEYS})
    spec.update({k: tfds.features.Text() for k in STRING_KEYS})
    for key, kind in (extra or {}).items():
        spec[key] = np.float32 if kind == "float" else tfds.features.Text()
    return tfds.features.FeaturesDict(spec)


def tfds_examples(
    examples: Iterator[dict[str, Any]], extra: Sequence[str] = ()
) -> Iterator[tuple[str, dict]]:
    """``(trace_name, features)`` pairs for a TFDS builder's ``_generate_examples``."""
    keys = (WAVEFORM, *FLOAT_KEYS, *STRING_KEYS, *extra)
    for example in examples:
        yield example[TRACE_NAME], {key: example[key] for key in keys}
