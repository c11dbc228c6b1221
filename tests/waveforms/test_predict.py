"""The compiled predict and its runner: the inference copy follows weight changes, one progress bar."""

import numpy as np

import zoo


def test_annotate_follows_weight_changes(ncedc_record, stream_of):
    """The cached fast inference copy is rebuilt when the model's weights change (e.g. fine-tuning)."""
    model = zoo.load("phasenet")
    st = stream_of(ncedc_record[0][:3000])
    before = zoo.annotate(model, st).select(channel="PhaseNet_P")[0].data
    bias = model.get_layer("output_conv").bias
    bias.assign(bias.numpy() + np.array([0.0, 2.0, 0.0], np.float32))
    after = zoo.annotate(model, st).select(channel="PhaseNet_P")[0].data
    expected = model.zoo_card.annotation.postprocess(
        model(model.zoo_card.waveform.normalize(ncedc_record[0][None, :3000]))
    ).numpy()
    assert after.mean() > 3 * before.mean()
    np.testing.assert_allclose(after, expected[0, :, 0], atol=1e-5)


def test_progress_bar_is_drawn_once_at_100_percent(phasenet, stream_of, capsys):
    noise = np.random.default_rng(0).normal(0, 1, (100 * 1800, 3))
    zoo.annotate(phasenet, stream_of(noise), batch_size=64)
    err = capsys.readouterr().err
    assert "PhaseNet annotate" in err and err.count("100%") == 1
