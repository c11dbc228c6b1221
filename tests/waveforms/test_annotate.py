"""zoo.annotate: outputs against direct prediction and labelled arrivals, options, test-time augmentation."""

import numpy as np
import obspy
import pytest

import zoo


def test_single_window_equals_direct_prediction(phasenet, shared, stream_of):
    ref = np.load(shared / "reference" / "phasenet_original_stead50.npz")
    ann = zoo.annotate(phasenet, stream_of(ref["raw"][0].astype(np.float64)))
    for label, column in (("P", 1), ("S", 2), ("N", 0)):
        trace = ann.select(channel=f"PhaseNet_{label}")[0]
        assert np.abs(trace.data - ref["y"][0, :, 0, column]).max() <= 1e-4


def test_output_keeps_ids_start_time_and_length(phasenet, ncedc_record, stream_of):
    data, _ = ncedc_record
    st = stream_of(data, station="ABC", network="NC", location="00", starttime="2020-01-01T00:00:01.5")
    ann = zoo.annotate(phasenet, st)
    assert sorted(tr.id for tr in ann) == [f"NC.ABC.00.PhaseNet_{x}" for x in "NPS"]
    for tr in ann:
        assert tr.stats.starttime == obspy.UTCDateTime("2020-01-01T00:00:01.5")
        assert tr.stats.npts == 9001 and tr.data.dtype == np.float32
    total = sum(tr.data for tr in ann)
    np.testing.assert_allclose(total, 1.0, atol=1e-5)
    owners = {id(tr.data.base) for tr in ann}  # the stacked curves themselves: no copy per trace
    assert len(owners) == 1 and all(tr.data.flags.c_contiguous and tr.data.base is not None for tr in ann)


def test_long_record_picks_the_labelled_arrivals(phasenet, ncedc_record, stream_of):
    data, row = ncedc_record
    picks = zoo.classify(phasenet, stream_of(data))
    t0 = obspy.UTCDateTime(0)
    for phase, sample in (("P", row.itp), ("S", row.its)):
        errors = [abs((p.time - t0) * 100 - sample) for p in picks if p.phase == phase]
        assert min(errors) <= 10


@pytest.mark.parametrize("option", [{"batch_size": 0}, {"overlap": 3000}, {"overlap": -1}, {"mc_samples": 3}])
def test_bad_options_are_rejected(phasenet, ncedc_record, stream_of, option):
    with pytest.raises(ValueError):
        zoo.annotate(phasenet, stream_of(ncedc_record[0]), **option)


def test_test_time_augmentation_averages_filtered_windows(phasenet, ncedc_record, stream_of):
    from zoo.augment import tta_predict

    window = ncedc_record[0][:3000].astype(np.float32)
    card = phasenet.zoo_card
    options = {"filters": [None, (1.0, None)], "shifts": [0.0, 0.5]}
    ann = zoo.annotate(phasenet, stream_of(window), tta=options)

    def predict(w):
        return card.annotation.postprocess(phasenet(card.waveform.normalize(w), training=False))

    expected = tta_predict(predict, window[None], sampling_rate=100.0, **options)
    for i, label in enumerate(card.annotation.labels):
        np.testing.assert_allclose(
            ann.select(channel=f"PhaseNet_{label}")[0].data, expected[0, :, i], atol=1e-5
        )
    plain = zoo.annotate(phasenet, stream_of(window), tta={"filters": [None]})
    np.testing.assert_allclose(plain[0].data, zoo.annotate(phasenet, stream_of(window))[0].data, atol=1e-6)


@pytest.mark.parametrize(("tta", "error"), [({"filter": [None]}, TypeError), ("high-pass", TypeError)])
def test_bad_tta_options_are_rejected(phasenet, ncedc_record, stream_of, tta, error):
    with pytest.raises(error, match="tta"):
        zoo.annotate(phasenet, stream_of(ncedc_record[0]), tta=tta)
