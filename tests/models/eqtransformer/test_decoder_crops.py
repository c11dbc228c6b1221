"""Decoder crop rules of EQTransformer: the original model's and SeisBench's."""

import pytest

from zoo.models.eqtransformer.decoder_crops import decoder_crops, encoder_lengths


def test_encoder_lengths_round_odd_lengths_up():
    assert encoder_lengths(6000, 7) == [6000, 3000, 1500, 750, 375, 188, 94, 47]


@pytest.mark.parametrize("samples", [6000, 3001, 3000, 1234, 8192, 129])
def test_trailing_crops_give_back_the_input_length(samples):
    crops = decoder_crops(samples, "trailing")
    length = encoder_lengths(samples, 7)[-1]
    for step in range(7):
        length = 2 * length - sum(crops.get(step, (0, 0)))
    assert length == samples
    assert all(crop == (0, 1) for crop in crops.values())


def test_seisbench_rule_at_6000_samples_crops_after_the_third_upsampling():
    assert decoder_crops(6000, "trailing") == {2: (0, 1)}
    assert decoder_crops(8192, "trailing") == {}


def test_original_rule_fits_6000_samples_only():
    assert decoder_crops(6000, "original") == {3: (1, 1)}
    with pytest.raises(ValueError, match="gives 3056 output samples for 3000 input samples"):
        decoder_crops(3000, "original")
    with pytest.raises(ValueError, match="decoder_crop must be one of"):
        decoder_crops(6000, "centre")
