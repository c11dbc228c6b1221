"""The compiled predict and its runner: the inference copy follows weight changes, one progress bar."""

import numpy as np
import pytest

import zoo
from zoo.waveforms.predict import gathered_windows


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


def test_batches_are_padded_to_powers_of_two_for_the_compiled_normalisation():
    import tensorflow as tf

    from zoo.models.compiled_block import power_of_two_at_least

    counts = [1, 2, 3, 5, 127, 128, 129]
    assert [int(power_of_two_at_least(tf.constant(c))) for c in counts] == [1, 2, 4, 8, 128, 128, 256]


COMPILED = [
    name for name in zoo.list_models() if getattr(zoo.card(name).waveform, "compile_normalize", False)
]


def test_only_normalisations_xla_computes_alike_are_compiled():
    """PhaseNet's (float64 sums) is; a SeisBench PhaseNet file's float32 normalisation is not."""
    from zoo.weight_presets import Variant

    assert COMPILED == ["phasenet"]
    seisbench = zoo.card("phasenet").with_variant(Variant("seisbench", {"model_args": {}}))
    assert not seisbench.waveform.compile_normalize


@pytest.mark.parametrize("name", COMPILED)
def test_compiled_normalisation_equals_the_cards(name):
    """XLA's fused normalisation gives the card's numbers (offset + large dynamic range, a dead channel)."""
    from zoo.waveforms.predict import compiled_normalize

    waveform = zoo.card(name).waveform
    rng = np.random.default_rng(0)
    x = (rng.normal(0, 1, (3, waveform.samples, len(waveform.components))) * [1.0, 1e4, 3e5] + 2e6).astype(
        np.float32
    )
    x[1, :, 0] = 0.0
    np.testing.assert_allclose(
        compiled_normalize(waveform.normalize)(x).numpy(), waveform.normalize(x).numpy(), rtol=0, atol=1e-5
    )


def test_padding_windows_do_not_change_a_partial_batch(phasenet, ncedc_record):
    """Five windows (normalised as eight) give the same curves as each window alone."""
    from zoo.waveforms.predict import predict_function

    predict = predict_function(phasenet, phasenet.zoo_card)
    span = ncedc_record[0][: 3000 + 4 * 500].astype(np.float32)
    offsets = np.arange(5, dtype=np.int32) * 500
    together = predict(span, offsets).numpy()
    alone = np.concatenate([predict(span[o : o + 3000], np.zeros(1, np.int32)).numpy() for o in offsets])
    np.testing.assert_allclose(together, alone, atol=1e-6)


@pytest.mark.parametrize("window", [3000, 6000, 400, 7])
def test_windows_gathered_in_blocks_are_the_windows(window):
    """Regular starts (read in blocks of many samples), a segment's last window moved back to end at its
    end (smaller blocks) and starts with no common divisor: each window is the span's samples there."""
    rng = np.random.default_rng(window)
    span = rng.normal(size=(9 * window + 5, 3)).astype(np.float32)
    step = max(1, window // 2)
    regular = np.arange(0, 8 * window, step)
    for starts in (regular, np.append(regular, len(span) - window), rng.integers(0, 8 * window, 9)):
        starts = starts.astype(np.int32)
        expected = np.stack([span[s : s + window] for s in starts])
        np.testing.assert_array_equal(gathered_windows(span, starts, window).numpy(), expected)
