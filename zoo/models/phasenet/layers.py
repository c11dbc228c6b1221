"""PhaseNet's custom layers: the U-Net's crop-and-concatenate skip connection, and the softmax head of
the folded inference network.

Example:
    >>> import numpy as np
    >>> skip, up = np.zeros((1, 750, 8), "float32"), np.ones((1, 752, 16), "float32")
    >>> tuple(CropAndConcat()(skip, up).shape)
    (1, 750, 24)
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


@keras.saving.register_keras_serializable(package="zoo")
class CropAndConcat(layers.Layer):
    """Crop ``up`` centrally to the length of ``skip`` and concatenate ``[skip, up]`` on channels."""

    def call(self, skip, up):
        offset = (keras.ops.shape(up)[1] - keras.ops.shape(skip)[1]) // 2
        length = keras.ops.shape(skip)[1]
        cropped = up[:, offset : offset + length, :]
        return keras.ops.concatenate([skip, cropped], axis=-1)

    def compute_output_shape(self, skip_shape, up_shape):
        return (skip_shape[0], skip_shape[1], skip_shape[2] + up_shape[2])


def class_pairs(classes: int) -> list[tuple[int, int]]:
    """The ordered pairs ``(i, j)``, ``i != j``, of ``classes`` classes, ``i`` major: the inputs of
    :class:`SoftmaxOfDifferences` are the logit differences ``z_j - z_i`` in this order."""
    return [(i, j) for i in range(classes) for j in range(classes) if j != i]


_LARGEST_DIFFERENCE = 80.0
"""exp(80) = 5.5e34: summed over any realistic number of classes it stays finite in float32."""


@keras.saving.register_keras_serializable(package="zoo")
class SoftmaxOfDifferences(layers.Layer):
    """Softmax over ``classes`` computed from the pairwise logit differences of :func:`class_pairs`.

    ``softmax(z)_i = 1 / (1 + sum_{j != i} exp(z_j - z_i))``: one exponential per pair and a matrix
    product that sums each class's pairs. A softmax over an innermost axis of 3 runs element by element
    on a CPU (oneDNN and Eigen alike: a fifth of PhaseNet's network time at batch 128); this head costs
    a 1x1 convolution with ``classes * (classes - 1)`` filters (which produces the differences) and
    a few passes over the data. Differences are capped at 80 before the exponential (a product of
    ``inf`` with the summing matrix's zeros would be NaN): a class that far behind gets a probability
    of at most 2e-35 instead of a smaller one.

    Example:
        >>> import numpy as np
        >>> z = np.array([[[0.5, -1.0, 2.0]]], "float32")
        >>> d = np.array([[[z[0, 0, j] - z[0, 0, i] for i, j in class_pairs(3)]]], "float32")
        >>> p = np.exp(z) / np.exp(z).sum()
        >>> bool(np.allclose(SoftmaxOfDifferences(3)(d), p, atol=1e-7))
        True
    """

    def __init__(self, classes: int, **kwargs):
        super().__init__(**kwargs)
        self.classes = classes
        self._sums = np.zeros((classes * (classes - 1), classes), "float32")
        for k, (i, _) in enumerate(class_pairs(classes)):
            self._sums[k, i] = 1.0

    def call(self, differences):
        shape = keras.ops.shape(differences)
        capped = keras.ops.minimum(differences, _LARGEST_DIFFERENCE)
        flat = keras.ops.reshape(keras.ops.exp(capped), (-1, shape[-1]))
        sums = keras.ops.matmul(flat, keras.ops.convert_to_tensor(self._sums, dtype=flat.dtype))
        return keras.ops.reshape(1.0 / (1.0 + sums), (shape[0], shape[1], self.classes))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.classes)

    def get_config(self):
        return {**super().get_config(), "classes": self.classes}
