"""What the machine computes with: CPU feature flags, and whether a GPU takes TensorFlow's work.

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


def gpu_compute_capability() -> tuple[int, int] | None:
    """The first visible GPU's CUDA compute capability (``(8, 0)`` for an A100), ``(0, 0)`` if TensorFlow
    does not report one, ``None`` without a GPU. TensorFlow places a network's work on a visible GPU."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tuple(tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0, 0)))
