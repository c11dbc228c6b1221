"""Convolution weights as graph constants in a private inference copy, so that oneDNN keeps them reordered.

TensorFlow's oneDNN convolution reorders its filter into the blocked layout its kernel reads on every
call when the filter is read from a variable, and once per process when the filter is a constant
(it caches the reordered copy). For PhaseNet at 64 windows per call those reorders were a tenth of the
network's oneDNN time; annotate 15.3 -> 16.0 hours of data per second on an Intel Xeon (5 alternating
pairs). Layers that mix in :class:`ConstantWeights` read their weights through
:meth:`ConstantWeights.weight`, which gives the variable itself unless :func:`use_constant_weights`
switched the layer over; then it embeds the variable's value when the calling function is traced.
A traced function then no longer follows the variables, so only copies that nobody else holds are
switched: ``zoo.waveforms.predict.predict_function``'s, which it rebuilds when the model's weights change.

Example:
    >>> import numpy as np, tensorflow as tf
    >>> from zoo.models.conv_rewrites import MappedConv1D
    >>> conv = MappedConv1D(2, 3)
    >>> conv.build((None, 8, 1))
    >>> x = np.ones((1, 8, 1), "float32")
    >>> before = conv(x)
    >>> use_constant_weights(conv)
    1
    >>> bool(np.allclose(tf.function(conv)(x), before))
    True
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf


class ConstantWeights:
    """Mixin for Keras layers whose ``call`` reads weights through :meth:`weight`."""

    constant_weights = False
    """Whether :meth:`weight` embeds the weights' values (set by :func:`use_constant_weights`)."""

    def weight(self, variable: Any) -> Any:
        """``variable`` as ``call`` should use it: the variable, or while tracing a function after
        :func:`use_constant_weights` its current value as a constant in the layer's compute dtype."""
        if not self.constant_weights:
            return variable
        with tf.init_scope():  # read eagerly, outside the function being traced
            value = keras.ops.convert_to_numpy(variable)
        return tf.cast(tf.constant(value), self.compute_dtype)


def use_constant_weights(network: keras.layers.Layer) -> int:
    """Switch every :class:`ConstantWeights` layer in ``network`` (itself included) to constant weights;
    returns how many were switched. Only for a copy that no one changes afterwards: functions traced
    later embed the values of now."""
    switched = [layer for layer in network._flatten_layers() if isinstance(layer, ConstantWeights)]
    for layer in switched:
        layer.constant_weights = True
    return len(switched)
