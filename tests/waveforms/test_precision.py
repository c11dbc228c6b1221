"""bfloat16 for the network: opt-in, float32 curves out, close to float32; clear errors."""

import numpy as np
import obspy
import pytest

import zoo
from zoo.models.conv_rewrites import MappedConv1D
from zoo.models.phasenet.inference import inference_model
from zoo.models.phasenet.layers import SkipConv1D
from zoo.waveforms.curves import curves
from zoo.waveforms.precision import bfloat16_device, network_in
from zoo.waveforms.predict import predict_function


def test_unknown_precision_is_refused_before_running(phasenet):
    with pytest.raises(ValueError, match="precision must be one of 'float32', 'bfloat16', got 'float16'"):
        zoo.annotate(phasenet, obspy.read(), precision="float16")


def test_bfloat16_curves_are_float32_and_close_to_float32(phasenet):
    if bfloat16_device() is None:
        with pytest.raises(ValueError, match="needs bfloat16 arithmetic in hardware"):
            curves(phasenet, obspy.read(), precision="bfloat16")
        return
    (f32,) = curves(phasenet, obspy.read())
    (b16,) = curves(phasenet, obspy.read(), precision="bfloat16")
    assert b16.values.dtype == np.float32 and b16.values.shape == f32.values.shape
    difference = np.abs(b16.values - f32.values)
    assert 0 < difference.max() < 0.1 and np.median(difference) < 1e-3
    (again,) = curves(phasenet, obspy.read())  # float32 again: the bfloat16 copy did not replace it
    np.testing.assert_array_equal(again.values, f32.values)
    card = phasenet.zoo_card
    assert predict_function(phasenet, card) is predict_function(phasenet, card)
    assert predict_function(phasenet, card, "bfloat16") is predict_function(phasenet, card, "bfloat16")


def test_bfloat16_is_refused_where_onednn_is_capped_below_it(phasenet, monkeypatch):
    """``ONEDNN_MAX_CPU_ISA=AVX512_CORE`` (or AVX2): oneDNN may not use the CPU's bfloat16 arithmetic, so
    the path would be a slow emulation: refused, naming the cap, before anything runs."""
    from zoo.hardware import gpu_compute_capability

    if gpu_compute_capability() is not None:
        pytest.skip("a GPU takes the network here; the CPU's oneDNN cap does not apply")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "avx512_core")
    assert bfloat16_device() is None
    with pytest.raises(ValueError, match=r"has none that oneDNN may use \(ONEDNN_MAX_CPU_ISA=AVX512_CORE\)"):
        zoo.annotate(phasenet, obspy.read(), precision="bfloat16")


def test_bfloat16_copy_keeps_the_heads_and_the_cards_float32_layers(phasenet):
    """geozoo's convolution layers follow the policy; the softmax head and PhaseNet's 3000- and 750-sample
    layers (the card's ``float32_layers``, matched through their rewritten names) stay float32."""
    network = inference_model(phasenet, paired=True)
    copy = network_in(network, "bfloat16", phasenet.zoo_card.annotation.float32_layers)
    policies = {layer.name: layer.dtype_policy.name for layer in copy.layers}
    convolutions = [layer.name for layer in network.layers if isinstance(layer, MappedConv1D | SkipConv1D)]
    # 4 plain, 2 paired, 4 strided, 4 transposed, 4 skip connections (1 paired)
    assert len(convolutions) == 18
    float32 = {name for name, policy in policies.items() if policy == "float32"}
    assert float32 == {
        *("waveform", "output_differences", "softmax"),
        *("input_conv_paired", "down_conv1_1_paired", "up_conv0_1_transposed", "up_conv1_1_paired"),
        *("down_conv3_1_strided", "down_conv1_2_plain", "up_conv0_2_transposed", "up_conv1_2"),
    }
    assert {policies[name] for name in ("down_conv1_5_plain", "up_conv1_4", "down_conv3_4_strided")} == {
        "mixed_bfloat16"
    }
    assert all(layer.dtype_policy.name == "float32" for layer in network.layers)  # the original untouched
    heads_only = network_in(network, "bfloat16")
    assert {layer.name for layer in heads_only.layers if layer.dtype_policy.name == "float32"} == {
        *("waveform", "output_differences", "softmax")
    }


def test_float32_layers_that_the_network_lacks_are_refused(phasenet):
    with pytest.raises(ValueError, match="float32_layers names layers the network does not have: down_conv9"):
        network_in(inference_model(phasenet), "bfloat16", ("input_conv", "down_conv9"))
