"""What the machine computes with: CPU flags as Linux reports them, the GPU TensorFlow sees."""

import platform
from pathlib import Path

import pytest

from zoo.hardware import cpu_flags, gpu_compute_capability


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="no /proc/cpuinfo on this system")
def test_cpu_flags_are_the_flags_linux_reports():
    flags = cpu_flags()
    listed = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    assert flags == frozenset(listed.split(":", 1)[1].split())
    if platform.machine() == "x86_64":
        assert {"sse2", "fpu"} <= flags and not any(" " in flag for flag in flags)


def test_gpu_compute_capability_is_none_exactly_without_a_gpu():
    import tensorflow as tf

    capability = gpu_compute_capability()
    if tf.config.list_physical_devices("GPU"):
        assert isinstance(capability, tuple) and len(capability) == 2
    else:
        assert capability is None
