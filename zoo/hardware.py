"""What the machine computes with: CPU feature flags, the vectors oneDNN may use, whether a GPU takes
TensorFlow's work, and whether TensorFlow's oneDNN CPU kernels are on.

Inference copies choose between equivalent forms of a network by it (``"paired"`` convolutions pay
where one AVX-512 register holds 16 float32, :func:`zoo.models.conv_rewrites.pairs_fill_a_vector`),
and ``precision="bfloat16"`` runs only where the hardware has bfloat16 arithmetic
(:mod:`zoo.waveforms.precision`). Imports nothing of zoo.

Example:
    >>> isinstance(cpu_flags(), frozenset)
    True
"""

from __future__ import annotations

import functools
import logging
import os
import platform

logger = logging.getLogger(__name__)


def x86_64() -> bool:
    """Whether this is an x86-64 machine (the CPUs TensorFlow's oneDNN switch is about)."""
    return platform.machine().lower() in ("x86_64", "amd64")


@functools.cache
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags Linux reports in ``/proc/cpuinfo`` (``"avx2"``, ``"avx512f"``, ...; empty
    where there is no such file)."""
    try:
        with open("/proc/cpuinfo") as fh:
            return frozenset(
                flag for line in fh if line.startswith("flags") for flag in line.split(":", 1)[1].split()
            )
    except OSError:
        return frozenset()


_ONEDNN_ISA_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
_BELOW_AVX512 = frozenset({"SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2"})
"""oneDNN's ISA names whose vectors hold 8 float32 (its documented values for x86-64 CPUs)."""


def onednn_isa_cap() -> str | None:
    """The newest instruction set oneDNN may use as the user capped it (``ONEDNN_MAX_CPU_ISA``, or its
    older name ``DNNL_MAX_CPU_ISA``), upper case: ``"AVX2"``; ``None`` where neither is set. oneDNN reads
    it once per process, at its first kernel; ``ONEDNN_MAX_CPU_ISA=AVX2`` on an AVX-512 machine runs the
    kernels an AVX2 CPU would run (``benchmarks/annotate_throughput.py`` documents the whole recipe)."""
    for name in _ONEDNN_ISA_VARIABLES:
        value = os.environ.get(name, "").strip().upper()
        if value:
            return value
    return None


_BELOW_BFLOAT16 = _BELOW_AVX512 | {"AVX512_CORE", "AVX512_CORE_VNNI"}
"""oneDNN's ISA names without bfloat16 arithmetic (AVX512_BF16 came with ``AVX512_CORE_BF16``)."""


def avx512_vectors() -> bool:
    """Whether oneDNN's kernels here work on 16 float32 at a time: the CPU has AVX-512 and the user has
    not capped oneDNN below it (:func:`onednn_isa_cap`)."""
    return "avx512f" in cpu_flags() and onednn_isa_cap() not in _BELOW_AVX512


def cpu_bfloat16() -> bool:
    """Whether oneDNN's kernels here may use the CPU's bfloat16 arithmetic: AVX512_BF16 or AMX-BF16, and
    oneDNN not capped below it (:func:`onednn_isa_cap`)."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"}) and onednn_isa_cap() not in _BELOW_BFLOAT16


def gpu_compute_capability() -> tuple[int, int] | None:
    """The first visible GPU's CUDA compute capability (``(8, 0)`` for an A100), ``(0, 0)`` if TensorFlow
    does not report one, ``None`` without a GPU. TensorFlow places a network's work on a visible GPU."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tuple(tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0, 0)))


def onednn_enabled() -> bool | None:
    """Whether TensorFlow runs its oneDNN CPU kernels in this process (``None``: this TensorFlow does not
    tell). ``import zoo`` switches them on for x86-64 when TensorFlow is not imported yet; TensorFlow
    itself does only on CPUs with AVX-512 VNNI, BF16 or AMX."""
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


@functools.cache
def warn_if_onednn_off() -> bool:
    """Log a warning (once per process) if TensorFlow's oneDNN kernels are off on an x86-64 CPU although
    the user did not switch them off: TensorFlow was imported before ``zoo``. On an AVX2 CPU annotation
    then runs 1.3-1.5 times slower (see the README's Speed section).

    Returns:
        Whether it warned.
    """
    chosen = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower() in ("0", "false")
    if chosen or not x86_64() or onednn_enabled() is not False:
        return False
    logger.warning(
        "TensorFlow was imported before zoo, so its oneDNN kernels are off on this CPU and the models run "
        "1.3-1.5 times slower; import zoo before TensorFlow, or set TF_ENABLE_ONEDNN_OPTS=1 before it starts."
    )
    return True
