"""xdisc: CNN that classifies P receiver-function images as "X-discontinuity present / absent".

Input: receiver-function images ``[batch, 325 samples, 16 traces]`` (5 Hz, -5..60 s after P,
traces ordered by ray parameter; see :mod:`zoo.synth.rf_images`); output ``[batch, 1]``: the
probability of an X-discontinuity (250-350 km). This is not a stream model: use
``model.predict`` on images (:func:`to_model_input`) and :func:`station_decision` to aggregate a
station's images. Everything for inference is importable from here: ``build`` (:mod:`.model`),
``to_model_input`` and ``station_decision`` (:mod:`.preprocessing`); the shipped weights are in
``weights/``.

Example:
    >>> import zoo
    >>> zoo.card("xdisc").task
    'classifier'
"""

from __future__ import annotations

from zoo.lazy import lazy, lazy_exports
from zoo.models.xdisc.presets import CITATION, DEFAULT_PRESET, LICENCE, PRESETS
from zoo.registry import ModelCard, TrainingSpec, preset_table, register

CARD = register(
    ModelCard(
        name="xdisc",
        task="classifier",
        description="CNN: X-discontinuity (250-350 km) present/absent from P receiver-function images.",
        citation=CITATION,
        licence=LICENCE,
        display_name="XDisc",
        build=lazy("zoo.models.xdisc.model", "build"),
        convert=lazy("zoo.weights", "load_keras_weights"),
        presets=preset_table(PRESETS),
        default_preset=DEFAULT_PRESET,
        training=TrainingSpec(recipe="zoo.train.receiver_functions"),
    )
)

__all__ = ["CARD", "build", "station_decision", "to_model_input"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "build": "zoo.models.xdisc.model",
        "station_decision": "zoo.models.xdisc.preprocessing",
        "to_model_input": "zoo.models.xdisc.preprocessing",
    },
    eager=["CARD"],
)
