"""geozoo: a Keras 3 / TensorFlow model zoo for seismology and geoscience deep learning.

Example:
    >>> import obspy, zoo
    >>> model = zoo.load("phasenet")
    >>> picks = zoo.classify(model, obspy.read())
    >>> sorted({p.phase for p in picks})
    ['P', 'S']
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from zoo import weights  # noqa: E402
from zoo.export import export  # noqa: E402
from zoo.picks import Detection, Pick, PickList, classify  # noqa: E402
from zoo.preset_folder import save_preset  # noqa: E402
from zoo.registry import ModelCard, Preset, card, list_models, load, presets  # noqa: E402
from zoo.stream import annotate  # noqa: E402

__version__ = "0.1.0"
__all__ = [
    "Detection",
    "ModelCard",
    "Pick",
    "PickList",
    "Preset",
    "annotate",
    "card",
    "classify",
    "export",
    "list_models",
    "load",
    "presets",
    "save_preset",
    "weights",
    "__version__",
]
