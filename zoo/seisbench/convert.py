"""Convert a SeisBench weight file into a geozoo preset folder that ``zoo.load(folder)`` builds.

The network is the model's own builder with the configuration that :mod:`zoo.models.<name>.seisbench`
derives from the JSON's ``model_args``; every state-dict entry is assigned (a missing, unknown or wrongly
shaped entry is an error naming it), and the folder is written with :func:`zoo.save_preset` only after
all of that succeeded, so a failed conversion writes nothing. The folder's ``metadata.json`` records the
source files (names, sha256), the weights docstring, ``model_args``, ``default_args``,
``seisbench_requirement``, the weights version and the network's output labels.

The folder uses the model's registered card (window length, normalisation, thresholds of the original
model); the SeisBench annotate settings in ``default_args`` are recorded, not yet applied.

Example:
    >>> import tempfile, zoo
    >>> folder = convert_seisbench(
    ...     "tests/seisbench/fixtures/models/phasenet/random.pt", model="phasenet",
    ...     out=tempfile.mkdtemp() + "/phasenet-random")
    >>> zoo.load(str(folder)).input_shape
    (None, 3001, 3)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from zoo.loading import attach_card
from zoo.preset_folder import is_preset_folder, save_preset
from zoo.registry import card
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
            architecture version); a missing, unknown or wrongly shaped state-dict entry. Nothing is
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
    network = model_card.build(**config)
    module.assign(network, weights.state, weights.model_args, source=weights.weights_path.name)
    attach_card(network, model_card, config, None)
    folder = save_preset(network, out, metadata=_metadata(weights, name, labels), overwrite=overwrite)
    logger.info("Converted %s (%s) into %s", weights.weights_path, seisbench_class(name), folder)
    logger.warning(
        "%s uses geozoo's %s card for annotate/classify (window, normalisation, overlap, stacking, "
        "thresholds), not SeisBench's settings; those are recorded in its metadata.json only.",
        folder,
        name,
    )
    return folder
