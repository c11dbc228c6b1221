"""Pick and detection rows of picks.csv and detections.csv, with their trigger margins and thresholds."""

from __future__ import annotations

import numpy as np
import obspy
import seisbench.models as sbm

# The columns of picks.csv and detections.csv, in file order.
PICK_COLUMNS = [
    "fixture",
    "stream",
    "trace_id",
    "phase",
    "start_time",
    "peak_time",
    "end_time",
    "peak_value",
    "start_sample",
    "peak_sample",
    "end_sample",
    "margin",
]
DETECTION_COLUMNS = [
    "fixture",
    "stream",
    "trace_id",
    "start_time",
    "end_time",
    "peak_value",
    "start_sample",
    "end_sample",
    "margin",
]


def trigger_margin(trace: obspy.Trace, s0: int, s1: int, threshold: float, peak: int | None) -> float:
    """The smallest change of the curve (max norm) that could remove this trigger or move its start, end
    or peak sample by two samples or more, i.e. beyond a one-sample tolerance (estimated from the
    samples next to each decision). A port whose curves differ by less than this gives the same pick
    within one sample; a pick with a margin below the comparison tolerance may legitimately move."""
    x = trace.data.astype(np.float64)
    n, off = len(x), threshold / 2
    gaps = [x[s0 : s1 + 1].max() - threshold]  # the trigger vanishes
    if s0 >= 2:
        gaps.append(threshold - x[s0 - 2])  # start two samples earlier
    if s0 + 1 < n:
        gaps.append(max(x[s0], x[s0 + 1]) - threshold)  # start two samples later
    if s1 >= 1:
        gaps.append(x[s1 - 1] - off)  # end two samples earlier
    if s1 + 2 < n:
        gaps.append(max(off - x[s1 + 1], off - x[s1 + 2]))  # end two samples later
    if peak is not None:
        far = [x[i] for i in range(s0, s1 + 1) if abs(i - peak) >= 2]
        if far:
            gaps.append((x[peak] - max(far)) / 2)  # another sample overtakes the peak
    return float(max(min(gaps), 0.0))


def index_of(trace: obspy.Trace, time: obspy.UTCDateTime) -> int:
    return int(round((time - trace.stats.starttime) * trace.stats.sampling_rate))


def pick_rows(
    key: str, cls: str, outputs: dict, annotations: dict, thresholds: dict[str, float]
) -> tuple[list[dict], list[dict]]:
    picks, detections = [], []
    for name, output in outputs.items():
        for pick in getattr(output, "picks", None) or []:
            (trace,) = annotations[name].select(channel=f"{cls}_{pick.phase}")
            s0, s1 = index_of(trace, pick.start_time), index_of(trace, pick.end_time)
            peak = index_of(trace, pick.peak_time)
            picks.append(
                {
                    "fixture": key,
                    "stream": name,
                    "trace_id": pick.trace_id,
                    "phase": pick.phase,
                    "start_time": str(pick.start_time),
                    "peak_time": str(pick.peak_time),
                    "end_time": str(pick.end_time),
                    "peak_value": repr(float(np.float32(pick.peak_value))),
                    "start_sample": s0,
                    "peak_sample": peak,
                    "end_sample": s1,
                    "margin": f"{trigger_margin(trace, s0, s1, thresholds[str(pick.phase)], peak):.3g}",
                }
            )
        for det in getattr(output, "detections", None) or []:
            (trace,) = annotations[name].select(channel=f"{cls}_Detection")
            s0, s1 = index_of(trace, det.start_time), index_of(trace, det.end_time)
            detections.append(
                {
                    "fixture": key,
                    "stream": name,
                    "trace_id": det.trace_id,
                    "start_time": str(det.start_time),
                    "end_time": str(det.end_time),
                    "peak_value": repr(float(np.float32(det.peak_value))),
                    "start_sample": s0,
                    "end_sample": s1,
                    "margin": f"{trigger_margin(trace, s0, s1, thresholds['Detection'], None):.3g}",
                }
            )
    return picks, detections


def used_thresholds(model: sbm.WaveformModel, classify_kwargs: dict) -> dict[str, float]:
    """Threshold per label as classify applies it: kwargs, then the JSON's default_args, then the class."""
    args = {**model.default_args, **classify_kwargs}
    class_args = type(model)._annotate_args
    out = {}
    for label in model.labels if model.labels is not None else range(model.classes):
        label = str(label)
        if label in ("N", "Detection"):
            continue
        out[label] = args.get(f"{label}_threshold", class_args["*_threshold"][1])
    if "detection_threshold" in class_args:
        out["Detection"] = args.get("detection_threshold", class_args["detection_threshold"][1])
    return out
