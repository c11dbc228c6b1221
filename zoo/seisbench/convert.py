"""Convert a SeisBench weight file into a geozoo preset folder that ``zoo.load(folder)`` builds.

The network is the model's own builder with the configuration that :mod:`zoo.models.<name>.seisbench`
derives from the JSON's ``model_args``; every state-dict entry is assigned (a missing, unknown or wrongly
shaped entry is an error naming it), and the folder is written with :func:`zoo.save_preset` only after
all of that succeeded, so a failed conversion writes nothing. The folder's ``metadata.json`` records the
source files (names, sha256), the weights docstring, ``model_args``, ``default_args``,
``seisbench_requirement``, the weights version and the network's output labels.

The folder's ``config.json`` names the model's ``seisbench`` card variant with the JSON's
``model_args`` and ``default_args`` (:mod:`zoo.models.seisbench_card`), so the loaded model annotates
and classifies as SeisBench does: its window, component order, labels, normalisation, overlap,
stacking, blinding and thresholds.

Example:
    >>> import tempfile, zoo
    >>> folder = convert_seisbench(
    ...     "tests/seisbench/fixtures/models/phasenet/random.pt", model="phasenet",
    ...     out=tempfile.mkdtemp() + "/phasenet-random")
    >>> model = zoo.load(str(folder))
    >>> model.input_shape, model.zoo_variant.name, model.zoo_card.waveform.components
    ((None, 3001, 3), 'seisbench', 'ZNE')
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from zoo.loading import attach_card
from zoo.preset_folder import is_preset_folder, save_preset
from zoo.registry import Variant, card
from zoo.seisbench.files import SeisBenchWeights, read_weights
from zoo.seisbench.models import converter, identify, model_name, seisbench_class

logger = logging.getLogger(__name__)


def _check_model(weights: SeisBenchWeights, model: str | None) -> str:
    found = identify(weights.state)
    if model is None:
        if found is None:
            raise ValueError(
                f"{weights.weights_path.name} is not a state dict of a supported SeisBench model "
                "(PhaseNet, EQTransformer, GPD, CRED); name the model with model=..."
            )
        return found
    name = model_name(model)
    if found is not None and found != name:
        raise ValueError(
            f"{weights.weights_path.name} holds a SeisBench {seisbench_class(found)} state dict, not "
            f"{seisbench_class(name)}; convert it with model={found!r}."
        )
    return name


def _metadata(weights: SeisBenchWeights, name: str, labels: tuple[str, ...]) -> dict[str, Any]:
    import zoo

    return {
        "source": {
            "format": "SeisBench",
            "seisbench_class": seisbench_class(name),
            "weights_file": weights.weights_path.name,
            "weights_sha256": weights.weights_sha256,
            "weights_size": weights.weights_path.stat().st_size,
            "metadata_file": weights.metadata_path.name,
            "metadata_sha256": weights.metadata_sha256,
        },
        "seisbench": {
            "weights_docstring": weights.weights_docstring,
            "model_args": weights.model_args,
            "default_args": weights.default_args,
            "seisbench_requirement": weights.seisbench_requirement,
            "version": weights.version,
            "output_labels": list(labels),
        },
        "converted_by": f"geozoo {zoo.__version__}",
    }


def convert_seisbench(
    pt_path: str | os.PathLike,
    model: str | None,
    out: str | os.PathLike,
    metadata_path: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> Path:
    """Convert SeisBench weights ``NAME.pt[.vN]`` (+ ``NAME.json[.vN]``) into a preset folder ``out``.

    Args:
        pt_path: the SeisBench state dict (``model.save`` output or a file of SeisBench's cache).
        model: ``"phasenet"``, ``"eqtransformer"``, ``"gpd"`` or ``"cred"`` (or SeisBench's class
            name); ``None`` recognises it from the state dict's keys.
        out: the preset folder to write.
        metadata_path: the JSON, if it is not beside ``pt_path`` with the same stem and version suffix.
        overwrite: replace a preset already at ``out``.

    Returns:
        The preset folder's path (load it with ``zoo.load(str(path))``).

    Raises:
        FileNotFoundError: the weight file or its JSON is missing.
        ValueError: a preset already at ``out``; a file that is not a plain state dict; a model
            without converter, or weights of another model; unsupported model_args (e.g. an unknown
            architecture version) or annotate settings in default_args (e.g. a stacking geozoo lacks); a
            missing, unknown or wrongly shaped state-dict entry. Nothing is
            written in these cases.
    """
    out = Path(out)
    if is_preset_folder(out) and not overwrite:
        raise ValueError(f"{out} already holds a preset; choose another folder or pass overwrite=True.")
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file; a preset is a folder.")
    if model is not None:
        model_name(model)
    weights = read_weights(pt_path, metadata_path)
    name = _check_model(weights, model)
    module = converter(name)
    config = module.build_config(weights.model_args)
    labels = module.output_labels(weights.model_args)
    model_card = card(name)
    variant = Variant(
        "seisbench",
        {"model_args": dict(weights.model_args or {}), "default_args": dict(weights.default_args or {})},
    )
    derived = model_card.with_variant(variant)  # unsupported annotate settings fail before any work
    if derived.annotation.labels != labels:
        raise ValueError(
            f"The seisbench card's labels {derived.annotation.labels} differ from the network's {labels}."
        )
    network = model_card.build(**config)
    module.assign(network, weights.state, weights.model_args, source=weights.weights_path.name)
    attach_card(network, model_card, config, None, variant)
    folder = save_preset(network, out, metadata=_metadata(weights, name, labels), overwrite=overwrite)
    logger.info("Converted %s (%s) into %s", weights.weights_path, seisbench_class(name), folder)
    return folder
