"""The network's arithmetic for annotation: float32 (default) or bfloat16 where the hardware has it.

``precision="bfloat16"`` (``zoo.annotate``, ``zoo.classify``, ``zoo.waveforms.curves``) runs a copy of
the network whose Keras layers compute in bfloat16 (Keras' ``mixed_bfloat16`` policy: weights stay
float32, products in bfloat16); the card's normalisation before it and the curves after it stay
float32, and so do geozoo's own layers (EQTransformer's attention, feed-forward and layer
normalisation, and the inference copies' ``MappedConv1D``, ``SkipConv1D`` and XLA-compiled blocks,
which hold most of PhaseNet's and EQTransformer's convolutions). It needs bfloat16 arithmetic in
hardware: a CPU with AVX512_BF16 or AMX-BF16, or a GPU of compute capability 8.0 or newer (Ampere);
elsewhere it is refused with a ``ValueError`` rather than emulated slowly. Curves differ from float32 by up to a few hundredths (see the README's Speed section).

Example:
    >>> check_precision("float32")
    'float32'
"""

from __future__ import annotations

from typing import Any

PRECISIONS = ("float32", "bfloat16")
"""The precisions the waveform path can run the network in."""

_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def _cpu_flags() -> set[str]:
    """The CPU feature flags Linux reports (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as fh:
            return {flag for line in fh if line.startswith("flags") for flag in line.split(":", 1)[1].split()}
    except OSError:
        return set()


def bfloat16_device() -> str | None:
    """Where bfloat16 runs in hardware here: ``"GPU"``, ``"CPU"``, or ``None``.

    A visible GPU is used by TensorFlow first, so with GPUs the answer depends on theirs alone
    (compute capability 8.0 or newer); without one on the CPU's AVX512_BF16 / AMX-BF16 flags.
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0, 0))
        return "GPU" if tuple(capability) >= (8, 0) else None
    return "CPU" if _cpu_flags() & set(_CPU_FLAGS) else None


def check_precision(precision: Any) -> str:
    """``precision`` if the network can run in it here, else ``ValueError`` saying why.

    Raises:
        ValueError: Not one of :data:`PRECISIONS`, or bfloat16 without hardware support.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, got {precision!r}.")
    if precision == "bfloat16" and bfloat16_device() is None:
        raise ValueError(
            "precision='bfloat16' needs bfloat16 arithmetic in hardware (a CPU with AVX512_BF16 or AMX, or a "
            "GPU of compute capability 8.0 or newer); this machine has none, so use precision='float32'."
        )
    return precision


def network_in(network: Any, precision: str) -> Any:
    """``network`` itself for float32; for bfloat16 a copy whose Keras layers compute in bfloat16.

    The copy has the network's current weights; layers defined outside Keras keep float32 and receive
    their inputs cast to it.
    """
    if precision == "float32":
        return network
    import keras

    def clone(layer: Any) -> Any:
        config = layer.get_config()
        if "dtype" in config and type(layer).__module__.startswith("keras."):
            if not isinstance(layer, keras.layers.InputLayer):
                config["dtype"] = keras.DTypePolicy("mixed_bfloat16")
        return type(layer).from_config(config)

    copy = keras.models.clone_model(network, clone_function=clone)
    copy.set_weights(network.get_weights())
    return copy
