"""Make SeisBench reference fixtures for geozoo's SeisBench weight converters (issue 17).

This script is NOT part of geozoo and is not run by the test suite. It was run once, in a virtual
environment of its own outside the repository, and its outputs are committed under
``tests/seisbench/fixtures/``. To make them again (the outputs are byte-identical on re-run):

    python3 -m venv /work/sbvenv
    /work/sbvenv/bin/pip install torch==2.13.0          # the CPU wheel (never a plain `torch`: CUDA build)
    echo "torch==2.13.0" > /tmp/torch-pin.txt
    /work/sbvenv/bin/pip install -c /tmp/torch-pin.txt seisbench==0.12.6
    cd <repository root>
    /work/sbvenv/bin/python tests/seisbench/make_fixtures.py

(``--data`` defaults to ``../shared/data/stead50`` resolved to an absolute path; the manifest records the
path as given, so the committed one, made in ``/work/main``, is byte-identical only when that resolves to
``/work/shared/data/stead50``.)

Versions used: Python 3.11.7, seisbench 0.12.6, torch 2.13.0+cpu, numpy 2.4.6, obspy 1.5.1,
scipy 1.17.1, h5py 3.16.0, pandas 3.1.1 (all recorded in ``fixtures/manifest.json``).

What it does, per fixture (see ``FIXTURES`` in ``fixture_defs.py``):

1. Builds the SeisBench model class with the fixture's constructor arguments after
   ``torch.manual_seed(seed)``. SeisBench's own pretrained weights cannot be downloaded here, and its
   random initialisation gives flat curves (EQTransformer varies by 1e-6, GPD by 1e-4), which would
   let a converter with swapped or mis-laid weights pass a 1e-4 comparison. So the weights are made
   "lively", all from the same seed (``make_lively`` in ``fixture_weights.py``): convolution kernels
   are smooth, off-centre (asymmetric) bumps times a random He-scaled amplitude per filter pair plus
   white noise (transposed convolutions: the stride-4 interpolation triangle, so no checkerboard),
   linear layers He-normal (GPD's first one nearly constant over positions), biases N(0, 0.1),
   additive-attention matrices N(0, 0.25) / N(0, 0.5), layer-norm and batch-norm scales U(0.8, 1.2)
   and shifts N(0, 0.1);
   batch-norm running statistics are then measured on windows of the stead50 traces (one forward
   pass with only the batch-norm layers in training mode, cumulative average), and the last layer is
   rescaled so that its logits have a chosen mean and spread (``Fixture.logits``). The result: curves
   that vary over the whole 0-1 range, smoothly enough that the default thresholds give a handful
   of picks per trace. The "fine-tuned-looking" PhaseNet starts from the random PhaseNet's weights,
   multiplies every tensor by 1 + N(0, 0.02) (running variances by exp(N(0, 0.02))) and then takes
   60 Adam steps (lr 1e-3, batch 16) on stead50 windows with Gaussian P/S labels at the CSV's
   arrivals, as a user's fine-tuning would (``fine_tune``, ``fixture_weights.py``); its picks sit near
   the real arrivals.
2. Saves the model with ``model.save(path, version_str=...)`` under
   ``fixtures/models/<class name lower-case>/<weight name>``, i.e. ``NAME.json`` + ``NAME.pt`` or, with a
   version, ``NAME.json.vN`` + ``NAME.pt.vN`` as in SeisBench's download cache
   (``~/.seisbench/models/v3/<model>/<name>.pt.v<N>``), reloads it with ``Class.load`` and checks that
   the reloaded model gives the same annotations.
3. Runs ``annotate`` and ``classify`` with the class's default arguments (thresholds included; the
   arguments used are in ``fixtures/thresholds.json``) on each of the 50 stead50 traces (one ObsPy
   stream per trace: ``TA.109C..HH{E,N,Z}`` from the CSV's network and station, 100 Hz, start
   2020-01-01T00:00:00) and on one continuous stream (traces 0-4 end to end, cut to 29,321 samples,
   start 2020-01-02T00:00:00) that exercises window overlap, stacking and blinding.
4. Writes ``fixtures/annotations/<fixture>.npz`` (curves, see ``write_annotations`` in
   ``fixture_curves.py``), ``fixtures/picks.csv``, ``fixtures/detections.csv``,
   ``fixtures/thresholds.json`` and ``fixtures/manifest.json`` (versions, files with sha256,
   model_args, default_args, class defaults).
5. Writes ``fixtures/network/<class name lower-case>.npz``: the raw network outputs
   (``model.forward`` in eval mode, no gradient) of every fixture model of that class on
   ``NETWORK_WINDOWS`` fixed normalised stead50 windows, for the network-level parity tests of the
   converters (see ``network_windows`` and ``write_network_outputs`` in ``fixture_network.py``).
   Added after the other outputs; computing them draws no random numbers, so everything above stays
   byte-identical.

Curves are stored rounded to multiples of 2**-20 (error below 4.8e-7, far inside the 1e-4 test
tolerance) as int32 first differences, which compress well; see ``write_annotations``
(``fixture_curves.py``). To keep the fixtures small, the 100-Hz curves of PhaseNet and EQTransformer
are stored for the first 5 traces and the continuous stream only (GPD's 10-Hz and CRED's 0.63-Hz
curves for all 51 streams); picks and detections are stored for all 51 streams.

This file runs the steps (``main``); the work is done by the modules beside it, one job each
(imported as top-level modules: the script's folder is first on ``sys.path`` when it is run):
``fixture_defs.py`` (paths, constants, ``Fixture`` and ``FIXTURES``), ``fixture_stead.py`` (reading
stead50, the input streams), ``fixture_weights.py`` (lively, perturbed and fine-tuned weights,
``build``), ``fixture_curves.py`` (annotate/classify on all streams, the curve npz files),
``fixture_picks.py`` (pick and detection rows, thresholds, trigger margins), ``fixture_network.py``
(the raw network outputs), ``fixture_manifest.py`` (manifest.json) and ``fixture_files.py`` (sha256,
npz, CSV and JSON helpers). They are named so that pytest does not collect them (they need torch and
SeisBench, which the test environment does not have).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

# SeisBench writes a config (component order!) under its cache root at import: keep a private one so
# that a user's ~/.seisbench/config.json cannot change the fixtures. Set before the fixture_* modules
# are imported, since they import SeisBench.
os.environ["SEISBENCH_CACHE_ROOT"] = tempfile.mkdtemp(prefix="seisbench-cache-")

import seisbench.models as sbm  # noqa: E402
import torch  # noqa: E402
from fixture_curves import annotate_all, classify_all, same_annotations, write_annotations  # noqa: E402
from fixture_defs import CONTINUOUS_NAME, FIXTURES, HERE, NETWORK_WINDOWS_64, OUT  # noqa: E402
from fixture_files import jsonable, write_csv  # noqa: E402
from fixture_manifest import manifest_entry, write_manifest  # noqa: E402
from fixture_network import network_outputs, network_windows, write_network_outputs  # noqa: E402
from fixture_picks import DETECTION_COLUMNS, PICK_COLUMNS, pick_rows, used_thresholds  # noqa: E402
from fixture_stead import input_streams, read_stead  # noqa: E402
from fixture_weights import build  # noqa: E402
from torch import nn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data" / "stead50")
    args = parser.parse_args()
    torch.set_num_threads(1)

    stead = read_stead(args.data)
    streams = input_streams(stead)

    built: dict[str, nn.Module] = {}
    network: dict[str, list] = {}
    all_picks: list[dict] = []
    all_detections: list[dict] = []
    manifest_fixtures = {}
    thresholds = {}
    for fixture in FIXTURES:
        print(f"{fixture.key}: building", flush=True)
        model = build(fixture, built, stead)
        built[fixture.key] = model

        folder = OUT / "models" / fixture.cls.lower()
        folder.mkdir(parents=True, exist_ok=True)
        model.save(folder / fixture.weight_name, weights_docstring=fixture.note, version_str=fixture.version)
        suffix = "" if fixture.version is None else f".v{fixture.version}"
        json_path = folder / f"{fixture.weight_name}.json{suffix}"
        pt_path = folder / f"{fixture.weight_name}.pt{suffix}"

        annotate_kwargs: dict = {}
        classify_kwargs = dict(fixture.classify_kwargs)
        print(f"{fixture.key}: annotating {len(streams)} streams", flush=True)
        annotations = annotate_all(model, streams, annotate_kwargs)
        outputs = classify_all(model, streams, classify_kwargs)

        reloaded = getattr(sbm, fixture.cls).load(folder / fixture.weight_name, version_str=fixture.version)
        reloaded.eval()
        if not same_annotations(annotations, annotate_all(reloaded, streams, annotate_kwargs)):
            raise RuntimeError(f"{fixture.key}: the saved files do not reproduce the annotations")

        labels = list(model.labels) if model.labels is not None else list(range(model.classes))
        kept = stead.names[: fixture.curve_traces] + [CONTINUOUS_NAME]
        curves = {name: annotations[name] for name in streams if name in kept}
        write_annotations(OUT / "annotations" / f"{fixture.key}.npz", curves, labels, fixture.cls)
        used = used_thresholds(model, classify_kwargs)
        picks, detections = pick_rows(fixture.key, fixture.cls, outputs, annotations, used)
        all_picks += picks
        all_detections += detections

        thresholds[fixture.key] = {
            "classify_kwargs": classify_kwargs,
            "thresholds": used,
            "overridden": sorted(classify_kwargs),
            "trigger": "obspy trigger_onset(curve, threshold, threshold / 2) on each annotation curve",
        }
        print(
            f"{fixture.key}: {len(picks)} picks, {len(detections)} detections, thresholds {used}", flush=True
        )
        manifest_fixtures[fixture.key] = manifest_entry(
            fixture,
            model,
            files=(json_path, pt_path),
            annotate_kwargs=annotate_kwargs,
            classify_kwargs=classify_kwargs,
            curve_streams=list(curves),
            labels=labels,
            picks=len(picks),
            detections=len(detections),
        )
        traces, starts, x = network_windows(model, stead)
        network.setdefault(fixture.cls, []).append(
            (
                fixture.key,
                traces,
                starts,
                x.permute(0, 2, 1).numpy(),
                network_outputs(model, x),
                network_outputs(model, x[:NETWORK_WINDOWS_64].double()),
            )
        )

    write_csv(OUT / "picks.csv", all_picks, PICK_COLUMNS)
    write_csv(OUT / "detections.csv", all_detections, DETECTION_COLUMNS)
    for cls, entries in network.items():
        write_network_outputs(OUT / "network" / f"{cls.lower()}.npz", entries, stead.names)
    (OUT / "thresholds.json").write_text(json.dumps(jsonable(thresholds), indent=2) + "\n")
    write_manifest(OUT / "manifest.json", args.data, stead, manifest_fixtures)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
