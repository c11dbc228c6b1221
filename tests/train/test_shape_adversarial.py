"""Shape-adversarial (BlueDisc) training: both networks learn, the losses are what the paper says,
the trained picker round-trips as a preset folder, and the S-peak diagnostics record and plot."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.train.shape_adversarial import ShapeAdversarial, paper_adam
from zoo.train.shape_history import (
    ShapeHistory,
    is_effective,
    label_samples,
    match_peak,
    monitor_batch,
    s_peaks,
)

LAMBDA = 4000.0


def _batch(n=3, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "waveform": rng.normal(size=(n, 3000, 3)).astype("float32"),
        "trace_name": np.array([f"t{i}" for i in range(n)]),
        "trace_p_arrival_sample": np.array([500.0, 800.0, 650.0][:n], "float32"),
        "trace_s_arrival_sample": np.array([900.0, np.nan, 1200.0][:n], "float32"),
    }


def _values(variables):
    return [np.array(v.numpy()) for v in variables]


def _changed(before, variables):
    return any(not np.array_equal(b, v.numpy()) for b, v in zip(before, variables, strict=True))


def _small_phasenet():
    """A random PhaseNet with 2 resolution levels instead of 5 (card, window and labels unchanged).

    The tests using it check the adversarial training machinery (which network each update moves, the
    losses against a hand computation from the same curves, the S-peak history, the preset round trip,
    resuming both optimizers); none depends on the depth of the U-Net, and tracing the train step of
    the smaller net is several times cheaper.
    """
    return zoo.load("phasenet", pretrained=False, depths=2)


def _trainer(**kw):
    keras.utils.set_random_seed(0)
    return ShapeAdversarial(_small_phasenet(), seed=0, **kw)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """One ``fit`` step of a random PhaseNet with the ShapeHistory callback; weights before and after."""
    trainer = _trainer(lambda_data=LAMBDA)
    trainer.compile()
    batch = _batch()
    picker_before = _values(trainer.picker.trainable_variables)
    disc_before = _values(trainer.discriminator.trainable_variables)
    x, y = trainer.prepare(batch, training=False)
    start_amplitude, start_error = s_peaks(trainer.curves(x, training=False).numpy(), y.numpy(), 1)
    png = tmp_path_factory.mktemp("history") / "history.png"
    history_cb = ShapeHistory(batch, every=1, path=png)
    history = trainer.fit(
        tf.data.Dataset.from_tensors(batch).repeat(),
        steps_per_epoch=1,
        epochs=1,
        callbacks=[history_cb],
        shuffle=False,
        verbose=0,
    )
    return {
        "trainer": trainer,
        "batch": batch,
        "history": history.history,
        "callback": history_cb,
        "png": png,
        "picker_before": picker_before,
        "disc_before": disc_before,
        "start": (start_amplitude, start_error),
    }


def test_one_fit_step_changes_both_networks(fitted):
    trainer = fitted["trainer"]
    assert _changed(fitted["picker_before"], trainer.picker.trainable_variables)
    assert _changed(fitted["disc_before"], trainer.discriminator.trainable_variables)
    logs = fitted["history"]
    assert {"loss", "g_loss", "adv_loss", "data_loss", "d_loss", "d_real", "d_fake"} <= set(logs)
    expected = logs["adv_loss"][0] + LAMBDA * logs["data_loss"][0]
    assert logs["g_loss"][0] == pytest.approx(expected, rel=1e-5)
    assert logs["loss"][0] == pytest.approx(logs["data_loss"][0])


@pytest.mark.parametrize("frozen", ["discriminator", "picker"])
def test_each_update_moves_only_its_own_network(frozen):
    trainer = _trainer()
    still, moving = keras.optimizers.Adam(0.0), paper_adam()
    if frozen == "discriminator":
        trainer.compile(optimizer=moving, discriminator_optimizer=still)
        fixed, free = trainer.discriminator, trainer.picker
    else:
        trainer.compile(optimizer=still, discriminator_optimizer=moving)
        fixed, free = trainer.picker, trainer.discriminator
    fixed_before, free_before = _values(fixed.trainable_variables), _values(free.trainable_variables)
    trainer.train_step(_batch())
    assert not _changed(fixed_before, fixed.trainable_variables)
    assert _changed(free_before, free.trainable_variables)


def test_losses_match_a_hand_computation():
    """Picker frozen (lr 0) so its curves are fixed; the discriminator learns, so the adversarial loss
    must use the discriminator after its update."""
    trainer = _trainer(lambda_data=LAMBDA)
    trainer.compile(optimizer=keras.optimizers.Adam(0.0), discriminator_optimizer=paper_adam())
    batch = _batch()
    x, y = (t.numpy() for t in trainer.prepare(batch, training=False))
    curves = trainer.curves(x, training=True).numpy()  # batch-norm batch statistics, as in training
    softplus = lambda z: np.logaddexp(0.0, np.asarray(z, float))  # noqa: E731
    real = trainer.discriminator([y, x], training=True).numpy()
    fake = trainer.discriminator([curves, x], training=True).numpy()
    d_expected = 0.5 * (softplus(-real).mean() + softplus(fake).mean())

    logs = {k: float(v) for k, v in trainer.train_step(batch).items()}

    p = np.clip(curves.astype(float), 1e-7, 1 - 1e-7)
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    adv_after = softplus(-trainer.discriminator([curves, x], training=True).numpy()).mean()
    assert logs["d_loss"] == pytest.approx(d_expected, rel=1e-4)
    assert logs["data_loss"] == pytest.approx(bce, rel=1e-4)
    assert logs["adv_loss"] == pytest.approx(adv_after, rel=1e-4)
    assert logs["adv_loss"] != pytest.approx(softplus(-fake).mean(), rel=1e-4)  # not the stale D
    assert logs["g_loss"] == pytest.approx(adv_after + LAMBDA * bce, rel=1e-4)


def test_default_optimizers_are_the_papers():
    trainer = ShapeAdversarial(zoo.load("phasenet", pretrained=False), discriminator_learning_rate=2e-4)
    trainer.compile()
    for optimizer, rate in ((trainer.optimizer, 1e-3), (trainer.discriminator_optimizer, 2e-4)):
        assert float(optimizer.beta_1) == 0.0 and float(optimizer.beta_2) == pytest.approx(0.999)
        assert float(optimizer.learning_rate) == pytest.approx(rate)


def test_eqtransformer_heads_train_against_a_discriminator_that_follows_the_card():
    keras.utils.set_random_seed(0)
    trainer = ShapeAdversarial(zoo.load("eqtransformer", pretrained=False), lambda_data=LAMBDA)
    card = zoo.card("eqtransformer")
    assert card.annotation.labels == ("Detection", "P", "S")
    assert trainer.discriminator.input_shape == [
        (None, card.waveform.samples, len(card.annotation.labels)),
        (None, card.waveform.samples, len(card.waveform.components)),
    ]
    trainer.compile()
    batch = {**_batch(2), "waveform": np.random.default_rng(1).normal(size=(2, 6000, 3)).astype("float32")}
    picker_before = _values(trainer.picker.trainable_variables)
    disc_before = _values(trainer.discriminator.trainable_variables)
    logs = {k: float(v) for k, v in trainer.train_step(batch).items()}
    assert logs["g_loss"] == pytest.approx(logs["adv_loss"] + LAMBDA * logs["data_loss"], rel=1e-5)
    assert _changed(picker_before, trainer.picker.trainable_variables)
    assert _changed(disc_before, trainer.discriminator.trainable_variables)


def test_bad_arguments():
    picker = zoo.load("phasenet", pretrained=False)
    with pytest.raises(ValueError, match="lambda_data"):
        ShapeAdversarial(picker, lambda_data=-1.0)
    with pytest.raises(ValueError, match="discriminator_learning_rate"):
        ShapeAdversarial(picker, discriminator_learning_rate=0.0)
    with pytest.raises(TypeError, match="discriminator"):
        ShapeAdversarial(picker, discriminator="bluedisc")
    with pytest.raises(ValueError, match="compile"):
        ShapeAdversarial(picker).train_step(_batch())


def test_trained_picker_round_trips_as_a_preset_folder(fitted, tmp_path):
    picker = fitted["trainer"].picker
    path = zoo.save_preset(picker, tmp_path / "gan-phasenet", metadata={"recipe": "shape-adversarial"})
    again = zoo.load(str(path))
    x = fitted["trainer"].prepare(fitted["batch"], training=False)[0]
    np.testing.assert_allclose(again(x, training=False).numpy(), picker(x, training=False).numpy(), atol=1e-6)


def test_history_records_s_peaks_every_step_and_writes_png(fitted):
    callback = fitted["callback"]
    assert callback.steps.tolist() == [0, 1]
    assert callback.amplitude.shape == (2, 3) and callback.error.shape == (2, 3)
    assert np.isnan(callback.amplitude[:, 1]).all()  # window 1 has no S
    start_amplitude, start_error = fitted["start"]
    np.testing.assert_allclose(callback.amplitude[0], start_amplitude, atol=1e-6)
    np.testing.assert_allclose(callback.error[0], start_error)
    assert fitted["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_match_peak_and_effective_detection():
    t = np.arange(1000.0)
    curve = 0.9 * np.exp(-((t - 508) ** 2) / 200) + 0.5 * np.exp(-((t - 800) ** 2) / 200)
    assert match_peak(curve, 500.0) == (pytest.approx(0.9), 8.0)
    assert match_peak(curve, 780.0) == (pytest.approx(0.5), 20.0)
    far = match_peak(curve, 200.0, max_distance=100)
    assert far[0] == 0.0 and np.isnan(far[1])
    assert is_effective([0.9, 0.69, 0.9, 0.0], [8.0, 0.0, 11.0, np.nan]).tolist() == [
        True,
        False,
        False,
        False,
    ]
    labels = np.zeros((2, 1000, 2))
    labels[0, :, 1] = np.exp(-((t - 500) ** 2) / 200)
    amplitude, error = s_peaks(np.stack([np.stack([curve, curve], -1)] * 2), labels, channel=1)
    assert amplitude[0] == pytest.approx(0.9) and error[0] == 8.0
    assert np.isnan(amplitude[1]) and np.isnan(error[1])
    assert label_samples(labels, 1)[0] == 500.0


def test_history_rejects_bad_interval():
    with pytest.raises(ValueError, match="every"):
        ShapeHistory(_batch(), every=0)


def test_monitor_batch_cuts_fixed_windows_with_the_arrivals_inside():
    records = tf.data.Dataset.from_tensor_slices(
        {
            "waveform": np.zeros((5, 6000, 3), "float32"),
            "trace_name": np.array([f"r{i}" for i in range(5)]),
            "trace_p_arrival_sample": np.full(5, 1000.0, "float32"),
            "trace_s_arrival_sample": np.full(5, 2500.0, "float32"),
        }
    )
    card = zoo.card("phasenet")
    first, again = monitor_batch(records, card, size=4), monitor_batch(records, card, size=4)
    assert first["waveform"].shape == (4, 3000, 3)
    np.testing.assert_array_equal(first["trace_p_arrival_sample"], again["trace_p_arrival_sample"])
    s_minus_p = first["trace_s_arrival_sample"] - first["trace_p_arrival_sample"]
    assert np.all(s_minus_p == 1500.0) and np.all(first["trace_s_arrival_sample"] < 3000)


def test_resuming_a_run_restores_both_optimizers(shared, tmp_path):
    import zoo.data
    from zoo.train import fit

    seen = []
    spy = keras.callbacks.LambdaCallback(
        on_train_end=lambda logs: seen.append(
            (int(spy.model.optimizer.iterations), int(spy.model.discriminator_optimizer.iterations))
        )
    )
    records = zoo.data.open_dataset(shared / "data/stead50", split="train").take(4)
    for epochs in (1, 2):
        fit(
            _small_phasenet(),
            records,
            records,
            epochs=epochs,
            steps_per_epoch=1,
            batch_size=2,
            out=tmp_path / "gan",
            resume=True,
            trainer=ShapeAdversarial,
            callbacks=[spy],
            verbose=0,
        )
    assert seen == [(1, 1), (2, 2)]
