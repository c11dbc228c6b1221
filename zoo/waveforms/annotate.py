"""``zoo.annotate``: a zoo model over an ObsPy stream, its label curves back as ObsPy traces.

The work is done by :func:`zoo.waveforms.curves.curves` (segments -> windows -> compiled predict ->
stacking); this module checks the options, chooses the strategy (one pass, Monte-Carlo dropout, or
test-time augmentation from :mod:`zoo.augment.tta`, imported only when asked for) and turns each
segment's curves into traces named ``<Model>_<label>``. Nothing here names a model.

Awkward input (competing component codes, overlapping traces of one channel, samples beyond float32's
range) follows the rules of :mod:`zoo.waveforms.segments`; each one warns, none is silent.

Example:
    >>> import obspy, zoo
    >>> model = zoo.load("phasenet")
    >>> annotations = zoo.annotate(model, obspy.read())
    >>> sorted({tr.stats.channel for tr in annotations})
    ['PhaseNet_N', 'PhaseNet_P', 'PhaseNet_S']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import obspy

from zoo.cards import ModelCard
from zoo.registry import waveform_card
from zoo.waveforms.curves import SegmentCurves, curves
from zoo.waveforms.predict import MonteCarloDropout, Strategy, on_windows

TTA_OPTIONS = ("filters", "order", "reduce", "shifts")
"""Keyword arguments of :func:`zoo.augment.tta_predict` that ``tta=`` may give."""


def annotation_instrument_id(trace: obspy.Trace) -> str:
    """``NET.STA.LOC.CH`` of the instrument an annotation trace of :func:`annotate` came from.

    Read from ``stats.instrument``; a trace without it gives ``NET.STA.LOC.`` (no instrument code).

    Example:
        >>> import obspy, zoo
        >>> annotation_instrument_id(zoo.annotate(zoo.load("phasenet"), obspy.read())[0])
        'BW.RJOB..EH'
    """
    s = trace.stats
    return f"{s.network}.{s.station}.{s.location}.{s.get('instrument', '')}"


def tta_strategy(card: ModelCard, tta: dict[str, Any]) -> Strategy:
    """A strategy that averages each batch's curves over filtered and shifted windows (test-time augmentation).

    ``tta`` holds keyword arguments of :func:`zoo.augment.tta_predict`; the windows are cut from the
    batch's span at the card's window length and rate.
    """
    from zoo.augment.tta import tta_predict

    window, components = card.waveform.samples, len(card.waveform.components)

    def average(predict, span: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, None]:
        windows = np.lib.stride_tricks.sliding_window_view(span, window, axis=0)[offsets]
        windows = np.ascontiguousarray(np.swapaxes(windows, 1, 2))
        run = on_windows(predict, window, components)
        return tta_predict(run, windows, sampling_rate=card.waveform.sampling_rate, **tta), None

    return average


def strategy_for(card: ModelCard, mc_samples: int, tta: dict[str, Any] | None) -> Strategy | None:
    """The strategy of ``annotate``'s ``mc_samples`` and ``tta`` options (``None``: one plain pass)."""
    if isinstance(mc_samples, bool) or not isinstance(mc_samples, (int, np.integer)) or mc_samples < 1:
        raise ValueError(f"mc_samples must be a positive whole number, got {mc_samples!r}.")
    if mc_samples > 1 and card.annotation.mc_dropout is None:
        raise ValueError(f"{card.prefix} has no dropout to sample: mc_samples must be 1.")
    if tta is not None:
        if not isinstance(tta, dict) or set(tta) - set(TTA_OPTIONS):
            raise TypeError(f"tta must be a dict with keys among {list(TTA_OPTIONS)}, got {tta!r}.")
        if mc_samples > 1:
            raise ValueError("Use either tta or mc_samples, not both.")
        return tta_strategy(card, tta)
    if mc_samples > 1:
        return MonteCarloDropout(int(mc_samples), card.annotation.mc_dropout)
    return None


def annotate(
    model: Any,
    stream: obspy.Stream | obspy.Trace,
    *,
    batch_size: int = 128,
    overlap: int | None = None,
    stride: int | None = None,
    mc_samples: int = 1,
    tta: dict[str, Any] | None = None,
    precision: str = "float32",
) -> obspy.Stream:
    """Run a zoo model over a stream and return its label curves as traces.

    Args:
        model: A model from :func:`zoo.load`.
        stream: Raw waveforms: any sampling rate (resampled to the model's), integer or float counts,
            several stations, gaps, masked arrays; component codes Z/N/E or Z/1/2.
        batch_size: Windows in the network at once (two concurrent predict calls of half as many).
        overlap: Overlap of consecutive windows in samples (sequence models; default the card's).
        stride: Step between windows in samples (point models such as GPD; default the card's).
        mc_samples: Monte-Carlo dropout passes (models with dropout at inference, e.g.
            EQTransformer); with more than one, each label gets a mean trace ``<Model>_<label>`` and a
            standard-deviation trace ``<Model>_<label>_std``.
        tta: Test-time augmentation: keyword arguments of :func:`zoo.augment.tta_predict`
            (``filters`` as ``None`` or ``(freqmin, freqmax)`` Hz, ``shifts`` in seconds, ``reduce``,
            ``order``); each window's curves are averaged over its filtered and shifted versions,
            e.g. ``tta={"filters": [None, (1.0, None)]}`` adds a 1 Hz high-passed copy.
        precision: ``"bfloat16"`` runs the network in bfloat16 where the hardware has it (faster on
            CPUs with AVX512_BF16 and on Ampere GPUs; curves within a few hundredths of float32, see
            :mod:`zoo.waveforms.precision`); default ``"float32"``.

    Returns:
        An ``obspy.Stream`` with one trace per label, instrument and continuous segment, channel
        ``<Model>_<label>``, the input's network/station/location, float32 probabilities, sampling
        rate ``card.waveform.sampling_rate / output_step`` (point models: ``/ stride``). Each trace says
        which instrument it came from in ``stats.instrument`` (band and instrument code, ``"EH"``) and
        ``stats.source_channels`` (the channel code read for each component role, ``{"Z": "EHZ",
        ...}``; a zero-filled component is absent), so the annotations of two instruments at one
        station (EH? and HH?) stay apart: select them with ``ann.select(channel="PhaseNet_P")`` and
        ``tr.stats.instrument``. (ObsPy's ``Stream.merge`` compares ids only; do not merge the
        annotations of several instruments of one station.)

    Raises:
        ValueError: A model that does not run on waveforms, empty stream, non-positive sampling rate, no
            finite samples, no component the model understands, no segment long enough, bad options,
            bfloat16 without hardware support.
        TypeError: Not a stream, or non-numeric samples.

    Example:
        >>> import obspy, zoo
        >>> ann = zoo.annotate(zoo.load("phasenet"), obspy.read())
        >>> ann.select(channel="PhaseNet_P")[0].stats.sampling_rate
        100.0
    """
    card = waveform_card(model, "zoo.annotate")
    strategy = strategy_for(card, mc_samples, tta)
    out = obspy.Stream()
    for segment in curves(
        model,
        stream,
        batch_size=batch_size,
        overlap=overlap,
        stride=stride,
        strategy=strategy,
        precision=precision,
    ):
        out.extend(traces(segment, card.prefix))
    return out


def traces(segment: SegmentCurves, prefix: str) -> list[obspy.Trace]:
    """One trace per label (``<prefix>_<label>``), then per label ``<prefix>_<label>_std`` if there is a spread."""
    network, station, location, instrument = segment.trace_id.split(".")
    header = {
        "network": network,
        "station": station,
        "location": location,
        "starttime": segment.starttime,
        "sampling_rate": segment.sampling_rate,
        "instrument": instrument,
    }
    parts = [("", segment.values)] + ([("_std", segment.std)] if segment.std is not None else [])
    return [
        obspy.Trace(
            np.ascontiguousarray(values[:, i], dtype=np.float32),
            header={
                **header,
                "channel": f"{prefix}_{label}{suffix}",
                "source_channels": dict(segment.channels),
            },
        )
        for suffix, values in parts
        for i, label in enumerate(segment.labels)
    ]
