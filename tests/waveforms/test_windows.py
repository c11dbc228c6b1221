"""Window starts, short segments, batches that span segments."""

import numpy as np
import pytest

import zoo
from zoo.waveforms.windows import window_starts


def test_window_starts_cover_the_segment():
    starts = window_starts(9001, 3000, 1500)
    assert starts.tolist() == [0, 1500, 3000, 4500, 6000, 6001]
    assert window_starts(3000, 3000, 1500).tolist() == [0]
    assert window_starts(1000, 400, 10, align=10).tolist()[-1] == 600


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
