"""manifest.json: the versions, the inputs, and per fixture its model, files, defaults and counts."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import h5py
import numpy as np
import obspy
import pandas
import scipy
import seisbench
import seisbench.models as sbm
import torch
from fixture_curves import write_annotations
from fixture_defs import (
    CONTINUOUS_NAME,
    CONTINUOUS_SAMPLES,
    CONTINUOUS_START,
    CONTINUOUS_TRACES,
    CURVE_TRACES,
    OUT,
    TRACE_START,
    Fixture,
)
from fixture_files import jsonable, sha256
from fixture_stead import Stead


def describe_inputs(data_dir: Path, stead: Stead) -> dict:
    names = stead.names
    return {
        "data": str(data_dir),
        "waveforms_sha256": sha256(data_dir / "waveforms.hdf5"),
        "metadata_sha256": sha256(data_dir / "metadata.csv"),
        "traces": names,
        "trace_stream": "one stream per trace: <network_code>.<receiver_code>..HH{E,N,Z} from the CSV, "
        "100 Hz, the HDF5 columns E, N, Z as float32, start " + str(TRACE_START),
        "continuous_stream": {
            "name": CONTINUOUS_NAME,
            "traces": names[:CONTINUOUS_TRACES],
            "samples": CONTINUOUS_SAMPLES,
            "start": str(CONTINUOUS_START),
            "how": f"the first {CONTINUOUS_TRACES} traces' arrays concatenated along time, "
            f"then cut to the first {CONTINUOUS_SAMPLES} samples",
        },
    }


def class_defaults(model: sbm.WaveformModel) -> dict:
    """Everything of the instance and class that annotate/classify read."""
    annotate_args = {key: default for key, (_, default) in type(model)._annotate_args.items()}
    attributes = {}
    for name in (
        "in_samples",
        "sampling_rate",
        "component_order",
        "output_type",
        "pred_sample",
        "labels",
        "filter_args",
        "filter_kwargs",
        "allow_padding",
        "norm",
        "norm_amp_per_comp",
        "norm_detrend",
        "original_compatible",
        "lstm_blocks",
        "drop_rate",
        "classes",
        "in_channels",
        "eps",
        "filter_factor",
    ):
        if hasattr(model, name):
            attributes[name] = getattr(model, name)
    attributes["grouping"] = model._grouping.grouping
    attributes["default_args"] = model.default_args
    return {"attributes": jsonable(attributes), "_annotate_args": jsonable(annotate_args)}


def manifest_entry(
    fixture: Fixture,
    model: sbm.WaveformModel,
    *,
    files: tuple[Path, Path],
    annotate_kwargs: dict,
    classify_kwargs: dict,
    curve_streams: list[str],
    labels: list,
    picks: int,
    detections: int,
) -> dict:
    """The manifest's entry for one fixture: its model, saved ``files`` (the JSON and the .pt), the
    arguments used, the streams whose curves are stored and the number of pick and detection rows."""
    json_path = files[0]
    return {
        "class": f"seisbench.models.{fixture.cls}",
        "constructor_kwargs": fixture.kwargs,
        "seed": fixture.seed,
        "weights": "perturbed copy of " + fixture.base
        if fixture.base
        else "lively random (see make_fixtures.py docstring)",
        "logit_targets": {str(k): list(v) for k, v in fixture.logits.items()},
        "note": fixture.note,
        "files": {
            p.relative_to(OUT).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256(p)} for p in files
        },
        "json": json.loads(json_path.read_text()),
        "state_dict": {k: list(v.shape) for k, v in model.state_dict().items()},
        "defaults": class_defaults(model),
        "annotate_kwargs": annotate_kwargs,
        "classify_kwargs": classify_kwargs,
        "annotations": f"annotations/{fixture.key}.npz",
        "curve_streams": curve_streams,
        "channels": [f"{fixture.cls}_{label}" for label in labels],
        "picks": picks,
        "detections": detections,
    }


def write_manifest(path: Path, data_dir: Path, stead: Stead, fixtures: dict[str, dict]) -> None:
    """Write manifest.json: versions, SeisBench's config, the inputs, the file formats and ``fixtures``
    (the entries of :func:`manifest_entry` by fixture key)."""
    manifest = {
        "made_by": "tests/seisbench/make_fixtures.py",
        "versions": {
            "python": platform.python_version(),
            "seisbench": seisbench.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "obspy": obspy.__version__,
            "scipy": scipy.__version__,
            "h5py": h5py.__version__,
            "pandas": pandas.__version__,
        },
        "seisbench_config": seisbench.config,
        "inputs": describe_inputs(data_dir, stead),
        "annotation_format": write_annotations.__doc__,
        "curve_streams": "curves are stored for the streams listed per fixture (PhaseNet and EQTransformer: "
        f"the first {CURVE_TRACES} traces and the continuous stream; GPD and CRED: all); picks and "
        "detections for all 51 streams",
        "picks_csv": "one row per SeisBench Pick: times are ISO UTC; *_sample are indices into the "
        "annotation curve of that stream and label (round((t - curve start) * rate)); margin: see "
        "make_fixtures.trigger_margin (a pick with margin < the test tolerance may move or vanish)",
        "detections_csv": "one row per SeisBench Detection (EQTransformer and CRED); same conventions",
        "fixtures": fixtures,
    }
    path.write_text(json.dumps(jsonable(manifest), indent=1) + "\n")
