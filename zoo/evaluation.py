"""Evaluate a picker on labelled records: pick every record, match picks to the labelled arrivals.

Records are the training elements of :mod:`zoo.data` (any format :func:`zoo.data.iter_examples`
reads). Each record becomes an ObsPy stream of its own (network ``XX``, station = the trace name with
``.`` made ``_``, start time :data:`ORIGIN`), all records are picked in one batched :func:`zoo.classify`
call, and picks and labels are compared with :func:`zoo.metrics.pick_scores` (one-to-one matching within
``tolerance`` s).

Example:
    >>> import zoo, zoo.data
    >>> records = zoo.data.iter_examples("../shared/data/ncedc/pred", p_column="pred_itp", s_column="pred_its")
    >>> result = evaluate(zoo.load("phasenet"), records)
    >>> result.scores.loc[["P", "S"], ["tp", "fn"]].to_numpy().tolist()
    [[74, 3], [66, 11]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import obspy
import pandas as pd

from zoo.metrics import as_seconds, pick_scores, threshold_sweep
from zoo.registry import card_of

ORIGIN = obspy.UTCDateTime(0)
"""Start time of every record's stream; label and pick times are seconds after it."""


@dataclass
class Evaluation:
    """Scores per phase (rows P, S; see :func:`zoo.metrics.pick_scores`), the label and pick tables."""

    scores: pd.DataFrame
    labels: pd.DataFrame
    picks: pd.DataFrame
    low_picks: pd.DataFrame | None = None

    def sweep(self, thresholds=None, tolerance: float = 0.1) -> pd.DataFrame:
        """Scores at each threshold, from the picks made at ``sweep_from`` (see :func:`evaluate`)."""
        if self.low_picks is None:
            raise ValueError("a threshold sweep needs evaluate(..., sweep_from=<lowest threshold>).")
        return threshold_sweep(self.labels, self.low_picks, thresholds, tolerance)


def records_to_streams(
    records: Iterable[Mapping[str, Any]], components: str, default_rate: float
) -> tuple[obspy.Stream, pd.DataFrame]:
    """One stream for all records and the labels table ``trace_id, phase, time`` (seconds after ORIGIN).

    Raises:
        ValueError: a waveform is not ``[samples, len(components)]``, a record name occurs twice (its
            labels would be counted twice against one set of picks), or there are no records.
    """
    traces, rows, seen = [], [], {}
    for number, record in enumerate(records, start=1):
        name = str(record["trace_name"]).replace(".", "_")
        if name in seen:
            raise ValueError(
                f"record {record['trace_name']!r} occurs twice (records {seen[name]} and {number}); "
                "each record must be listed once in the labels."
            )
        seen[name] = number
        rate = float(record.get("trace_sampling_rate_hz", np.nan))
        rate = default_rate if not np.isfinite(rate) else rate
        data = np.asarray(record["waveform"])
        if data.ndim != 2 or data.shape[1] != len(components):
            raise ValueError(
                f"record {name}: waveform must be [samples, {len(components)}], got {data.shape}."
            )
        header = {"network": "XX", "station": name, "sampling_rate": rate, "starttime": ORIGIN}
        traces += [
            obspy.Trace(np.ascontiguousarray(data[:, i]), header={**header, "channel": f"HH{c}"})
            for i, c in enumerate(components)
        ]
        for phase in ("P", "S"):
            sample = float(record[f"trace_{phase.lower()}_arrival_sample"])
            if np.isfinite(sample):
                rows.append({"trace_id": f"XX.{name}..HH", "phase": phase, "time": sample / rate})
    if not traces:
        raise ValueError("no records to evaluate.")
    return obspy.Stream(traces), pd.DataFrame(rows, columns=["trace_id", "phase", "time"])


def check_labelled(labels: pd.DataFrame, phases: Iterable[str], records: int) -> None:
    """Raise ``ValueError`` if a scored phase has no label in any record.

    Without labels every pick of that phase would count as a false positive (precision 0), which
    says nothing about the picker; it means the label column is empty or the wrong one.
    """
    for phase in phases:
        if phase in ("P", "S") and not (labels["phase"] == phase).any():
            raise ValueError(
                f"none of the {records} records has a label for the {phase} arrival: the {phase} arrival column "
                "is empty (or negative) throughout, so every pick would count as false. Check the "
                "label column names."
            )


def evaluate(
    model: Any,
    records: Iterable[Mapping[str, Any]],
    *,
    tolerance: float = 0.1,
    thresholds: Mapping[str, float] | None = None,
    batch_size: int = 128,
    sweep_from: float | None = None,
) -> Evaluation:
    """Pick ``records`` with ``model`` and score the picks per phase.

    The records are annotated once; picks are extracted at ``thresholds`` for the scores and, with
    ``sweep_from``, again at that lower threshold for :meth:`Evaluation.sweep`.

    Args:
        model: a picker from :func:`zoo.load`.
        records: element dicts (``waveform`` in the model's component order, arrival samples, name).
        tolerance: largest ``|pick - label|`` in seconds that counts as a hit.
        thresholds: pick thresholds by label (default: the card's).
        batch_size: windows in the network at once (see :func:`zoo.annotate`).
        sweep_from: lowest pick threshold of a later threshold sweep (e.g. 0.05).

    Raises:
        ValueError: a record occurs twice, or a phase the model picks has no label in any record
            (see :func:`records_to_streams`, :func:`check_labelled`).
    """
    from zoo.waveforms.annotate import annotate
    from zoo.waveforms.picks import extract, pick_thresholds

    card = card_of(model)
    stream, labels = records_to_streams(records, card.waveform.components, card.waveform.sampling_rate)
    check_labelled(labels, card.trigger.pick_labels, len({tr.stats.station for tr in stream}))
    levels = pick_thresholds(card, {f"{label}_threshold": v for label, v in (thresholds or {}).items()})
    annotations = annotate(model, stream, batch_size=batch_size)

    def picks_at(levels: Mapping[str, float]) -> pd.DataFrame:
        picks = extract(annotations, card, dict(levels)).to_dataframe()
        picks["time"] = as_seconds(picks["time"], ORIGIN) if len(picks) else []
        return picks

    picks = picks_at(levels)
    low = (
        None
        if sweep_from is None
        else picks_at({**levels, **dict.fromkeys(card.trigger.pick_labels, sweep_from)})
    )
    scores = pick_scores(labels, picks, tolerance=tolerance).reindex(list(card.trigger.pick_labels))
    return Evaluation(scores, labels, picks, low)
