"""False alarms on Gaussian noise: detections and picks per hour that each model makes on pure noise.

Builds ``--hours`` of seeded white Gaussian noise on three components at 100 Hz (one station, float64),
runs ``zoo.classify`` with each model's default thresholds and prints detections and picks per hour
(every one of them is a false alarm), and the share of the time inside a detection.

For EQTransformer it also prints what the original ``mseed_predictor`` procedure reports on the same
noise: 60-s windows every 42 s (its ``overlap=0.3``), each window picked on its own (detection on at
the threshold and off below it, at least 10 samples; the first S peak inside the detection and the
most probable P peak from 1 s before its start to 0.1 s before that S), a detection reported only
with a P or an S, and a detection starting within 2 s of one already reported dropped.

    python benchmarks/noise_detections.py                         # eqtransformer, cred, gpd; 3 h
    python benchmarks/noise_detections.py --models eqtransformer --hours 1 --seed 1

Weights come from ZOO_WEIGHTS_MIRROR / the cache as usual.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import obspy

import zoo
from zoo.runtime import tune_allocator
from zoo.waveforms.picks import trigger


def noise_stream(hours: float, seed: int, rate: float = 100.0) -> obspy.Stream:
    """One station ``XX.NOISE..HH?`` of white Gaussian noise (standard deviation 1), ``hours`` long."""
    rng = np.random.default_rng(seed)
    n = int(round(hours * 3600 * rate))
    header = {"network": "XX", "station": "NOISE", "sampling_rate": rate}
    return obspy.Stream(
        [obspy.Trace(rng.normal(0.0, 1.0, n), header={**header, "channel": f"HH{c}"}) for c in "ZNE"]
    )


def _peaks(curve: np.ndarray, height: float) -> np.ndarray:
    """Indices of local maxima (rising edge of a plateau) at or above ``height``, not at either end."""
    rise = np.diff(curve)
    idx = np.flatnonzero((np.append(rise, 0) <= 0) & (np.insert(rise, 0, 0) > 0))
    idx = idx[(idx > 0) & (idx < len(curve) - 1)]
    return idx[curve[idx] >= height]


def original_procedure_events(model, stream: obspy.Stream, step: int = 4200) -> int:
    """Events EQTransformer's ``mseed_predictor`` procedure reports (see the module docstring)."""
    card = model.zoo_card
    data = np.stack([stream.select(component=c)[0].data for c in card.waveform.components], axis=1)
    thresholds = card.trigger.thresholds
    starts = np.arange(0, len(data) - card.waveform.samples + 1, step)
    reported: list[int] = []
    for j in range(0, len(starts), 64):
        windows = np.stack([data[s : s + card.waveform.samples] for s in starts[j : j + 64]]).astype(
            np.float32
        )
        outputs = card.annotation.postprocess(model(card.waveform.normalize(windows), training=False)).numpy()
        for start, out in zip(starts[j : j + 64], outputs):
            p_peaks, s_peaks = _peaks(out[:, 1], thresholds["P"]), _peaks(out[:, 2], thresholds["S"])
            for on, stop, _ in trigger(out[:, 0], thresholds["Detection"]):
                off = stop - 1
                if off - on < 10:
                    continue
                s_pick = next((s for s in s_peaks if on < s < off), None)
                latest = off if s_pick is None else s_pick - 10
                has_p = any(on - 100 < p < latest for p in p_peaks)
                if (s_pick is None and not has_p) or any(abs(start + on - t) < 200 for t in reported):
                    continue
                reported.append(int(start + on))
    return len(reported)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="eqtransformer,cred,gpd")
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tune_allocator()
    stream = noise_stream(args.hours, args.seed)
    print(f"{args.hours:g} h of white Gaussian noise (seed {args.seed}), default thresholds")
    print(f"{'model':<15} {'detections/h':>12} {'picks/h':>8} {'time in detections':>19} {'run s':>6}")
    for name in args.models.split(","):
        model = zoo.load(name)
        began = time.perf_counter()
        picks = zoo.classify(model, stream)
        seconds = time.perf_counter() - began
        inside = sum(d.end_time - d.start_time for d in picks.detections) / (args.hours * 3600)
        share = f"{inside:.1%}" if model.zoo_card.trigger.detection_labels else "-"
        print(
            f"{name:<15} {len(picks.detections) / args.hours:12.1f} {len(picks) / args.hours:8.1f} "
            f"{share:>19} {seconds:6.0f}"
        )
        if name == "eqtransformer":
            events = original_procedure_events(model, stream)
            print(
                f"{'  original procedure (mseed_predictor, overlap 0.3)':<52} events/h {events / args.hours:.1f}"
            )


if __name__ == "__main__":
    main()
