"""One version source: zoo/_version.py, read by setup.cfg, zoo.__version__ and ``zoo --version``."""

import subprocess
import sys
from pathlib import Path

from setuptools.config.setupcfg import read_configuration

import zoo
from zoo._version import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_setup_cfg_zoo_and_the_cli_read_the_same_version():
    assert read_configuration(ROOT / "setup.cfg")["metadata"]["version"] == __version__ == zoo.__version__
    out = subprocess.run([sys.executable, "-m", "zoo.cli", "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == f"geozoo {__version__}"


def test_setup_cfg_does_not_repeat_the_version():
    assert f"version = {__version__}" not in (ROOT / "setup.cfg").read_text()
