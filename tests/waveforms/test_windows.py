"""Window starts, short segments, batches that span segments."""

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

import zoo
from zoo.waveforms.segments import Segment
from zoo.waveforms.windows import fit_segments, segment_starts, window_starts


def test_window_starts_cover_the_segment():
    starts = window_starts(9001, 3000, 1500)
    assert starts.tolist() == [0, 1500, 3000, 4500, 6000, 6001]
    assert window_starts(3000, 3000, 1500).tolist() == [0]
    assert window_starts(1000, 400, 10, align=10).tolist()[-1] == 600


def test_a_fractional_output_step_does_not_align_the_last_window():
    """With a fractional output step the last window ends exactly at the segment's end (SeisBench)."""
    annotation = dataclasses.replace(zoo.card("cred").annotation, output_step=Fraction(3000, 19))
    segs = [Segment("XX.A..HH", None, np.zeros((n, 3), np.float32)) for n in (6000, 29_321)]
    starts = segment_starts(segs, 3000, annotation, 1500, 1)
    assert starts[0].tolist() == [0, 1500, 3000]
    assert starts[1].tolist() == [*range(0, 25_501, 1500), 26_321]
    assert segment_starts(segs, 6000, zoo.card("cred").annotation, 2960, 1)[1][-1] == 23_200  # 160-aligned


def test_short_segments_are_skipped_instead_of_padded_on_request():
    segs = [Segment("XX.A..HH", None, np.zeros((n, 3), np.float32)) for n in (2999, 3000)]
    with pytest.warns(UserWarning, match="2999 samples, shorter than the 3000-sample window; skipped"):
        assert [n for _, n in fit_segments(segs, 3000, pad=False)] == [3000]
    with pytest.warns(UserWarning, match="zero-padded"):
        assert [n for _, n in fit_segments(segs, 3000)] == [2999, 3000]
    with pytest.raises(ValueError, match="at least 3000 samples"), pytest.warns(UserWarning):
        fit_segments(segs[:1], 3000, pad=False)


def test_short_segment_is_padded_with_a_warning(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    with pytest.warns(UserWarning, match="zero-padded"):
        ann = zoo.annotate(phasenet, stream_of(data[2000:4000]))
    assert {tr.stats.npts for tr in ann} == {2000}


def test_batches_across_segments_equal_one_segment_at_a_time(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data, station="AAA") + stream_of(data[::-1].copy(), station="BBB")
    together = zoo.annotate(phasenet, st, batch_size=5)
    alone = zoo.annotate(phasenet, st.select(station="BBB"), batch_size=64)
    for tr in alone:
        np.testing.assert_allclose(together.select(id=tr.id)[0].data, tr.data, atol=1e-6)
