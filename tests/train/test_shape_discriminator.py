"""BlueDisc shape discriminator: layer arithmetic, parameter count, conditioning, bad input."""

import numpy as np
import pytest

from zoo.train.shape_discriminator import build, conv_output_samples


def _expected_params(label_channels: int, waveform_channels: int, samples: int) -> tuple[int, int]:
    """(trainable, all) parameters from the layer arithmetic: padded convs of stride 2, BN, dense."""
    length, channels, trainable, moving = samples, label_channels + waveform_channels, 0, 0
    for filters, kernel in ((64, 11), (64, 11), (128, 5)):
        length = (length + 2 - kernel) // 2 + 1
        trainable += kernel * channels * filters + 2 * filters  # kernel (no bias) + BN gamma, beta
        moving += 2 * filters  # BN moving mean, variance
        channels = filters
    trainable += length * channels + 1  # dense kernel + bias
    return trainable, trainable + moving


@pytest.mark.parametrize("samples", [3000, 3001, 400])
def test_conv_lengths_follow_the_padded_stride_arithmetic(samples):
    model = build(samples=samples)
    lengths = [model.get_layer(f"conv{i}").output.shape[1] for i in (1, 2, 3)]
    expected = []
    length = samples
    for kernel in (11, 11, 5):
        length = (length + 2 - kernel) // 2 + 1
        expected.append(length)
    assert lengths == expected
    assert conv_output_samples(samples) == expected[-1]
    assert model.get_layer("flatten").output.shape[1] == 128 * expected[-1]


def test_paper_window_gives_the_authors_dense_width():
    # The authors' Linear layer has 47,616 inputs for their 3001-sample windows.
    assert 128 * conv_output_samples(3001) == 47616


@pytest.mark.parametrize(("labels", "waveform", "samples"), [(3, 3, 3000), (2, 1, 600)])
def test_parameter_count(labels, waveform, samples):
    model = build(label_channels=labels, waveform_channels=waveform, samples=samples)
    trainable, total = _expected_params(labels, waveform, samples)
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == trainable
    assert model.count_params() == total
    if (labels, waveform, samples) == (3, 3, 3000):
        assert (trainable, total) == (138241, 138753)


def test_layers_have_no_bias_batch_norm_and_leaky_slope():
    model = build(samples=400)
    for i in (1, 2, 3):
        assert model.get_layer(f"conv{i}").use_bias is False
        assert model.get_layer(f"bn{i}").epsilon == pytest.approx(1e-5)
        assert model.get_layer(f"leaky{i}").negative_slope == pytest.approx(0.1)
    assert [model.get_layer(f"conv{i}").filters for i in (1, 2, 3)] == [64, 64, 128]
    assert [model.get_layer(f"conv{i}").kernel_size[0] for i in (1, 2, 3)] == [11, 11, 5]
    assert [model.get_layer(f"conv{i}").strides[0] for i in (1, 2, 3)] == [2, 2, 2]


def test_output_is_one_logit_per_window_and_depends_on_both_inputs():
    model = build(samples=400)
    rng = np.random.default_rng(0)
    labels = rng.random((2, 400, 3)).astype("float32")
    waveform = rng.normal(size=(2, 400, 3)).astype("float32")
    out = np.asarray(model([labels, waveform], training=False))
    assert out.shape == (2, 1)
    assert not np.allclose(out, np.asarray(model([labels, 0 * waveform], training=False)))
    assert not np.allclose(out, np.asarray(model([0 * labels, waveform], training=False)))
    # Windows are judged independently in inference mode.
    single = np.asarray(model([labels[:1], waveform[:1]], training=False))
    np.testing.assert_allclose(single, out[:1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{"label_channels": 0}, {"waveform_channels": 2.5}, {"samples": 20}])
def test_bad_arguments_are_value_errors(kwargs):
    with pytest.raises(ValueError):
        build(**kwargs)
