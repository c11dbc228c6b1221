"""Streams to segments: grouping by instrument, resampling, gaps, components, competing traces, bad input."""

import warnings

import numpy as np
import obspy
import pytest

import zoo
from zoo.waveforms.segments import segments


def test_integer_counts_give_the_same_result_as_floats(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    counts = np.round(data * 1000).astype(np.int32)
    a = zoo.annotate(phasenet, stream_of(counts))
    b = zoo.annotate(phasenet, stream_of(counts.astype(np.float64)))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.data, y.data)


def test_other_sampling_rates_are_resampled(phasenet, ncedc_record, stream_of):
    data, row = ncedc_record
    halved = stream_of(data).resample(50.0)
    ann = zoo.annotate(phasenet, halved)
    assert {tr.stats.sampling_rate for tr in ann} == {100.0}
    p = ann.select(channel="PhaseNet_P")[0]
    assert abs(int(np.argmax(p.data)) - row.itp) <= 10


def test_several_stations_are_annotated_separately(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data, station="AAA") + stream_of(np.roll(data, 500, axis=0), station="BBB")
    ann = zoo.annotate(phasenet, st)
    a = ann.select(station="AAA", channel="PhaseNet_P")[0].data
    b = ann.select(station="BBB", channel="PhaseNet_P")[0].data
    assert np.argmax(b) - np.argmax(a) == pytest.approx(500, abs=5)


def test_one_two_z_components_equal_n_e_z(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    enz = zoo.annotate(phasenet, stream_of(data, components="ENZ"))
    z12 = zoo.annotate(phasenet, stream_of(data, components="21Z"))
    for x, y in zip(enz, z12):
        np.testing.assert_array_equal(x.data, y.data)


def test_gap_splits_the_annotation_into_segments(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data)
    first = st.slice(obspy.UTCDateTime(0), obspy.UTCDateTime(40))
    second = st.slice(obspy.UTCDateTime(50), obspy.UTCDateTime(90))
    ann = zoo.annotate(phasenet, first + second)
    p = ann.select(channel="PhaseNet_P")
    assert len(p) == 2
    assert p[0].stats.endtime == obspy.UTCDateTime(40)
    assert p[1].stats.starttime == obspy.UTCDateTime(50)


def test_masked_and_nan_samples_end_segments(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data)
    st.merge()
    st[0].data = np.ma.masked_array(st[0].data, mask=np.zeros(len(st[0].data), bool))
    st[0].data.mask[4000:4100] = True
    st[1].data[6000] = np.nan
    ann = zoo.annotate(phasenet, st).select(channel="PhaseNet_S")
    assert [tr.stats.npts for tr in ann] == [4000, 1900, 3000]


def test_missing_component_is_zero_filled_with_a_warning(phasenet, ncedc_record, stream_of):
    data, row = ncedc_record
    st = stream_of(data[:, 2:], components="Z")
    with pytest.warns(UserWarning, match="no E/N component; filling it with zeros"):
        ann = zoo.annotate(phasenet, st)
    assert abs(int(np.argmax(ann.select(channel="PhaseNet_P")[0].data)) - row.itp) <= 20


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (lambda st: obspy.Stream(), ValueError, "empty"),
        (
            lambda st: [setattr(tr, "data", np.full(tr.stats.npts, np.nan)) for tr in st] and st,
            ValueError,
            "no finite",
        ),
        (
            lambda st: [setattr(tr, "data", np.full(tr.stats.npts, np.inf)) for tr in st] and st,
            ValueError,
            "no finite",
        ),
        (lambda st: st.trim(st[0].stats.starttime, st[0].stats.starttime + 10), ValueError, "long enough"),
        (
            lambda st: [setattr(tr.stats, "channel", "HH" + c) for tr, c in zip(st, "XYW")] and st,
            ValueError,
            "component",
        ),
        (lambda st: setattr(st[0].stats, "sampling_rate", 0.0) or st, ValueError, "sampling rate 0.0 Hz"),
        (lambda st: setattr(st[0].stats, "sampling_rate", -100.0) or st, ValueError, "positive"),
        (
            lambda st: [setattr(tr, "data", tr.data.astype(str)) for tr in st] and st,
            TypeError,
            "real numbers",
        ),
        (lambda st: "not a stream", TypeError, "obspy.Stream"),
    ],
)
def test_bad_input_gets_a_clear_error(phasenet, ncedc_record, stream_of, mutate, error, message):
    data, _ = ncedc_record
    with pytest.raises(error, match=message):
        zoo.annotate(phasenet, mutate(stream_of(data)))


def test_unknown_components_are_dropped_with_a_warning(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data) + stream_of(data[:, :1], components="X")
    with pytest.warns(UserWarning, match="unknown component codes: XX.TEST..HHX"):
        zoo.annotate(phasenet, st)


def test_segments_align_components_with_different_coverage(ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data)
    st[2].trim(st[2].stats.starttime + 1.0, st[2].stats.endtime - 2.0)
    (seg,) = segments(st, zoo.card("phasenet").waveform)
    assert seg.starttime == obspy.UTCDateTime(1.0) and len(seg.data) == 9001 - 300
    np.testing.assert_array_equal(seg.data[:, 2], data[100:-200, 2].astype(np.float32))


def _renamed(st, instrument="HH", codes=None):
    """A copy of ``st`` with channel codes ``<instrument><component>`` (components renamed by ``codes``)."""
    out = st.copy()
    for tr in out:
        component = tr.stats.channel[-1]
        tr.stats.channel = instrument + (codes or {}).get(component, component)
    return out


def test_two_instruments_at_one_station_keep_their_instrument(phasenet):
    eh = obspy.read()
    hh = _renamed(eh)
    for tr in hh:
        tr.data = tr.data[::-1].copy()
    ann = zoo.annotate(phasenet, eh + hh)
    assert sorted((tr.stats.instrument, tr.stats.channel) for tr in ann) == [
        (i, f"PhaseNet_{x}") for i in ("EH", "HH") for x in "NPS"
    ]
    for tr in ann:
        i = tr.stats.instrument
        assert tr.stats.source_channels == {"Z": f"{i}Z", "N": f"{i}N", "E": f"{i}E"}
    alone = zoo.annotate(phasenet, hh).select(channel="PhaseNet_P")[0].data
    hh_p = [tr for tr in ann.select(channel="PhaseNet_P") if tr.stats.instrument == "HH"][0]
    np.testing.assert_allclose(hh_p.data, alone, atol=1e-6)


def test_segments_name_the_instrument_and_its_channels():
    st = _renamed(obspy.read(), "HH", {"N": "1", "E": "2"})
    (seg,) = segments(st, zoo.card("phasenet").waveform)
    assert seg.trace_id == "BW.RJOB..HH"
    assert seg.channels == {"E": "HH2", "N": "HH1", "Z": "HHZ"}
    with pytest.warns(UserWarning, match="BW.RJOB..HH has no E/N component"):
        (seg,) = segments(st.select(channel="HHZ"), zoo.card("phasenet").waveform)
    assert seg.channels == {"Z": "HHZ"}


def test_n_e_codes_win_over_1_2_at_one_instrument_with_a_warning(phasenet):
    st = obspy.read()
    competing = _renamed(st.select(component="N") + st.select(component="E"), "EH", {"N": "2", "E": "1"})
    with pytest.warns(UserWarning, match=r"EH1 and EHN for the N component; using EHN \(Z/N/E is preferred"):
        ann = zoo.annotate(phasenet, st + competing)
    for tr, expected in zip(ann, zoo.annotate(phasenet, st)):
        np.testing.assert_array_equal(tr.data, expected.data)


def test_conflicting_overlap_keeps_the_first_trace_with_a_warning(phasenet):
    st = obspy.read()
    z = st.select(component="Z")[0]
    later = z.slice(z.stats.starttime + 10, z.stats.starttime + 20).copy()
    later.data = later.data * 3
    with pytest.warns(
        UserWarning, match=r"BW.RJOB..EHZ overlaps an earlier trace .* from 2009-08-24T00:20:13"
    ):
        ann = zoo.annotate(phasenet, st + later)
    for tr, expected in zip(ann, zoo.annotate(phasenet, st)):
        np.testing.assert_array_equal(tr.data, expected.data)


def test_identical_overlapping_duplicates_merge_silently(phasenet):
    st = obspy.read()
    z = st.select(component="Z")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ann = zoo.annotate(phasenet, st + z.slice(z.stats.starttime + 5, z.stats.starttime + 25).copy())
    for tr, expected in zip(ann, zoo.annotate(phasenet, st)):
        np.testing.assert_array_equal(tr.data, expected.data)


def test_samples_beyond_float32_become_a_gap_with_a_warning(phasenet):
    huge, gap = obspy.read(), obspy.read()
    for st, value in ((huge, 1e39), (gap, np.nan)):
        st[0].data = st[0].data.astype(np.float64)
        st[0].data[1400:1410] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(UserWarning, match=r"BW.RJOB..EHZ has 10 samples beyond float32's range"):
            ann = zoo.annotate(phasenet, huge)
    with pytest.warns(UserWarning, match="zero-padded"):
        expected = zoo.annotate(phasenet, gap)
    assert [tr.stats.starttime - huge[0].stats.starttime for tr in ann] == [14.1] * 3
    for tr, ref in zip(ann, expected):
        np.testing.assert_array_equal(tr.data, ref.data)
