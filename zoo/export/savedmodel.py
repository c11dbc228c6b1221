"""Write one model version as a TF Serving SavedModel with :mod:`zoo.export.signatures`.

The version folder holds ``saved_model.pb``, ``variables/`` and ``assets.extra/`` with the warm-up
requests (:mod:`zoo.export.warmup`) and ``zoo_model.json``: the card facts a client needs (sampling
rate in Hz, components, window length in samples, labels and their output names, output step in
samples, default thresholds, window overlap, stacking and blinding for a client that stacks
consecutive windows) and ``stream_filter``. That is the card's filter of continuous data, which is
NOT in the graph because it runs on the continuous record before windowing (GPD's detrend and
causal 3-20 Hz band-pass); a client applies it itself. Signatures are written through
``keras.export.ExportArchive``; their method name is ``tensorflow/serving/predict``.

If the card has an ``inference_model`` (PhaseNet and GPD with batch norm folded into the convolutions,
EQTransformer with its decoders' upsampling fused into the convolutions), that faster copy is
exported; it gives the same outputs to float32 round-off (3e-7, 6e-7 and 5e-7). A block the copy has XLA
compile for ``annotate`` is exported as plain TensorFlow ops. ``zoo_model.json`` states which network
was exported.

Example:
    >>> import tempfile, zoo
    >>> from zoo.export.savedmodel import export_savedmodel
    >>> path = export_savedmodel(zoo.load("gpd"), tempfile.mkdtemp() + "/gpd", version=1)
    >>> path.name
    '1'
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras

from zoo._version import __version__
from zoo.export.layout import check_version, staged_version
from zoo.export.signatures import output_names, signatures
from zoo.export.warmup import ASSETS_EXTRA, serving_apis, write_warmup
from zoo.lazy import resolved
from zoo.models.compiled_block import without_xla
from zoo.registry import ModelCard, waveform_card

logger = logging.getLogger(__name__)

METADATA_FILE = "zoo_model.json"


def serving_network(model: Any, card: ModelCard) -> tuple[Any, Callable[[Any], Any], str]:
    """The network to export, what makes label curves of its outputs, and its description
    (``card.annotation.label_network``): the card's inference copy if it has one, with any XLA-compiled
    block run as plain TensorFlow ops (a served graph should not need the server's XLA)."""
    network, finish = card.annotation.label_network(model)
    if card.annotation.inference_model is not None:
        return without_xla(network), finish, "inference_model (same outputs to float32 round-off)"
    return network, finish, "model"


def export_savedmodel(
    model: Any, base: str | os.PathLike, version: int | None = None, model_name: str | None = None
) -> Path:
    """Export ``model`` (from ``zoo.load``) to ``<base>/<version>/`` as a TF Serving SavedModel.

    Args:
        model: A model returned by ``zoo.load(...)`` (it carries ``zoo_card``).
        base: The model base path TF Serving watches, e.g. ``serving/phasenet``.
        version: Positive integer version folder; ``None`` takes the next free number.
        model_name: The name TF Serving serves the model under (written into the warm-up
            requests); defaults to the last component of ``base``.

    Returns:
        The version folder.

    Raises:
        FileExistsError: The version folder exists (it is never overwritten).
    """
    card = waveform_card(model, "zoo.export")
    base = Path(base)
    version = check_version(base, version)
    model_name = model_name or base.resolve().name
    serving_apis()
    network, finish, description = serving_network(model, card)
    archive = keras.export.ExportArchive()
    functions = signatures(network, card, finish)
    for name, (function, specs) in functions.items():
        archive.add_endpoint(name, function, input_signature=specs)
    with staged_version(base, version) as tmp:
        archive.write_out(str(tmp), verbose=False)
        write_warmup(tmp, card, model_name, list(functions))
        metadata = _metadata(model, card, model_name, description, list(functions))
        (tmp / ASSETS_EXTRA / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    target = base / str(version)
    logger.info("Exported %s (%s) to %s with signatures %s", card.name, description, target, list(functions))
    return target


def _metadata(model: Any, card: ModelCard, model_name: str, network: str, names: list[str]) -> dict:
    variant = getattr(model, "zoo_variant", None)
    return {
        "model": card.name,
        "served_as": model_name,
        "preset": getattr(model, "zoo_preset", None),
        "network": network,
        "geozoo_version": __version__,
        "sampling_rate_hz": card.waveform.sampling_rate,
        "components": card.waveform.components,
        "input_samples": card.waveform.samples,
        "labels": list(card.annotation.labels),
        "outputs": dict(zip(card.annotation.labels, output_names(card))),
        "output_kind": card.annotation.output_kind,
        "output_step_samples": step if isinstance(step := card.annotation.output_step, int) else float(step),
        "pick_labels": list(card.trigger.pick_labels),
        "thresholds": dict(card.trigger.thresholds),
        "overlap_samples": card.annotation.overlap,
        "stacking": card.annotation.stacking,
        "blinding_samples": list(card.annotation.blinding),
        "stream_filter": _first_line(resolved(card.waveform.filter_stream).__doc__)
        if card.waveform.filter_stream
        else None,
        "variant": variant.to_dict() if variant is not None else None,
        "signatures": names,
    }


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n")[0]
