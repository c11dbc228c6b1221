"""zoo.train.fit: fine-tuning PhaseNet on the real NCEDC records, preset folders, freezing, resuming."""

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import zoo
from zoo.train.fit import fit
from zoo.train.supervised import PickerTrainer
from zoo.train.windows import cut_windows


@pytest.fixture(scope="module")
def ncedc(shared):
    """The 77 NCEDC training records (9001 samples, P at 3000) as (train 60, validation 17) datasets."""
    table = pd.read_csv(shared / "data/ncedc/labels.csv")
    waveforms = np.stack(
        [np.load(shared / "data/ncedc/train" / name)["data"].astype("float32") for name in table["fname"]]
    )

    def records(rows):
        return tf.data.Dataset.from_tensor_slices(
            {
                "waveform": waveforms[rows],
                "trace_name": table["fname"].to_numpy()[rows],
                "trace_p_arrival_sample": table["itp"].to_numpy("float32")[rows],
                "trace_s_arrival_sample": table["its"].to_numpy("float32")[rows],
            }
        )

    return records(slice(0, 60)), records(slice(60, None))


def small_phasenet():
    """A random PhaseNet with 2 resolution levels instead of 5 (the card, window and labels unchanged).

    What the tests using it check is fit's machinery (resuming, freezing, strategies, mixed precision,
    early stopping), which does not depend on the depth of the U-Net; tracing the train step, which is
    most of a short fit's time, is about 3 times cheaper for 21 trainable variables than for 57.
    """
    return zoo.load("phasenet", pretrained=False, depths=2)


def test_two_epoch_fine_tune_lowers_validation_loss_and_round_trips_as_a_preset(ncedc, tmp_path):
    train, val = ncedc
    model = zoo.load("phasenet")
    before = PickerTrainer(model)
    before.compile()
    windows = cut_windows(val, 3000, sampling_rate=100.0, training=False).batch(8)
    loss_before = before.evaluate(windows, return_dict=True, verbose=0)["loss"]
    out = tmp_path / "ft"
    history = fit(
        model, train, val, epochs=2, batch_size=8, learning_rate=3e-4, warmup_steps=4, out=out, verbose=0
    )
    assert history.history["val_loss"][-1] < loss_before
    metadata = zoo.preset_folder.read_metadata(out)
    scores = list(zip(history.history["val_pick_f1"], -np.array(history.history["val_loss"])))
    best = scores.index(max(scores))  # best F1, ties to the lower validation loss
    assert metadata["epoch"] == best + 1 and metadata["parent_preset"] == "original"
    assert metadata["scores"]["val_pick_f1"] == pytest.approx(history.history["val_pick_f1"][best])
    assert (out / "training" / "history.csv").is_file() and any((out / "training" / "logs").iterdir())
    again = zoo.load(str(out))
    assert again.zoo_card.name == "phasenet" and again.zoo_preset == str(out)
    if best == 1:
        x = next(iter(windows))["waveform"]
        np.testing.assert_array_equal(again(x, training=False), model(x, training=False))


def test_a_finished_run_is_not_overwritten_and_resume_continues_it(ncedc, tmp_path):
    """On a small PhaseNet (see small_phasenet): the run folder and its resume do not depend on the net."""
    train, val = ncedc
    model = small_phasenet()
    kw = dict(batch_size=4, steps_per_epoch=2, out=tmp_path / "run", verbose=0)
    fit(model, train.take(8), val.take(4), epochs=1, **kw)
    with pytest.raises(ValueError, match="resume"):
        fit(model, train.take(8), val.take(4), epochs=2, **kw)
    history = fit(model, train.take(8), val.take(4), epochs=2, resume=True, **kw)
    assert len(history.history["loss"]) == 1
    assert len(pd.read_csv(tmp_path / "run" / "training" / "history.csv")) == 2


def test_frozen_encoder_keeps_its_weights_and_is_trainable_again_afterwards(ncedc):
    """On a small PhaseNet (see small_phasenet): the card's encoder group (``input_``/``down_`` layers)
    and decoder group (``up_``/``output_`` layers) exist at every depth; a strided encoder convolution
    and a decoder convolution are checked, as on the full network."""
    train, _ = ncedc
    model = small_phasenet()
    encoder, decoder = model.get_layer("down_conv3_1"), model.get_layer("up_conv1_1")
    e0, d0 = encoder.get_weights()[0].copy(), decoder.get_weights()[0].copy()
    fit(model, train.take(8), epochs=1, batch_size=4, freeze="encoder", verbose=0)
    np.testing.assert_array_equal(encoder.get_weights()[0], e0)
    assert not np.array_equal(decoder.get_weights()[0], d0)
    assert encoder.trainable and decoder.trainable
    with pytest.raises(ValueError, match="matches no layer"):
        fit(model, train.take(4), epochs=1, batch_size=4, freeze="nothing_like_this", verbose=0)
    with pytest.raises(ValueError, match="bogus"):
        fit(
            model,
            train.take(4),
            epochs=1,
            batch_size=4,
            freeze="encoder",
            trainer_options={"bogus": 1},
            verbose=0,
        )
    assert encoder.trainable and all(layer.trainable for layer in model.layers)


def test_a_distribution_strategy_trains_a_copy_and_hands_back_the_weights(ncedc):
    """On a small PhaseNet (see small_phasenet): the copy under the strategy is built from the card and
    the model's configuration whatever its depth."""
    train, _ = ncedc
    model = small_phasenet()
    w0 = model.get_layer("output_conv").get_weights()[0].copy()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    history = fit(model, train.take(4), epochs=1, batch_size=4, strategy=strategy, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert not np.array_equal(model.get_layer("output_conv").get_weights()[0], w0)


def test_models_without_sample_wise_curves_are_refused(ncedc):
    train, _ = ncedc
    with pytest.raises(ValueError, match="sample-wise"):
        fit(zoo.load("gpd", pretrained=False), train, epochs=1)


def test_early_stopping_ends_a_run_without_progress(ncedc):
    """On a small PhaseNet (see small_phasenet): with a learning rate of 1e-12 no network gains."""
    train, val = ncedc
    model = small_phasenet()
    history = fit(
        model, train.take(4), val.take(4), epochs=6, batch_size=4, learning_rate=1e-12, patience=1, verbose=0
    )
    assert len(history.history["loss"]) == 2


def test_mixed_precision_trains_a_float16_copy_and_hands_back_float32_weights(ncedc):
    """On a small PhaseNet (see small_phasenet): the float16 copy is built from the card and the
    model's configuration whatever its depth."""
    train, _ = ncedc
    model = small_phasenet()
    w0 = model.get_layer("output_conv").get_weights()[0].copy()
    seen = []
    spy = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append(spy.model.picker.dtype_policy.name)
    )
    history = fit(
        model, train.take(2), epochs=1, batch_size=2, mixed_precision=True, callbacks=[spy], verbose=0
    )
    assert seen == ["mixed_float16"] and np.isfinite(history.history["loss"]).all()
    weights = model.get_layer("output_conv").get_weights()[0]
    assert weights.dtype == np.float32 and not np.array_equal(weights, w0)
    assert model.dtype_policy.name == "float32" and keras.config.dtype_policy().name == "float32"
