"""Classify stations for an X-discontinuity with the shipped ``xdisc`` preset.

Writes synthetic receiver functions of two stations (one with an X-discontinuity at 300 km) as SAC
files (ray parameter in ``user0``, P onset in ``a``), reads them back like real data, builds
ray-parameter images and prints each station's mean probability and decision.

Run: ``python examples/xdisc_station.py``. For your own data, point ``read_receiver_functions`` at a
folder of SAC/MiniSEED radial receiver functions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import obspy

import zoo
from zoo.data.receiver_functions import read_receiver_functions, station_images
from zoo.models.xdisc import station_decision, to_model_input
from zoo.synth.receiver_functions import synthesize
from zoo.synth.rf_images import coloured_noise

NOISE = 0.08  # RMS of the (Gaussian-filtered, 1/f) noise of each receiver function / direct-P peak


def write_station(folder: Path, station: str, x_depth: float | None, rng: np.random.Generator) -> None:
    ray_p = rng.uniform(0.04, 0.08, 120)
    rf = synthesize(
        "prem",
        ray_p,
        sampling_rate=10.0,
        t_start=-10.0,
        t_end=70.0,
        x_depth=x_depth,
        x_dvs=0.04,
        moho_depth=38.0,
        vpvs=1.75,
    )
    noise = coloured_noise(rng, len(ray_p), rf.shape[1], 10.0, np.full(len(ray_p), 2.5), np.ones(len(ray_p)))
    rf += NOISE * noise * rf.max()  # binning 120 RFs into 16 traces stacks the noise down
    for i, (p, data) in enumerate(zip(ray_p, rf)):
        header = {"network": "XX", "station": station, "channel": "RFR", "sampling_rate": 10.0}
        tr = obspy.Trace(data.astype("float32"), header=header)
        tr.stats.sac = obspy.core.AttribDict({"user0": p, "a": 10.0, "b": 0.0})
        tr.write(str(folder / f"{station}.{i:03d}.sac"), format="SAC")


def main() -> None:
    rng = np.random.default_rng(1)
    model = zoo.load("xdisc")  # preset synthetic-v1, shipped with the package
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_station(folder, "WITHX", 300.0, rng)
        write_station(folder, "NOX", None, rng)
        probs, names = [], []
        for key, rfs in read_receiver_functions(folder).items():
            images = station_images(rfs, n_images=8, seed=0)
            probs.append(model.predict(to_model_input(images), verbose=0).reshape(-1))
            names += [key] * len(images)
    for station, (p, present) in station_decision(np.concatenate(probs), np.array(names)).items():
        print(f"{station}: mean probability {p:.2f} -> X-discontinuity {'present' if present else 'absent'}")


if __name__ == "__main__":
    main()
