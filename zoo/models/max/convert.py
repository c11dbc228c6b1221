"""Weights for MAX: the packaged Keras files, and the PyTorch state dict of the MAE reference code.

``convert(model, files)`` takes the files of a preset by name:

- ``*.weights.h5``: Keras 3 weights saved by this package (the shipped ``synthetic-v1`` presets);
- ``*.pth`` / ``*.pt``: a PyTorch checkpoint of MAX (the MAE reference layout of He et al.,
  ``models_mae.py``; a checkpoint dict with a ``"model"`` entry is unwrapped), read without PyTorch by
  :mod:`zoo.torch_pickle`, which accepts tensors and plain data only (a checkpoint that also pickles
  other objects, e.g. training ``args``, is refused: keep only its ``"model"`` entry);
- optionally ``*.npz`` with arrays ``mean`` and ``std`` (per channel): the spectrum standardisation
  statistics, which a PyTorch checkpoint does not hold (without it they stay mean 0, std 1).

State-dict names (``{i}`` is the block index)::

    cls_token [1, 1, D]               pos_embed [1, L + 1, D]        patch_embed.proj.{weight,bias}
    blocks.{i}.norm1.{weight,bias}    blocks.{i}.attn.qkv.{weight,bias}
    blocks.{i}.attn.proj.{weight,bias}  blocks.{i}.norm2.{weight,bias}
    blocks.{i}.mlp.fc1.{weight,bias}  blocks.{i}.mlp.fc2.{weight,bias}   norm.{weight,bias}
    decoder_embed.{weight,bias}       mask_token [1, 1, Dd]          decoder_pos_embed [1, L + 1, Dd]
    decoder_blocks.{i}.<as blocks>    decoder_norm.{weight,bias}     decoder_pred.{weight,bias}
    fc_norm.{weight,bias}  head.{weight,bias}                        (fine-tuned regressor only)

``torch.nn.Linear`` weights ``[out, in]`` are transposed to Keras kernels ``[in, out]``; the patch
projection ``[D, 1, patch]`` (``Conv1d``; singleton axes of a ``Conv2d`` kernel are dropped) becomes
``[patch, 1, D]``. Into a regressor, the decoder entries of a pre-training checkpoint are ignored.
A missing, left-over or wrongly shaped entry is a ``ValueError`` naming it.

Example:
    >>> import numpy as np
    >>> from zoo.models.max.model import build
    >>> model = build(embed_dim=32, depth=1, num_heads=2, decoder_embed_dim=16, decoder_depth=1,
    ...               decoder_num_heads=2)
    >>> state = export_state_dict(model)
    >>> convert_state_dict(model, state)
    >>> sorted(state)[:2]
    ['blocks.0.attn.proj.bias', 'blocks.0.attn.proj.weight']
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from zoo import torch_pickle

logger = logging.getLogger(__name__)

_Pair = tuple[str, Any, Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _same(a: np.ndarray) -> np.ndarray:
    return a


def _transpose(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.T)


def _conv_from_torch(a: np.ndarray) -> np.ndarray:
    a = a.reshape(a.shape[0], a.shape[1], -1)
    return np.ascontiguousarray(a.transpose(2, 1, 0))


def _conv_to_torch(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.transpose(2, 1, 0))


def _dense(prefix: str, layer: Any) -> Iterator[_Pair]:
    yield f"{prefix}.weight", layer.kernel, _transpose, _transpose
    yield f"{prefix}.bias", layer.bias, _same, _same


def _norm(prefix: str, layer: Any) -> Iterator[_Pair]:
    yield f"{prefix}.weight", layer.gamma, _same, _same
    yield f"{prefix}.bias", layer.beta, _same, _same


def _block(prefix: str, block: Any) -> Iterator[_Pair]:
    yield from _norm(f"{prefix}.norm1", block.norm1)
    yield from _dense(f"{prefix}.attn.qkv", block.attn.qkv)
    yield from _dense(f"{prefix}.attn.proj", block.attn.proj)
    yield from _norm(f"{prefix}.norm2", block.norm2)
    yield from _dense(f"{prefix}.mlp.fc1", block.fc1)
    yield from _dense(f"{prefix}.mlp.fc2", block.fc2)


def _pairs(model: Any) -> Iterator[_Pair]:
    """(state-dict name, Keras variable, torch -> Keras, Keras -> torch) for every weight."""
    enc = model.encoder
    yield "cls_token", enc.cls_token, _same, _same
    yield "pos_embed", enc.pos_embed, _same, _same
    yield "patch_embed.proj.weight", enc.patch_embed.proj.kernel, _conv_from_torch, _conv_to_torch
    yield "patch_embed.proj.bias", enc.patch_embed.proj.bias, _same, _same
    for i, block in enumerate(enc.blocks):
        yield from _block(f"blocks.{i}", block)
    yield from _norm("norm", enc.norm)
    decoder = getattr(model, "decoder", None)
    if decoder is not None:
        yield from _dense("decoder_embed", decoder.decoder_embed)
        yield "mask_token", decoder.mask_token, _same, _same
        yield "decoder_pos_embed", decoder.decoder_pos_embed, _same, _same
        for i, block in enumerate(decoder.decoder_blocks):
            yield from _block(f"decoder_blocks.{i}", block)
        yield from _norm("decoder_norm", decoder.decoder_norm)
        yield from _dense("decoder_pred", decoder.decoder_pred)
    else:
        yield from _norm("fc_norm", model.fc_norm)
        yield from _dense("head", model.head)


def _is_decoder_key(name: str) -> bool:
    return name.startswith("decoder_") or name == "mask_token"


def convert_state_dict(model: Any, state_dict: Mapping[str, Any]) -> None:
    """Assign a MAE-layout state dict (arrays or torch tensors by name) to a MAX Keras model."""
    arrays = {
        k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v) for k, v in state_dict.items()
    }
    is_regressor = getattr(model, "decoder", None) is None
    used: set[str] = set()
    for name, variable, from_torch, _ in _pairs(model):
        if name not in arrays:
            raise ValueError(f"The PyTorch state dict has no entry {name!r} needed by the MAX model.")
        value = from_torch(arrays[name].astype("float32"))
        if tuple(value.shape) != tuple(variable.shape):
            raise ValueError(
                f"State-dict entry {name!r} has shape {arrays[name].shape}; the model needs "
                f"{tuple(variable.shape)} after conversion (check the architecture preset)."
            )
        variable.assign(value)
        used.add(name)
    leftover = sorted(set(arrays) - used)
    if is_regressor:
        ignored = [k for k in leftover if _is_decoder_key(k)]
        if ignored:
            logger.info("Ignored %d decoder entries of a pre-training checkpoint.", len(ignored))
        leftover = [k for k in leftover if not _is_decoder_key(k)]
    if leftover:
        raise ValueError(f"State-dict entries not used by the MAX model: {', '.join(leftover)}.")


def export_state_dict(model: Any) -> dict[str, np.ndarray]:
    """The model's weights as a MAE-layout state dict of numpy arrays (inverse of the converter)."""
    return {name: to_torch(np.asarray(variable)) for name, variable, _, to_torch in _pairs(model)}


def convert(model: Any, files: Mapping[str, Path]) -> None:
    """Load a preset's files (see the module docstring) into a MAX autoencoder or regressor."""
    names = sorted(files)
    keras_files = [n for n in names if n.endswith(".weights.h5")]
    torch_files = [n for n in names if n.endswith((".pth", ".pt"))]
    stats_files = [n for n in names if n.endswith(".npz")]
    unknown = sorted(set(names) - set(keras_files) - set(torch_files) - set(stats_files))
    if unknown or len(keras_files) + len(torch_files) != 1 or len(stats_files) > 1:
        raise ValueError(
            f"MAX expects one .weights.h5 or one .pth/.pt file (plus an optional .npz of statistics), got {names}."
        )
    if keras_files:
        model.load_weights(Path(files[keras_files[0]]))
        return
    convert_state_dict(model, torch_pickle.read_state_dict(Path(files[torch_files[0]])))
    if stats_files:
        with np.load(Path(files[stats_files[0]])) as stats:
            model.standardizer.mean.assign(stats["mean"].astype("float32"))
            model.standardizer.std.assign(stats["std"].astype("float32"))
