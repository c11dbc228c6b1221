"""Pick lists: sorted, CSV and QuakeML output, never overwriting unasked."""

import obspy
import pandas as pd
import pytest

from zoo.waveforms.picklist import Pick, PickList


@pytest.fixture
def picks():
    t = obspy.UTCDateTime("2009-08-24T00:20:07.71")
    return PickList(
        [
            Pick("BW.RJOB..EH", "S", t + 1, 0.9, t + 0.8, t + 1.2, "EHN"),
            Pick("BW.RJOB..EH", "P", t, 0.97, t - 0.1, t + 0.1, "EHZ"),
        ]
    )


def test_picklist_is_sorted_and_exports_csv(picks, tmp_path):
    assert [p.phase for p in picks] == ["P", "S"]
    path = picks.to_csv(tmp_path / "picks.csv")
    table = pd.read_csv(path)
    assert table.phase.tolist() == ["P", "S"]
    assert obspy.UTCDateTime(table.time[0]) == picks[0].time
    assert table.probability.tolist() == [0.97, 0.9]
    assert table.trace_id.tolist() == ["BW.RJOB..EH"] * 2 and table.channel.tolist() == ["EHZ", "EHN"]


def test_quakeml_round_trip(picks, tmp_path):
    path = picks.to_quakeml(tmp_path / "picks.xml")
    (event,) = obspy.read_events(str(path))
    assert [(p.phase_hint, p.time, p.waveform_id.get_seed_string()) for p in event.picks] == [
        ("P", picks[0].time, "BW.RJOB..EHZ"),
        ("S", picks[1].time, "BW.RJOB..EHN"),
    ]


def test_exports_never_overwrite_unasked(picks, tmp_path):
    target = tmp_path / "picks.csv"
    target.write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite"):
        picks.to_csv(target)
    assert target.read_text() == "precious"
    picks.to_csv(target, overwrite=True)
    assert "RJOB" in target.read_text()
