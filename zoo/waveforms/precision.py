"""The network's arithmetic for annotation: float32 (default) or bfloat16 where the hardware has it.

``precision="bfloat16"`` (``zoo.annotate``, ``zoo.classify``, ``zoo.waveforms.curves``) runs a copy of
the network in Keras' ``mixed_bfloat16`` policy (weights stay float32, products in bfloat16): Keras'
own layers and geozoo's convolution layers (the inference copies' ``MappedConv1D`` and ``SkipConv1D``,
which declare ``follows_dtype_policy``). Float32 stay: the card's normalisation before the network and
the curves after it, each output head (PhaseNet's logits and softmax, EQTransformer's sigmoid heads),
the layers in the card's ``annotation.float32_layers`` (PhaseNet's 3000- and 750-sample layers, where
bfloat16 moved picks), and geozoo's other layers (EQTransformer's XLA-compiled middle, attention,
feed-forward and layer normalisation). It needs bfloat16 arithmetic in hardware: a CPU with AVX512_BF16
or AMX-BF16, or a GPU of compute capability 8.0 or newer (Ampere); elsewhere it is refused with a
``ValueError`` rather than emulated slowly. Curves differ from float32 by up to a few hundredths; PhaseNet
and EQTransformer put 99-100 % of picks within one sample of float32's (see the README's Speed section).

Example:
    >>> check_precision("float32")
    'float32'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zoo.hardware import cpu_bfloat16, gpu_compute_capability, onednn_isa_cap

PRECISIONS = ("float32", "bfloat16")
"""The precisions the waveform path can run the network in."""


def bfloat16_device() -> str | None:
    """Where bfloat16 runs in hardware here: ``"GPU"``, ``"CPU"``, or ``None``.

    A visible GPU is used by TensorFlow first, so with GPUs the answer depends on theirs alone
    (compute capability 8.0 or newer); without one on the CPU's AVX512_BF16 / AMX-BF16 flags, unless
    oneDNN is capped below them (:func:`zoo.hardware.cpu_bfloat16`).
    """
    capability = gpu_compute_capability()
    if capability is not None:
        return "GPU" if capability >= (8, 0) else None
    return "CPU" if cpu_bfloat16() else None


def check_precision(precision: Any) -> str:
    """``precision`` if the network can run in it here, else ``ValueError`` saying why.

    Raises:
        ValueError: Not one of :data:`PRECISIONS`, or bfloat16 without hardware support.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, got {precision!r}.")
    if precision == "bfloat16" and bfloat16_device() is None:
        cap = onednn_isa_cap()
        none = "has none" if cap is None else f"has none that oneDNN may use (ONEDNN_MAX_CPU_ISA={cap})"
        raise ValueError(
            "precision='bfloat16' needs bfloat16 arithmetic in hardware (a CPU with AVX512_BF16 or AMX, or a "
            f"GPU of compute capability 8.0 or newer); this machine {none}, so use precision='float32'."
        )
    return precision


def _heads(network: Any) -> set[str]:
    """Names of the layers on each output's path back to its last layer with weights (that one included)."""
    heads: set[str] = set()
    pending = [tensor._keras_history.operation for tensor in network.outputs]
    while pending:
        layer = pending.pop()
        heads.add(layer.name)
        if not layer.weights:
            pending += [
                tensor._keras_history.operation
                for node in layer._inbound_nodes
                for tensor in node.input_tensors
            ]
    return heads


def network_in(network: Any, precision: str, float32_layers: Iterable[str] = ()) -> Any:
    """``network`` itself for float32; for bfloat16 a copy whose layers compute in bfloat16, but some.

    Keras' own layers and geozoo layers that declare ``follows_dtype_policy = True`` get the
    ``mixed_bfloat16`` policy. Float32 stay the output heads (each output back to its last layer with
    weights), so the probabilities are not rounded to bfloat16's 8 significant bits (flat tops on which a
    pick's peak sample can move), and ``float32_layers`` (the card's
    :attr:`~zoo.cards.AnnotationSpec.float32_layers`; a rewritten layer counts as the one it replaces).
    The copy has the network's current weights; layers in float32 receive their inputs cast to it.

    Raises:
        ValueError: ``float32_layers`` names a layer the network does not have.
    """
    if precision == "float32":
        return network
    import keras

    from zoo.models.conv_rewrites import source_name

    names = {layer.name for layer in network.layers} | {source_name(layer.name) for layer in network.layers}
    unknown = sorted(set(float32_layers) - names)
    if unknown:
        raise ValueError(f"float32_layers names layers the network does not have: {', '.join(unknown)}.")
    kept = _heads(network) | set(float32_layers)

    def clone(layer: Any) -> Any:
        config = layer.get_config()
        follows = type(layer).__module__.startswith("keras.") or getattr(layer, "follows_dtype_policy", False)
        if follows and "dtype" in config and source_name(layer.name) not in kept and layer.name not in kept:
            if not isinstance(layer, keras.layers.InputLayer):
                config["dtype"] = keras.DTypePolicy("mixed_bfloat16")
        return type(layer).from_config(config)

    copy = keras.models.clone_model(network, clone_function=clone)
    copy.set_weights(network.get_weights())
    return copy
