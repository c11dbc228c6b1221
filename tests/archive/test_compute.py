"""One task's work: exact cuts, picks only inside the chunk, missing components, empty chunks."""

from __future__ import annotations

import dataclasses

import numpy as np
import obspy
import pytest

import zoo
from zoo.archive import compute
from zoo.archive.compute import cut, pick_chunk, read
from zoo.archive.sources import open_source
from zoo.archive.stations import StationSelection
from zoo.archive.tasks import Grid, Task, plan


def test_cut_keeps_exactly_the_samples_in_the_half_open_span(stream_of):
    st = stream_of(np.arange(3000 * 3).reshape(3000, 3), starttime=0.004)
    task = _task(obspy.UTCDateTime(1), obspy.UTCDateTime(2), obspy.UTCDateTime(0.5), obspy.UTCDateTime(25.0))
    out = cut(st, task)
    for tr in out:
        assert tr.stats.starttime == obspy.UTCDateTime(0.504)
        assert tr.stats.npts == 2450  # 0.504 ... 24.994 s
    assert out[0].data[0] == st[0].data[50]


def _task(start, end, read_start, read_end, files=()):
    return Task("BW.RJOB..EH", start, end, read_start, read_end, tuple(files), "test")


def test_picks_outside_the_chunk_are_dropped(phasenet):
    st = obspy.read()
    t0 = st[0].stats.starttime
    everything = zoo.classify(phasenet, st)
    assert [p.phase for p in everything] == ["P", "S"]
    s_time = everything[1].time
    result = pick_chunk(phasenet, _task(t0, s_time, t0, t0 + 30), st, {})
    assert [p.phase for p in result.picks] == ["P"]
    assert result.data_seconds == pytest.approx(s_time - t0, abs=0.01)


def test_missing_component_fails_unless_zero_filled(phasenet):
    st = obspy.read().select(component="Z")
    t0 = st[0].stats.starttime
    task = _task(t0, t0 + 30, t0, t0 + 30)
    with pytest.raises(ValueError, match="has no E/N component"):
        pick_chunk(phasenet, task, st, {})
    with pytest.warns(UserWarning, match="filling it with zeros"):
        result = pick_chunk(phasenet, task, st, {}, zero_fill=True)
    assert result.data_seconds == pytest.approx(30, abs=0.01)


def test_a_chunk_without_data_has_no_picks_and_no_hours(phasenet):
    st = obspy.read()
    t0 = st[0].stats.starttime
    result = pick_chunk(phasenet, _task(t0 + 100, t0 + 200, t0 + 40, t0 + 260), st, {})
    assert (result.picks, result.data_seconds) == ([], 0.0)


def _midnight_task(archive):
    grid = Grid.for_card(zoo.card("phasenet"), archive.start, archive.end, 3600)
    files = open_source(f"sds://{archive.root}").files(
        StationSelection.parse("XX.AAA"), archive.start, archive.end
    )
    return next(t for t in plan(files, grid) if t.start == archive.start + 5400)  # the chunk after midnight


@pytest.mark.parametrize("ranged", [True, False], ids=["ranged", "range-too-short"])
def test_ranged_reads_of_neighbouring_days_give_the_samples_of_whole_reads(archive, monkeypatch, ranged):
    task = _midnight_task(archive)
    if not ranged:  # two 4 KiB records (about a minute of this data) cannot reach back half an hour
        monkeypatch.setattr(compute, "_RANGE_FACTORS", (0.0,))
        task = dataclasses.replace(task, read_start=task.start - 1800)
    whole = read(
        dataclasses.replace(task, files=tuple(dataclasses.replace(f, one_channel=False) for f in task.files))
    )
    partial = read(task)
    previous_day = next(f for f in task.files if f.channel == "HHZ" and f.end == task.start)
    part = compute._read_part(previous_day, task, {})
    if ranged:  # fetched the tail only: minutes, not the file's 1.5 h
        assert part is not None and task.start - part[0].stats.starttime < 600
    else:
        assert part is None
    assert len(partial) == len(whole) == 6
    for a, b in zip(
        sorted(whole, key=lambda tr: (tr.id, tr.stats.starttime)),
        sorted(partial, key=lambda tr: (tr.id, tr.stats.starttime)),
    ):
        assert a.stats.starttime == b.stats.starttime and np.array_equal(a.data, b.data)


def test_read_decodes_only_the_instrument_and_span(archive):
    grid = Grid.for_card(zoo.card("phasenet"), archive.start, archive.end, 3600)
    files = open_source(f"sds://{archive.root}").files(
        StationSelection.parse("XX.AAA"), archive.start, archive.end
    )
    task = next(t for t in plan(files, grid) if t.start == archive.start + 5400)  # the chunk after midnight
    st = read(task)
    assert len(st) == 6  # each channel from the day file before midnight and the one after
    st.merge(method=0)
    assert sorted(tr.stats.channel for tr in st) == ["HHE", "HHN", "HHZ"]
    for tr in st:
        assert tr.stats.starttime == task.read_start and tr.stats.npts == round(
            (task.read_end - task.read_start) * 100
        )
    assert task.start - task.read_start >= 60 and task.read_end - task.end == 60
