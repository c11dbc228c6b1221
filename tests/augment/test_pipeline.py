"""Pipeline and layer: seeds, probabilities, training flag; every op compiles with XLA and matches eager."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo.augment as aug
from zoo.augment import Pipeline
from zoo.augment.base import AUGMENTATIONS
from zoo.augment.pipeline import AugmentationLayer
from zoo.labels import phase_labels

T = 1000


def _batch(b: int = 4):
    x = tf.random.stateless_normal([b, T, 3], [1, 2])
    y = phase_labels(np.array([[100.0, 250.0], [150.0, 300.0], [200.0, 420.0], [120.0, 200.0]])[:b], T)
    return x, tf.constant(y)


OPS = {
    "shift": dict(max_shift=2.0),
    "superpose": {},
    "add_noise": dict(snr_db=(0.0, 10.0)),
    "false_positive": dict(gap_value="constant"),
    "channel_dropout": {},
    "random_resample": dict(method="polyphase"),
    "clip_pair": {},
    "denoise_pair": dict(target="mask"),
    "random_bandpass": {},
    "polarity_flip": {},
    "rotate_horizontals": {},
    "time_stretch": {},
    "zero_mask": {},
}


def test_every_augmentation_is_listed():
    assert set(OPS) == set(AUGMENTATIONS)


@pytest.mark.parametrize("name", sorted(OPS))
def test_compiles_with_xla_and_matches_eager(name):
    fn = AUGMENTATIONS[name](**OPS[name])
    x, y = _batch()
    seed = tf.constant([5, 6], tf.int32)
    eager = fn(x, y, seed)
    compiled = tf.function(lambda a, b, s: fn(a, b, s), jit_compile=True)(x, y, seed)
    for e, c in zip(eager, compiled, strict=True):
        np.testing.assert_allclose(c, e, atol=1e-4)
    assert not np.allclose(eager[0], x) or name == "superpose"


def _full_pipeline() -> Pipeline:
    return Pipeline(
        [
            aug.Shift(max_shift=2.0),
            aug.Superpose(p=0.5),
            aug.AddNoise(p=0.5, snr_db=(0.0, 20.0)),
            aug.ChannelDropout(p=0.3),
            aug.FalsePositive(p=0.3, gap_value="zero"),
            aug.PolarityFlip(),
            aug.ZeroMask(p=0.2),
        ]
    )


def test_same_seed_same_batch_different_seed_differs():
    x, y = _batch()
    pipe = _full_pipeline()
    a = pipe(x, y, [1, 2])
    b = pipe(x, y, [1, 2])
    c = pipe(x, y, [1, 3])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])
    xla = tf.function(pipe.__call__, jit_compile=True)(x, y, tf.constant([1, 2]))
    np.testing.assert_allclose(xla[0], a[0], atol=1e-4)


def test_per_sample_probability():
    x = tf.ones([400, 10, 3])
    pipe = Pipeline([aug.PolarityFlip(p=0.5, p_flip=1.0)])
    out, _ = pipe(x, tf.zeros([400, 10, 1]), [4, 4])
    flipped = (out.numpy()[:, 0, 0] < 0).mean()
    assert 0.4 < flipped < 0.6
    whole = Pipeline([aug.PolarityFlip(p=0.5, per_sample=False, p_flip=1.0)])
    signs = {float(whole(x, tf.zeros([400, 10, 1]), [s, 0])[0][:, 0, 0].numpy().mean()) for s in range(6)}
    assert signs == {-1.0, 1.0}


def test_shape_changing_step_needs_p_one():
    x, y = _batch()
    with pytest.raises(ValueError, match="p=1"):
        Pipeline([aug.Shift(p=0.5, n_samples=500)])(x, y, [0, 0])
    xs, ys = Pipeline([aug.Shift(n_samples=500)])(x, y, [0, 0])
    assert xs.shape == (4, 500, 3) and ys.shape == (4, 500, 3)


def test_layer_acts_only_in_training_and_steps_differ():
    x, y = _batch()
    layer = _full_pipeline().layer(seed=11)
    out = layer((x, y), training=False)
    assert out[0] is x
    first = layer((x, y), training=True)
    second = layer((x, y), training=True)
    assert not np.allclose(first[0], second[0])
    again = _full_pipeline().layer(seed=11)
    np.testing.assert_array_equal(again((x, y), training=True)[0], first[0])
    x_only = Pipeline([aug.PolarityFlip()]).layer(seed=1)(x, training=True)
    assert x_only.shape == x.shape


def test_layer_config_round_trip():
    layer = Pipeline([aug.AddNoise(p=0.5, snr_db=[0.0, 5.0]), aug.PolarityFlip()]).layer(seed=3)
    clone = AugmentationLayer.from_config(layer.get_config())
    assert [s.name for s in clone.pipeline.steps] == ["add_noise", "polarity_flip"]
    assert clone.pipeline.steps[0].p == 0.5 and clone.seed == 3
    x, y = _batch()
    np.testing.assert_array_equal(clone((x, y), training=True)[0], layer((x, y), training=True)[0])


def test_layer_inside_a_model():
    inp = keras.Input((T, 3))
    out = Pipeline([aug.PolarityFlip()]).layer(seed=0)(inp)
    model = keras.Model(inp, keras.layers.Dense(1)(out))
    x, _ = _batch()
    np.testing.assert_allclose(model(x, training=False), model.layers[-1](x), atol=1e-6)


def test_bad_steps():
    with pytest.raises(TypeError):
        Pipeline(["shift"])
    with pytest.raises(ValueError, match="probability"):
        aug.Shift(p=1.5)
    with pytest.raises(ValueError, match="seed"):
        aug.Shift()(*_batch(), seed=[1, 2, 3])


def test_layer_in_compiled_step_draws_new_seeds_reproducibly():
    x, y = _batch()

    def run(seed):
        layer = Pipeline([aug.PolarityFlip(), aug.AddNoise(snr_db=(0.0, 0.0))]).layer(seed=seed)
        step = tf.function(lambda a, b: layer((a, b), training=True)[0], jit_compile=True)
        return [step(x, y).numpy() for _ in range(2)]

    first, second = run(5)
    assert not np.allclose(first, second)
    again = run(5)
    np.testing.assert_allclose(again[0], first, atol=1e-6)
    np.testing.assert_allclose(again[1], second, atol=1e-6)


def test_unsaveable_parameter_is_named():
    layer = Pipeline([aug.AddNoise(noise=tf.zeros([2, T, 3]))]).layer()
    with pytest.raises(TypeError, match="'noise'"):
        layer.get_config()
