"""Tasks: chunks tile the run once, read spans sit on the run's window grid with two windows of margin."""

from __future__ import annotations

import obspy
import pytest

import zoo
from zoo.archive.sources import ChannelFile
from zoo.archive.tasks import Grid, plan

DAY = 86400


@pytest.mark.parametrize("model", ["phasenet", "eqtransformer", "cred", "gpd"])
@pytest.mark.parametrize("chunk", [DAY, 3600, 1800])
def test_chunks_tile_the_run_and_read_spans_sit_on_the_window_grid(model, chunk):
    card = zoo.card(model)
    start, end = obspy.UTCDateTime(2019, 7, 4, 5, 17, 30), obspy.UTCDateTime(2019, 7, 6, 3)
    grid = Grid.for_card(card, start, end, chunk)
    chunks = grid.chunks(start - DAY, end + DAY)
    assert chunks[0][0] == start and chunks[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    step_samples = grid.step * card.waveform.sampling_rate
    for c0, c1 in chunks:
        assert c0.date == (c1 - 1e-6).date
        r0, r1 = grid.read_span(c0, c1)
        offset = (r0 - start) * card.waveform.sampling_rate / step_samples
        assert offset == pytest.approx(round(offset), abs=1e-6)
        assert r0 == start or c0 - r0 >= grid.margin
        assert r1 == end or r1 - c1 == grid.margin
        assert grid.margin == 2 * card.waveform.samples / card.waveform.sampling_rate


def test_bad_chunk_or_span_is_refused():
    card = zoo.card("phasenet")
    t = obspy.UTCDateTime(2019, 7, 4)
    with pytest.raises(ValueError, match="divide a day"):
        Grid.for_card(card, t, t + DAY, 7 * 3600)
    with pytest.raises(ValueError, match="must come after"):
        Grid.for_card(card, t, t)


def _day_files(instrument: str, first: obspy.UTCDateTime, n: int) -> list[ChannelFile]:
    net, sta, loc, ch = instrument.split(".")
    return [
        ChannelFile(f"{sta}.{c}.{d}", net, sta, loc, ch + c, first + d * DAY, first + (d + 1) * DAY)
        for d in range(n)
        for c in "ZNE"
    ]


def test_plan_gives_each_task_its_day_and_the_neighbours_its_margins_reach():
    t = obspy.UTCDateTime(2019, 7, 4)
    grid = Grid.for_card(zoo.card("phasenet"), t, t + 3 * DAY)
    tasks = plan(_day_files("CI.PASC..HH", t, 3) + _day_files("CI.WCS2.00.HH", t, 1), grid)
    assert [task.name for task in tasks] == [
        "year=2019/doy=185/CI.PASC..HH",
        "year=2019/doy=186/CI.PASC..HH",
        "year=2019/doy=187/CI.PASC..HH",
        "year=2019/doy=185/CI.WCS2.00.HH",
    ]
    days_read = [sorted({int(f.path.rsplit(".", 1)[1]) for f in task.files}) for task in tasks]
    assert days_read == [[0, 1], [0, 1, 2], [1, 2], [0]]


def test_sub_day_chunks_are_named_by_their_start():
    t = obspy.UTCDateTime(2019, 7, 4)
    grid = Grid.for_card(zoo.card("phasenet"), t + 22.5 * 3600, t + 25 * 3600, 3600)
    names = [task.name for task in plan(_day_files("CI.PASC..HH", t, 2), grid)]
    assert names == [
        "year=2019/doy=185/CI.PASC..HH.T223000",
        "year=2019/doy=185/CI.PASC..HH.T230000",
        "year=2019/doy=186/CI.PASC..HH.T000000",
    ]
