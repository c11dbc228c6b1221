"""A card's post-processing as the last layer of an inference copy, whose outputs are then label curves.

An inference copy (``AnnotationSpec.inference_model``) computes ``postprocess(model(x))``: a copy that
cannot fold the post-processing into its own layers (PhaseNet's does, into its softmax) ends with
:func:`ending_in_curves`.

Example:
    >>> import numpy as np, keras
    >>> inputs = keras.Input((4,))
    >>> network = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    >>> curves = ending_in_curves(network, lambda y: y[:, None, :])
    >>> tuple(curves(np.ones((2, 4), "float32")).shape)
    (2, 1, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras


class LabelCurves(keras.layers.Layer):
    """Applies ``postprocess`` (a card's, TensorFlow ops) to the outputs of the layers before it.

    Has no weights and is never saved: inference copies are made in memory from a loaded model (its
    config carries the function itself, so that copies of the copy, e.g. in bfloat16, keep it).
    """

    def __init__(self, postprocess: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.postprocess = postprocess

    def call(self, outputs: Any) -> Any:
        return self.postprocess(outputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "postprocess": self.postprocess}


def ending_in_curves(network: keras.Model, postprocess: Callable[[Any], Any]) -> keras.Model:
    """``network`` (functional) followed by ``postprocess``: one model on the same layers and weights."""
    curves = LabelCurves(postprocess, name="label_curves")(network.output)
    return keras.Model(network.input, curves, name=network.name)
