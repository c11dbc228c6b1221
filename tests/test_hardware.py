"""What the machine computes with: CPU flags as Linux reports them, the GPU TensorFlow sees."""

from pathlib import Path

import pytest

from zoo.hardware import (
    avx512_vectors,
    cpu_bfloat16,
    cpu_flags,
    gpu_compute_capability,
    onednn_isa_cap,
    x86_64,
)


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="no /proc/cpuinfo on this system")
def test_cpu_flags_are_the_flags_linux_reports():
    flags = cpu_flags()
    listed = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    assert flags == frozenset(listed.split(":", 1)[1].split())
    if x86_64():
        assert {"sse2", "fpu"} <= flags and not any(" " in flag for flag in flags)


@pytest.mark.parametrize(
    ("environment", "cap", "avx512"),
    [
        ({}, None, None),
        ({"ONEDNN_MAX_CPU_ISA": " avx2 "}, "AVX2", False),
        ({"DNNL_MAX_CPU_ISA": "AVX2_VNNI"}, "AVX2_VNNI", False),
        ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE", "DNNL_MAX_CPU_ISA": "AVX"}, "AVX512_CORE", None),
    ],
)
def test_onednn_isa_cap_follows_the_variables_onednn_reads(monkeypatch, environment, cap, avx512):
    """oneDNN's own variable first, its older name next; below AVX-512 no vector holds 16 float32."""
    for name in ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert onednn_isa_cap() == cap
    assert avx512_vectors() == ("avx512f" in cpu_flags() if avx512 is None else avx512)
    has_bfloat16 = bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})
    assert cpu_bfloat16() == (has_bfloat16 and cap not in ("AVX2", "AVX2_VNNI", "AVX512_CORE"))


def test_gpu_compute_capability_is_none_exactly_without_a_gpu():
    import tensorflow as tf

    capability = gpu_compute_capability()
    if tf.config.list_physical_devices("GPU"):
        assert isinstance(capability, tuple) and len(capability) == 2
    else:
        assert capability is None


def _after_tensorflow(environment: dict[str, str]) -> tuple[str, list[str]]:
    """Import TensorFlow, then zoo, load a model twice: what ``onednn_enabled`` says, and the warnings."""
    import subprocess
    import sys

    code = (
        "import logging, tensorflow, zoo\n"
        "logging.basicConfig(level=logging.WARNING, format='LOG %(name)s %(message)s')\n"
        "zoo.load('gpd', pretrained=False); zoo.load('gpd', pretrained=False)\n"
        "from zoo.hardware import onednn_enabled\n"
        "print(onednn_enabled())\n"
    )
    env = {**environment, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("LOG zoo.hardware")]
    return done.stdout.strip(), warnings


@pytest.mark.skipif(not x86_64(), reason="oneDNN is switched on for x86-64 CPUs only")
def test_loading_warns_once_when_tensorflow_came_first_with_onednn_off():
    """TensorFlow imported before zoo keeps its own default: off on AVX2 CPUs (a warning that says how to
    turn it on), on where TensorFlow enables it itself (nothing to say)."""
    import os

    env = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"}
    enabled, warnings = _after_tensorflow(env)
    assert enabled in ("True", "False")
    assert len(warnings) == (enabled == "False")
    assert all("import zoo before TensorFlow, or set TF_ENABLE_ONEDNN_OPTS=1" in line for line in warnings)


@pytest.mark.parametrize("setting", ["0", "False"])
def test_no_warning_when_the_user_switched_onednn_off(monkeypatch, caplog, setting):
    from zoo.hardware import warn_if_onednn_off

    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", setting)
    assert warn_if_onednn_off.__wrapped__() is False
    assert not caplog.records
