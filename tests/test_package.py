"""``import zoo``: the environment it sets for TensorFlow before TensorFlow is imported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zoo.hardware import x86_64

ROOT = str(Path(__file__).resolve().parents[1])


def _onednn_setting(environment: dict[str, str]) -> str:
    code = "import os, sys, zoo; print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'), 'tensorflow' in sys.modules)"
    env = {**environment, "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not x86_64(), reason="oneDNN is switched on for x86-64 CPUs only")
def test_import_switches_onednn_on_unless_the_user_chose():
    """TensorFlow leaves its oneDNN kernels off on AVX2 CPUs; ``import zoo`` (which does not import
    TensorFlow) turns them on, and a user's own setting stays."""
    env = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"}
    assert _onednn_setting(env) == "1 False"
    assert _onednn_setting({**env, "TF_ENABLE_ONEDNN_OPTS": "0"}) == "0 False"
