"""Pin every waveform model's curves on a real stream, so speed work can prove it changed nothing.

Not run by the test suite. It was run once at commit 9125a6f (before the performance work of issue
16) and its output ``fixtures/pinned_curves.npz`` is committed; ``test_curves.py`` compares today's
curves with it (1e-5). Run again only to pin a deliberate change of the numbers:

    ZOO_WEIGHTS_MIRROR=../shared/weights python tests/waveforms/make_pinned_curves.py ../shared/data/stead50

Keys: ``<model>/<segment index>`` (float32 ``[samples, labels]``, segments in ``zoo.waveforms.curves``
order) and ``<model>/ids`` (the segments' trace ids and start times).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import zoo
from zoo.waveforms.curves import curves

sys.path.insert(0, str(Path(__file__).parent))
from conftest import PINNED_CURVES, stead_stream  # noqa: E402

MODELS = ("phasenet", "eqtransformer", "cred", "gpd")


def main(stead: str) -> None:
    stream = stead_stream(Path(stead))
    arrays = {}
    for name in MODELS:
        found = list(curves(zoo.load(name), stream))
        arrays[f"{name}/ids"] = np.array([f"{c.trace_id} {c.starttime}" for c in found])
        for i, c in enumerate(found):
            arrays[f"{name}/{i}"] = c.values
    PINNED_CURVES.parent.mkdir(exist_ok=True)
    np.savez_compressed(PINNED_CURVES, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
