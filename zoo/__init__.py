"""geozoo: a Keras 3 / TensorFlow model zoo for seismology and geoscience deep learning.

The public names are imported on first use (PEP 562), so ``import zoo`` itself is cheap and
``zoo --help`` does not load TensorFlow; ``zoo.load``, ``from zoo import annotate`` etc. work as
usual.

Example:
    >>> import obspy, zoo
    >>> model = zoo.load("phasenet")
    >>> picks = zoo.classify(model, obspy.read())
    >>> sorted({p.phase for p in picks})
    ['P', 'S']
"""

import importlib
import os

from zoo.hardware import x86_64

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if x86_64():
    # TensorFlow 2.21 turns its oneDNN kernels on by itself only on newer x86 CPUs (AVX-512 with VNNI,
    # BF16 or AMX); on an AVX2 CPU it runs Eigen's, and annotation is slower: AMD EPYC Zen 3, 24 h x 3
    # stations, PhaseNet 4.2 -> 6.2 and EQTransformer 2.5 -> 3.1 h of data per second with oneDNN.
    # Takes effect if TensorFlow is not imported yet; a user's own setting stays.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from zoo._version import __version__  # noqa: E402
from zoo.export import export  # noqa: E402  (cheap: zoo.export imports its back ends on first use)

_LAZY = {
    "Detection": "zoo.waveforms.picklist",
    "ModelCard": "zoo.registry",
    "Pick": "zoo.waveforms.picklist",
    "PickList": "zoo.waveforms.picklist",
    "Preset": "zoo.registry",
    "annotate": "zoo.waveforms.annotate",
    "card": "zoo.registry",
    "classify": "zoo.waveforms.picks",
    "convert_seisbench": "zoo.seisbench.convert",
    "curves": "zoo.waveforms.curves",
    "list_models": "zoo.registry",
    "load": "zoo.loading",
    "presets": "zoo.registry",
    "save_preset": "zoo.preset_folder",
}
"""Public name -> the module that defines it (imported when the name is first used)."""

__all__ = [
    "Detection",
    "ModelCard",
    "Pick",
    "PickList",
    "Preset",
    "annotate",
    "card",
    "classify",
    "convert_seisbench",
    "curves",
    "export",
    "list_models",
    "load",
    "presets",
    "save_preset",
    "weights",
    "__version__",
]


def __getattr__(name: str):
    """Import a public name (or the ``weights`` module) on first use and keep it."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name == "weights":
        value = importlib.import_module("zoo.weights")
    else:
        raise AttributeError(f"module 'zoo' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
