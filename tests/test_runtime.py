"""Process-level set-up: allocator tuning, TensorFlow's native output sent to the log."""

import platform

from zoo.runtime import tune_allocator


def test_tune_allocator_is_accepted_on_glibc():
    assert tune_allocator() is (platform.libc_ver()[0] == "glibc")


def test_quiet_tensorflow_sends_start_up_output_to_the_log():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, format='LOG %(name)s %(message)s')\n"
        "from zoo.runtime import quiet_tensorflow\n"
        "print(quiet_tensorflow(), quiet_tensorflow(), 'tensorflow' in sys.modules)\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True False True"
    start_up = [
        line for line in done.stderr.splitlines() if "oneDNN" in line or "absl::InitializeLog" in line
    ]
    assert start_up, "TensorFlow printed no start-up lines here; nothing to check"
    assert all(line.startswith("LOG zoo.runtime TensorFlow start-up: ") for line in start_up)


def test_native_stderr_lines_go_to_the_log_and_back_on_failure(capfd):
    import os

    import pytest

    from zoo.runtime import native_stderr_logged

    logged: list[str] = []
    with native_stderr_logged(logged.append):
        os.write(2, b"I0000 devices.cc:76] Number of eligible GPUs: 0\nsecond line\n")
    assert logged == ["I0000 devices.cc:76] Number of eligible GPUs: 0", "second line"]
    assert capfd.readouterr().err == ""
    with pytest.raises(RuntimeError), native_stderr_logged(logged.append):
        os.write(2, b"why it failed\n")
        raise RuntimeError("conversion failed")
    assert capfd.readouterr().err == "why it failed\n"
