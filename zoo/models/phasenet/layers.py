"""PhaseNet's custom layer: the U-Net's crop-and-concatenate skip connection.

Example:
    >>> import numpy as np
    >>> skip, up = np.zeros((1, 750, 8), "float32"), np.ones((1, 752, 16), "float32")
    >>> tuple(CropAndConcat()(skip, up).shape)
    (1, 750, 24)
"""

from __future__ import annotations

import keras
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
