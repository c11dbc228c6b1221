"""zoo annotate output files: SEED channel codes, one file per trace for SAC-like formats, no overwrite."""

import warnings

import numpy as np
import obspy
import pytest
from obspy.core.util.base import ENTRY_POINTS

import zoo
from zoo.annotation_files import ONE_TRACE_PER_FILE, UNSUPPORTED_FORMATS, output_format, plan, write
from zoo.cli import main


def _two_instruments_with_a_gap() -> obspy.Stream:
    """BW.RJOB's EH? traces plus an HH? instrument: 60 s (the EH data twice) with a gap from 28 to 32 s."""
    eh = obspy.read()
    hh = eh.copy()
    for tr in hh:
        tr.stats.channel = "HH" + tr.stats.channel[-1]
        tr.data = np.tile(tr.data, 2)
    t0 = hh[0].stats.starttime
    return eh + hh.slice(t0, t0 + 27.99) + hh.slice(t0 + 32, t0 + 60)


def test_sac_output_is_one_file_per_label_named_and_labelled(tmp_path, capsys, phasenet):
    out = tmp_path / "ann.sac"
    assert main(["annotate", "--example", "--output", str(out)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ann.PhaseNet_N.sac", "ann.PhaseNet_P.sac", "ann.PhaseNet_S.sac"]
    printed = capsys.readouterr().out
    for name in names:
        assert f"wrote 1 trace to {tmp_path / name}" in printed
        (tr,) = obspy.read(str(tmp_path / name))
        label = name.split("_")[1][0]
        assert (tr.id, tr.stats.sac.kuser0, tr.stats.sac.kuser1) == (f"BW.RJOB..EH{label}", "PhaseNet", label)
    expected = zoo.annotate(phasenet, obspy.read()).select(channel="PhaseNet_P")[0]
    np.testing.assert_array_equal(obspy.read(str(tmp_path / "ann.PhaseNet_P.sac"))[0].data, expected.data)


def test_existing_targets_stop_the_run_before_anything_is_written(tmp_path, capsys):
    precious = tmp_path / "ann.PhaseNet_S.sac"
    precious.write_text("precious")
    assert main(["annotate", "--example", "--output", str(tmp_path / "ann.sac")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ann.PhaseNet_S.sac exists; add --overwrite" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ann.PhaseNet_S.sac"]
    assert precious.read_text() == "precious"
    assert main(["annotate", "--example", "--output", str(tmp_path / "ann.sac"), "--overwrite"]) == 0
    assert obspy.read(str(precious))[0].stats.channel == "EHS"


def test_several_instruments_and_segments_get_distinct_names(phasenet, tmp_path):
    with pytest.warns(UserWarning, match="zero-padded"):
        ann = zoo.annotate(phasenet, _two_instruments_with_a_gap())
    files = plan(ann, tmp_path / "ann.sac", "PhaseNet")
    names = [p.name for p, _ in files]
    assert len(names) == len(ann) == 9
    assert "ann.BW.RJOB..EH.PhaseNet_P.sac" in names
    assert "ann.BW.RJOB..HH.PhaseNet_P.20090824T002003Z.sac" in names
    assert "ann.BW.RJOB..HH.PhaseNet_P.20090824T002035Z.sac" in names
    write(files, "SAC")
    back = obspy.read(str(tmp_path / "ann.BW.RJOB..HH.PhaseNet_P.20090824T002035Z.sac"))[0]
    assert back.id == "BW.RJOB..HHP" and back.stats.starttime == obspy.UTCDateTime("2009-08-24T00:20:35")
    with pytest.raises(FileExistsError, match="9 of 9 files"):
        write(files, "SAC")


def test_miniseed_channels_name_instrument_and_label(phasenet, tmp_path):
    with pytest.warns(UserWarning, match="zero-padded"):
        ann = zoo.annotate(phasenet, _two_instruments_with_a_gap())
    (files,) = plan(ann, tmp_path / "ann.mseed", "PhaseNet")
    write([files], "MSEED")
    back = obspy.read(str(tmp_path / "ann.mseed"))
    assert sorted({tr.id for tr in back}) == [f"BW.RJOB..{i}{x}" for i in ("EH", "HH") for x in "NPS"]
    assert len(back.select(id="BW.RJOB..HHP")) == 2


def test_format_comes_from_the_ending_and_unwritable_endings_fail_first(tmp_path, capsys):
    assert (output_format("a.ms"), output_format("a.MiniSEED"), output_format("a.sacxy")) == (
        "MSEED",
    ) * 2 + ("SACXY",)
    for name in ("ann.txt", "ann.q", "ann.gse2", "ann.wav"):
        assert main(["annotate", "/nonexistent.mseed", "--output", str(tmp_path / name)]) == 2
        assert capsys.readouterr().err.startswith("zoo: error: Cannot")


@pytest.mark.parametrize("fmt", sorted(set(ENTRY_POINTS["waveform_write"]) - set(UNSUPPORTED_FORMATS)))
def test_one_trace_per_file_lists_exactly_the_obspy_writers_that_split(fmt, tmp_path):
    """Writing two traces makes two files exactly for the formats in ONE_TRACE_PER_FILE."""
    st = obspy.Stream(
        [
            obspy.Trace(
                np.linspace(0, 1, 200, dtype=np.float32), {"channel": f"EH{c}", "sampling_rate": 100.0}
            )
            for c in "PS"
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SEGY: "CREATING TRACE HEADER"
        st.write(str(tmp_path / f"x.{fmt.lower()}"), format=fmt)
    assert (len(list(tmp_path.iterdir())) == 2) == (fmt in ONE_TRACE_PER_FILE)
