"""Assigning a PyTorch state dict to a Keras network: weight layouts and strict key bookkeeping.

A converter describes where each state-dict entry goes with a :class:`Plan`: ``plan.conv(prefix,
layer)``, ``plan.batch_norm(prefix, layer)``, ``plan.lstm(keys, layer)``, ... Each call looks up the
keys, checks their shapes against the Keras variables (converted back to PyTorch's layout) and records
the converted values; nothing is assigned until :meth:`Plan.apply`, which first refuses keys that no
call used. So a missing key, a wrongly shaped tensor or an unknown key is a ``ValueError`` naming the
key (and both shapes), and in that case the model is left untouched. ``num_batches_tracked`` counters
(training bookkeeping of PyTorch's batch norm) are ignored.

Layouts (PyTorch -> Keras):

- ``Conv1d`` weight ``[out, in, k]`` -> ``Conv1D`` kernel ``[k, in, out]``; ``Conv2d``
  ``[out, in, kh, kw]`` -> ``Conv2D`` ``[kh, kw, in, out]``;
- ``ConvTranspose1d`` ``[in, out, k]`` -> ``Conv1DTranspose`` ``[k, out, in]`` (no kernel flip);
- ``Linear`` ``[out, in]`` -> ``Dense`` kernel ``[in, out]``;
- ``BatchNorm`` weight, bias, running_mean, running_var -> gamma, beta, moving_mean, moving_variance;
- ``LSTM`` ``weight_ih [4u, in]``, ``weight_hh [4u, u]``, ``bias_ih``, ``bias_hh`` -> kernel
  ``weight_ih.T``, recurrent kernel ``weight_hh.T``, bias ``bias_ih + bias_hh``; both use the gate
  order input, forget, cell, output.

Example:
    >>> import keras, numpy as np
    >>> dense = keras.layers.Dense(2)
    >>> dense.build((None, 3))
    >>> state = {"fc.weight": np.ones((2, 3), "float32"), "fc.bias": np.zeros(2, "float32")}
    >>> plan = Plan(state, "example.pt")
    >>> plan.dense("fc", dense)
    >>> plan.apply()  # the number of values assigned
    8
    >>> dense.kernel.numpy().tolist()  # Linear [out, in] -> Dense [in, out]
    [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import keras
import numpy as np

logger = logging.getLogger(__name__)

IGNORED_SUFFIX = "num_batches_tracked"


def _reverse_axes(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(array, tuple(range(array.ndim - 1, -1, -1))))


def _torch_conv_to_keras(array: np.ndarray) -> np.ndarray:
    """``[out, in, *k]`` -> ``[*k, in, out]``."""
    return np.ascontiguousarray(np.transpose(array, (*range(2, array.ndim), 1, 0)))


def _keras_conv_shape(shape: Sequence[int]) -> tuple[int, ...]:
    """Keras ``[*k, in, out]`` -> the PyTorch shape ``[out, in, *k]``."""
    return (shape[-1], shape[-2], *shape[:-2])


class Plan:
    """The values to assign to a Keras model, collected key by key from a PyTorch state dict.

    Args:
        state: ``{key: array}`` as read by :func:`zoo.torch_pickle.read_state_dict`.
        source: how to name the state dict in messages (usually the file name).
    """

    def __init__(self, state: Mapping[str, np.ndarray], source: str = "the state dict") -> None:
        self.source = source
        self._state = {
            key: np.asarray(value) for key, value in state.items() if key.rsplit(".", 1)[-1] != IGNORED_SUFFIX
        }
        self._used: set[str] = set()
        self._assignments: list[tuple[keras.Variable, np.ndarray]] = []

    def take(self, key: str, shape: Sequence[int]) -> np.ndarray:
        """The array under ``key``, checked to have the PyTorch ``shape``; marks the key as used."""
        shape = tuple(int(n) for n in shape)
        if key not in self._state:
            raise ValueError(
                f"{self.source} has no entry {key!r} (a tensor of shape {shape}); it is not a weight file "
                "of this architecture, or the JSON's model_args do not describe it."
            )
        if key in self._used:
            raise ValueError(f"State-dict key {key!r} is assigned twice (a converter bug).")
        value = self._state[key]
        if tuple(value.shape) != shape:
            raise ValueError(
                f"State-dict key {key!r} in {self.source} has shape {tuple(value.shape)}, but the Keras "
                f"network needs {shape}; the JSON's model_args do not match the weights."
            )
        if not np.issubdtype(value.dtype, np.floating):
            raise ValueError(
                f"State-dict key {key!r} in {self.source} holds {value.dtype} values, not floats."
            )
        self._used.add(key)
        return value

    def put(self, variable: keras.Variable, value: np.ndarray) -> None:
        """Record ``value`` (already in Keras layout) for ``variable``."""
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"Converted value for {variable.path} has shape {tuple(value.shape)}, the variable "
                f"{tuple(variable.shape)} (a converter bug)."
            )
        self._assignments.append((variable, value))

    def _convert(
        self,
        key: str,
        variable: keras.Variable,
        to_torch_shape: Callable[[Sequence[int]], tuple[int, ...]],
        to_keras: Callable[[np.ndarray], np.ndarray],
    ) -> None:
        self.put(variable, to_keras(self.take(key, to_torch_shape(tuple(variable.shape)))))

    def same(self, key: str, variable: keras.Variable) -> None:
        """A tensor stored in the same layout as the Keras variable."""
        self._convert(key, variable, tuple, np.asarray)

    def column(self, key: str, variable: keras.Variable) -> None:
        """A ``[n, 1]`` tensor for a ``[n]`` variable (EQTransformer's layer-norm scales)."""
        self._convert(key, variable, lambda s: (*s, 1), lambda a: a.reshape(-1))

    def conv(self, prefix: str, layer: keras.layers.Layer, bias: bool = True) -> None:
        """``Conv1d``/``Conv2d`` ``prefix.weight`` (and ``prefix.bias``) -> ``Conv1D``/``Conv2D``."""
        self._convert(f"{prefix}.weight", layer.kernel, _keras_conv_shape, _torch_conv_to_keras)
        if bias:
            self.same(f"{prefix}.bias", layer.bias)

    def conv_transpose(self, prefix: str, layer: keras.layers.Layer, bias: bool = True) -> None:
        """``ConvTranspose1d`` ``[in, out, k]`` -> ``Conv1DTranspose`` ``[k, out, in]``."""
        self._convert(f"{prefix}.weight", layer.kernel, lambda s: tuple(reversed(s)), _reverse_axes)
        if bias:
            self.same(f"{prefix}.bias", layer.bias)

    def dense(
        self,
        prefix: str,
        layer: keras.layers.Layer,
        permute: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        """``Linear`` ``[out, in]`` -> ``Dense`` ``[in, out]``; ``permute`` reorders the ``[in, out]``
        kernel's input rows (e.g. for a different flatten order)."""
        convert = _reverse_axes if permute is None else (lambda a: permute(_reverse_axes(a)))
        self._convert(f"{prefix}.weight", layer.kernel, lambda s: tuple(reversed(s)), convert)
        self.same(f"{prefix}.bias", layer.bias)

    def batch_norm(self, prefix: str, layer: keras.layers.BatchNormalization) -> None:
        """``BatchNorm1d/2d`` -> ``BatchNormalization`` (the ``num_batches_tracked`` counter is ignored)."""
        for key, variable in (
            ("weight", layer.gamma),
            ("bias", layer.beta),
            ("running_mean", layer.moving_mean),
            ("running_var", layer.moving_variance),
        ):
            self.same(f"{prefix}.{key}", variable)

    def lstm(self, keys: Mapping[str, str], layer: keras.layers.LSTM) -> None:
        """One LSTM direction: ``keys`` maps ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` to
        state-dict keys (see :func:`lstm_keys`)."""
        cell = layer.cell
        units = cell.units
        inputs = int(cell.kernel.shape[0])
        self.put(cell.kernel, _reverse_axes(self.take(keys["weight_ih"], (4 * units, inputs))))
        self.put(cell.recurrent_kernel, _reverse_axes(self.take(keys["weight_hh"], (4 * units, units))))
        # Summed in float64: the float32 result is then the correctly rounded sum.
        bias_ih = self.take(keys["bias_ih"], (4 * units,)).astype(np.float64)
        self.put(cell.bias, bias_ih + self.take(keys["bias_hh"], (4 * units,)))

    def bidirectional(self, prefix: str, layer: keras.layers.Bidirectional, style: str) -> None:
        """A bidirectional LSTM (``concat``) stored as ``nn.LSTM`` (``style="torch"``) or as SeisBench's
        ``CustomLSTM`` (``style="cells"``)."""
        self.lstm(lstm_keys(prefix, style, reverse=False), layer.forward_layer)
        self.lstm(lstm_keys(prefix, style, reverse=True), layer.backward_layer)

    def apply(self) -> int:
        """Refuse unused keys, then assign every recorded value; returns the number of values assigned."""
        unknown = sorted(set(self._state) - self._used)
        if unknown:
            shown = ", ".join(f"{key!r} {tuple(self._state[key].shape)}" for key in unknown[:8])
            more = f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""
            raise ValueError(
                f"{self.source} has {len(unknown)} entr{'y' if len(unknown) == 1 else 'ies'} that the Keras "
                f"network has no place for: {shown}{more}; it is not a weight file of this architecture, "
                "or the JSON's model_args do not describe it."
            )
        for variable, value in self._assignments:
            variable.assign(value.astype(variable.dtype))
        count = sum(int(value.size) for _, value in self._assignments)
        logger.debug("Assigned %d values from %s", count, self.source)
        return count


def lstm_keys(prefix: str, style: str, reverse: bool = False) -> dict[str, str]:
    """State-dict keys of one LSTM direction.

    ``style="torch"``: ``nn.LSTM`` (``prefix.weight_ih_l0``, ``..._reverse`` for the backward
    direction); ``style="cells"``: SeisBench's ``CustomLSTM`` (``prefix.cell_f.weight_ih``,
    ``prefix.cell_b.*``).

    Example:
        >>> lstm_keys("lstm", "cells", reverse=True)["weight_ih"]
        'lstm.cell_b.weight_ih'
    """
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    if style == "torch":
        return {name: f"{prefix}.{name}_l0{'_reverse' if reverse else ''}" for name in names}
    if style == "cells":
        return {name: f"{prefix}.cell_{'b' if reverse else 'f'}.{name}" for name in names}
    raise ValueError(f"Unknown LSTM key style {style!r}; expected 'torch' or 'cells'.")
