"""The augmentation objects: parameters checked when built, frozen, draw + apply == call, configs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

import zoo.augment as aug
from zoo.augment._common import split
from zoo.augment.base import AUGMENTATIONS, Augmentation, run_step


def _batch():
    x = tf.random.stateless_normal([4, 500, 3], [3, 4])
    y = tf.concat([tf.zeros([4, 500, 2]), tf.ones([4, 500, 1])], axis=-1)
    return x, y


def test_every_exported_class_is_registered_under_its_snake_case_name():
    classes = {getattr(aug, n) for n in aug.__all__ if isinstance(getattr(aug, n), type)} - {aug.Pipeline}
    assert {c.name: c for c in classes} == AUGMENTATIONS
    assert aug.AddNoise.name == "add_noise" and aug.RotateHorizontals.name == "rotate_horizontals"


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_call_is_apply_of_draw_with_the_same_seed(name):
    augmentation = AUGMENTATIONS[name]()
    x, y = _batch()
    draws = augmentation.draw(x, y, [8, 1])
    expected = augmentation.apply(x, y, draws)
    for got, want in zip(augmentation(x, y, [8, 1]), expected, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: aug.AddNoise(snr_db=(20.0, 0.0)), "snr_db"),
        (lambda: aug.Shift(mode="reflect"), "mode"),
        (lambda: aug.Shift(sampling_rate=0.0), "sampling_rate"),
        (lambda: aug.TimeStretch(factor=(0.0, 1.2)), "factor"),
        (lambda: aug.ChannelDropout(max_drop=0), "max_drop"),
        (lambda: aug.FalsePositive(gap_value="nan"), "gap_value"),
        (lambda: aug.ZeroMask(duration=(5.0, 1.0)), "duration"),
        (lambda: aug.DenoisePair(target="phase"), "target"),
        (lambda: aug.ClipPair(level=(0.0, 0.5)), "clip level"),
        (lambda: aug.RandomResample(factors=()), "factors"),
        (lambda: aug.Superpose(end="coda"), "end"),
        (lambda: aug.PolarityFlip(p=-0.1), "probability"),
    ],
)
def test_parameters_are_checked_when_built(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_frozen_keyword_only_and_lists_become_tuples():
    noise = aug.AddNoise(snr_db=[0.0, 5.0], p=0.5)
    assert noise.snr_db == (0.0, 5.0) and noise == aug.AddNoise(snr_db=(0.0, 5.0), p=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        noise.p = 1.0
    with pytest.raises(TypeError):
        aug.AddNoise((0.0, 5.0))
    assert repr(noise) == "AddNoise(p=0.5, snr_db=(0.0, 5.0))"


def test_probability_below_one_is_a_pipeline_step():
    x, y = _batch()
    flip = aug.PolarityFlip(p=0.5, p_flip=1.0)
    direct = flip(x, y, [2, 2])
    np.testing.assert_array_equal(direct[0], run_step(flip, x, y, [2, 2])[0])
    np.testing.assert_array_equal(aug.Pipeline([flip])(x, y, [2, 2])[0], flip(x, y, split([2, 2], 1)[0])[0])
    signs = np.sign(direct[0].numpy()[:, 0, 0] / x.numpy()[:, 0, 0])
    assert set(signs.tolist()) == {-1.0, 1.0}


def test_config_round_trip_and_noise_bank_description():
    shift = aug.Shift(max_shift=2.0, mode="zero", p=0.3, per_sample=False)
    assert Augmentation.from_config(shift.get_config()) == shift
    bank = aug.AddNoise(noise=tf.zeros([2, 600, 3]))
    assert bank.describe()["params"]["noise"] == "<EagerTensor [2, 600, 3]>"
    with pytest.raises(ValueError, match="unknown augmentation 'gain'"):
        Augmentation.from_config({"name": "gain", "p": 1.0, "per_sample": True, "params": {}})
