"""Freeze parts of a model for fine-tuning: by the card's named layer groups or by a layer-name regex.

Frozen layers keep their weights; frozen batch-norm layers also keep their moving statistics (Keras runs
a non-trainable ``BatchNormalization`` in inference mode), which is what fine-tuning on a small data set
wants.

Example:
    >>> import zoo
    >>> model = zoo.load("phasenet", pretrained=False)
    >>> frozen = freeze(model, "encoder")
    >>> frozen[:3], model.get_layer("up_conv0_4").trainable
    (['input_conv', 'input_bn', 'down_conv1_1'], True)
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence

import keras

from zoo.registry import card_of


def _patterns(model: keras.Model, groups: str | Sequence[str]) -> list[str]:
    named = card_of(model).training.layer_groups
    items = [groups] if isinstance(groups, str) else list(groups)
    if not all(isinstance(item, str) for item in items):
        raise TypeError(f"freeze takes group names or layer-name regexes (strings), got {groups!r}.")
    return [named.get(item, item) for item in items]


def freeze(model: keras.Model, groups: str | Sequence[str]) -> list[str]:
    """Set ``trainable=False`` on the layers matching ``groups``; returns their names.

    Args:
        model: a model from :func:`zoo.load`.
        groups: group names of the card (``"encoder"``, ``"decoder"``) or regexes of layer names.
    """
    frozen = []
    named = card_of(model).training.layer_groups
    for pattern in _patterns(model, groups):
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise ValueError(
                f"{pattern!r} is neither a layer group {sorted(named)} nor a regex: {error}."
            ) from None
        hits = [layer for layer in model.layers if regex.search(layer.name) and layer.weights]
        if not hits:
            raise ValueError(
                f"{pattern!r} matches no layer with weights in {model.name}; "
                f"layer groups of this model: {sorted(named) or 'none'}."
            )
        for layer in hits:
            layer.trainable = False
            frozen.append(layer.name)
    return list(dict.fromkeys(frozen))


@contextlib.contextmanager
def frozen(model: keras.Model, groups: str | Sequence[str] | None) -> Iterator[list[str]]:
    """:func:`freeze` ``groups`` (none for ``None``) for the ``with`` block; the layers are trainable again after
    it, also when it raises."""
    names = freeze(model, groups) if groups else []
    try:
        yield names
    finally:
        for name in names:
            model.get_layer(name).trainable = True
