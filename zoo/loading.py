"""Loading models: a preset (or a preset folder) -> weights -> a built Keras model with its card attached.

:func:`load` builds a registered model with the builder configuration of a preset and gives it the
preset's weights (:mod:`zoo.weights` resolves and converts the published files); a preset folder written
by :func:`zoo.save_preset` is verified and loaded back (:mod:`zoo.preset_folder`). Every model that the
zoo hands out carries what the rest of the zoo needs to use it, set by one helper, :func:`attach_card`:
``zoo_card`` (its :class:`~zoo.registry.ModelCard`, derived by the preset's card variant if it names
one), ``zoo_config`` (the builder's keyword arguments), ``zoo_preset`` (the preset name or folder, or
``None``) and ``zoo_variant`` (the :class:`~zoo.registry.Variant`, or ``None``).

Example:
    >>> import zoo
    >>> model = zoo.load("phasenet", pretrained=True)
    >>> model.input_shape, model.zoo_preset
    ((None, 3000, 3), 'original')
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zoo import preset_folder, weights
from zoo.hardware import warn_if_onednn_off
from zoo.registry import ModelCard, Variant, card


def attach_card(
    model: Any,
    model_card: ModelCard,
    config: Mapping[str, Any],
    preset: str | None,
    variant: Variant | None = None,
) -> Any:
    """Give ``model`` its card, builder configuration, preset name (or folder) and card variant.

    With a ``variant``, the card attached is the one the variant derives
    (:meth:`~zoo.cards.ModelCard.with_variant`), and the variant itself is kept as ``zoo_variant`` so that
    :func:`zoo.save_preset` and :func:`zoo.export` record it. Returns ``model``.

    Example:
        >>> import keras, zoo
        >>> net = attach_card(keras.Sequential(), zoo.card("phasenet"), {}, None)
        >>> net.zoo_card.name, net.zoo_config, net.zoo_preset
        ('phasenet', {}, None)
    """
    model.zoo_card = model_card.with_variant(variant)
    model.zoo_config = dict(config)
    model.zoo_preset = preset
    model.zoo_variant = variant
    return model


def load(name: str | Path, pretrained: bool | str = True, **overrides: Any) -> Any:
    """Build a registered model, optionally with published weights.

    Args:
        name: Registered model name (see :func:`zoo.list_models`), or the path of a preset folder written
            by :func:`zoo.save_preset` (a fine-tuned model).
        pretrained: ``True`` for the default preset, a preset name for another preset, ``False``
            for random initialisation (with the default preset's configuration).
        **overrides: Keyword arguments passed on to the model's builder.

    Returns:
        A ``keras.Model`` with its card attached (see :func:`attach_card`).

    Example:
        >>> import zoo
        >>> zoo.load("gpd", pretrained=False).zoo_preset is None
        True
    """
    warn_if_onednn_off()
    if isinstance(name, str | Path) and preset_folder.is_preset_folder(name):
        return load_preset_folder(name, **overrides)
    model_card = card(name)
    if not isinstance(pretrained, (bool, str)):
        raise TypeError(f"pretrained must be True, False or a preset name, got {pretrained!r}.")
    if pretrained is False:
        preset = model_card.preset() if model_card.default_preset else None
    else:
        preset = model_card.preset(None if pretrained is True else pretrained)
    config = {**(preset.config if preset else {}), **overrides}
    model = model_card.build(**config)
    if pretrained is not False:
        if model_card.convert is None:
            raise ValueError(f"Model {model_card.name!r} has no converter for published weights.")
        weights.load_preset_weights(model, model_card, preset, config)
    if pretrained is False:
        return attach_card(model, model_card, config, None, preset.variant if preset else None)
    return attach_card(model, model_card, config, preset.name, preset.variant)


def load_preset_folder(path: str | Path, **overrides: Any) -> Any:
    """Build the model of preset folder ``path`` and load its weights (what ``zoo.load(path)`` does).

    The files are verified first (:func:`zoo.preset_folder.verify_preset_folder`).
    """
    path = Path(path)
    if not preset_folder.is_preset_folder(path):
        raise ValueError(
            f"{path} is not a preset folder (no {preset_folder.CONFIG}); save one with zoo.save_preset."
        )
    if not (path / preset_folder.WEIGHTS).is_file():
        raise ValueError(f"{path} has no {preset_folder.WEIGHTS}.")
    preset_folder.verify_preset_folder(path)
    config = preset_folder.read_config(path)
    model_card = card(config["model"])
    build_config = {**config.get("config", {}), **overrides}
    variant = config.get("variant")
    if variant is not None:
        variant = Variant.from_dict(variant, f"{path / preset_folder.CONFIG}: variant")
    model = model_card.build(**build_config)
    model.load_weights(path / preset_folder.WEIGHTS)
    return attach_card(model, model_card, build_config, str(path), variant)
