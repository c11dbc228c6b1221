"""CRED's model card: normalisation, time mapping and the stream-level path."""

from __future__ import annotations

import numpy as np
import obspy
import pytest

import zoo
from zoo.models.cred import CARD


def test_card_facts() -> None:
    assert zoo.card("cred") is CARD
    assert (CARD.waveform.sampling_rate, CARD.waveform.samples, CARD.waveform.components) == (
        100.0,
        6000,
        "ENZ",
    )
    assert CARD.annotation.labels == CARD.trigger.detection_labels == ("Detection",)
    assert (CARD.annotation.output_kind, CARD.annotation.output_step, CARD.task, CARD.display_name) == (
        "sequence",
        160,
        "detector",
        "CRED",
    )
    assert (CARD.waveform.samples - CARD.annotation.overlap) % CARD.annotation.output_step == 0
    assert CARD.trigger.thresholds == {"Detection": 0.5}
    assert "never redistributed" in CARD.licence
    assert CARD.preset().metadata["licence"] == CARD.licence


def test_output_step_matches_network_downsampling() -> None:
    """38 output frames at 160 samples each cover the 6000-sample window (last frame ends at 6080)."""
    model = CARD.build()
    frames = model.output_shape[1]
    assert frames == 38
    assert (
        (frames - 1) * CARD.annotation.output_step
        < CARD.waveform.samples
        <= frames * CARD.annotation.output_step
    )


def test_annotate_reproduces_original(shared, pretrained) -> None:
    """Through zoo.annotate: one 60-s record in, 38 CRED_Detection samples out, equal to the original."""
    from zoo.waveforms.annotate import annotate

    with np.load(shared / "reference" / "cred_original_stead50.npz") as ref:
        raw, y = ref["raw"][:3], ref["y"][:3, :, 0]
    model = pretrained("cred")
    start = obspy.UTCDateTime(2020, 1, 1)
    for i in range(3):
        traces = [
            obspy.Trace(
                raw[i, :, c],
                header={
                    "station": "109C",
                    "network": "TA",
                    "channel": f"HH{comp}",
                    "sampling_rate": 100.0,
                    "starttime": start,
                },
            )
            for c, comp in enumerate("ENZ")
        ]
        out = annotate(model, obspy.Stream(traces))
        (trace,) = out.select(channel="CRED_Detection")
        assert trace.stats.sampling_rate == pytest.approx(100.0 / 160)
        assert trace.stats.starttime == start
        assert np.abs(trace.data - y[i]).max() <= 1e-4
