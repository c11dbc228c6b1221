"""Shared test fixtures: where ../shared is, an offline weights mirror and a private cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ZOO_SHARED", ROOT.parent / "shared")).resolve()
REFERENCE = SHARED / "reference"
DATA = SHARED / "data"
MIRROR = SHARED / "weights"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder (reference outputs, data, weights)."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; set ZOO_SHARED to its location.")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def _offline_weights(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test resolves weights from the shared mirror and caches into a temporary ZOO_HOME."""
    os.environ["ZOO_WEIGHTS_MIRROR"] = str(MIRROR)
    os.environ["ZOO_HOME"] = str(tmp_path_factory.mktemp("zoo_home"))


@pytest.fixture(scope="session")
def pretrained(_offline_weights):
    """Factory: ``pretrained(name, preset=None)``, a model with published weights, loaded once per session.

    ``preset=None`` is the card's default preset (the same model as ``zoo.load(name)``). Every caller
    gets the same instance, so its traced prediction functions are reused as well: hand it only to tests
    that leave the model as it was (weights, trainable flags, dtype policy); a test that changes a model
    loads its own with ``zoo.load``.
    """
    import zoo

    cache: dict[tuple[str, str], object] = {}

    def get(name: str, preset: str | None = None):
        key = (name, zoo.card(name).preset(preset).name)
        if key not in cache:
            cache[key] = zoo.load(name, pretrained=key[1])
        return cache[key]

    return get


@pytest.fixture(scope="session")
def phasenet(pretrained):
    """PhaseNet with the original published weights (loaded once per test session)."""
    return pretrained("phasenet", "original")


@pytest.fixture(scope="session")
def stream_of():
    """Factory: ``stream_of(data [samples, components], station=..., rate=..., components="ENZ")``."""
    return make_stream


def make_stream(
    data, station="TEST", rate=100.0, components="ENZ", channel_prefix="HH", starttime=0.0, **header
):
    """An ObsPy stream with one trace per column of ``data`` ``[samples, components]``."""
    import numpy as np
    import obspy

    data = np.asarray(data)
    return obspy.Stream(
        [
            obspy.Trace(
                np.ascontiguousarray(data[:, i]),
                header={
                    "network": header.get("network", "XX"),
                    "station": station,
                    "location": header.get("location", ""),
                    "channel": channel_prefix + c,
                    "sampling_rate": rate,
                    "starttime": obspy.UTCDateTime(starttime),
                },
            )
            for i, c in enumerate(components)
        ]
    )


SEISBENCH_FIXTURES = ROOT / "tests" / "seisbench" / "fixtures"


class SeisBenchReference:
    """The SeisBench reference fixtures (``tests/seisbench/fixtures``, made by ``make_fixtures.py``).

    ``fixtures(cls)``: the fixture keys of a SeisBench class (``"EQTransformer"``); ``files(key)``: its
    weight file and JSON; ``network(model)``: the raw network outputs npz of a geozoo model name;
    ``convert(key, float64=False)``: the Keras network with the fixture's weights (built once per
    process and dtype); ``outputs(model, x)``: the network's outputs as one array (EQTransformer's
    three outputs concatenated on the last axis).
    """

    root = SEISBENCH_FIXTURES

    def __init__(self) -> None:
        import json

        self.manifest = json.loads((self.root / "manifest.json").read_text())
        self._models: dict = {}

    def fixtures(self, cls: str) -> list[str]:
        return [k for k, v in self.manifest["fixtures"].items() if v["class"] == f"seisbench.models.{cls}"]

    def files(self, key: str) -> tuple[Path, Path]:
        names = sorted(self.manifest["fixtures"][key]["files"])
        (json_name,) = [n for n in names if ".json" in n]
        (pt_name,) = [n for n in names if ".pt" in n]
        return self.root / pt_name, self.root / json_name

    def model_args(self, key: str) -> dict:
        return self.manifest["fixtures"][key]["json"]["model_args"]

    def network(self, model: str) -> dict:
        import numpy as np

        with np.load(self.root / "network" / f"{model}.npz") as data:
            return {k: data[k] for k in data.files}

    @staticmethod
    def model_name(key: str) -> str:
        return key.split("_")[0]

    def convert(self, key: str, float64: bool = False):
        import importlib

        from zoo.torch_pickle import read_state_dict

        if (key, float64) not in self._models:
            name = self.model_name(key)
            module = importlib.import_module(f"zoo.models.{name}.seisbench")
            build = importlib.import_module(f"zoo.models.{name}.model").build
            args = self.model_args(key)
            with float_precision("float64" if float64 else "float32"):
                model = build(**module.build_config(args))
            module.assign(model, read_state_dict(self.files(key)[0]), args)
            self._models[key, float64] = model
        return self._models[key, float64]

    @staticmethod
    def outputs(model, x):
        import numpy as np

        out = model(x, training=False)
        if isinstance(out, (list, tuple)):
            return np.concatenate([np.asarray(o) for o in out], axis=-1)
        return np.asarray(out)


def float_precision(dtype: str):
    """Context manager: build Keras layers with ``dtype`` variables and computations, then restore."""
    import contextlib

    import keras

    @contextlib.contextmanager
    def scope():
        floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
        keras.config.set_floatx(dtype)
        keras.config.set_dtype_policy(dtype)
        try:
            yield
        finally:
            keras.config.set_floatx(floatx)
            keras.config.set_dtype_policy(policy)

    return scope()


@pytest.fixture(scope="session")
def seisbench_reference() -> SeisBenchReference:
    """The SeisBench reference fixtures and their converted Keras networks (see SeisBenchReference)."""
    return SeisBenchReference()
