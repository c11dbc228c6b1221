"""SeisBench CRED files -> the CRED network: raw outputs against SeisBench's, paddings, strict keys."""

import numpy as np
import pytest

from zoo.models.cred import seisbench
from zoo.models.cred.model import build
from zoo.torch_pickle import read_state_dict

KEY = "cred_random"


def test_network_reproduces_seisbench_forward(seisbench_reference):
    """SeisBench's network runs on its spectrogram of the normalised windows, ours on the windows."""
    reference = seisbench_reference.network("cred")
    out = seisbench_reference.outputs(seisbench_reference.convert(KEY), reference["inputs"])
    assert out.shape == reference[f"output_{KEY}"].shape == (4, 19, 1)
    assert np.abs(out - reference[f"output_{KEY}"]).max() <= 1e-5  # measured 5e-6


def test_float64_network_reproduces_seisbench_float64_forward(seisbench_reference):
    """The STFT layer computes in float32 even in a float64 model: 1e-7 is left (measured 1.05e-7)."""
    reference = seisbench_reference.network("cred")
    model = seisbench_reference.convert(KEY, float64=True)
    x = reference["inputs"][: len(reference[f"output64_{KEY}"])].astype(np.float64)
    assert np.abs(seisbench_reference.outputs(model, x) - reference[f"output64_{KEY}"]).max() <= 5e-7


def test_keras_same_padding_would_not_reproduce_seisbench(seisbench_reference):
    """With 76 STFT frames Keras ``same`` pads (3, 4) and (1, 2), SeisBench (4, 4) and (2, 2)."""
    reference = seisbench_reference.network("cred")
    same = build(input_samples=3000)
    seisbench.assign(same, read_state_dict(seisbench_reference.files(KEY)[0]))
    out = seisbench_reference.outputs(same, reference["inputs"])
    assert np.abs(out - reference[f"output_{KEY}"]).max() > 1e-2


def test_build_config_paddings():
    assert seisbench.build_config({}) == {
        "input_samples": 3000,
        "channels": 3,
        "strided_padding": [[[4, 4], [4, 4]], [[2, 2], [2, 2]]],
    }
    compatible = seisbench.build_config({"in_samples": 6000, "original_compatible": True})
    assert compatible["strided_padding"][1] == [[1, 2], [2, 2]]
    assert seisbench.output_labels({}) == ("Detection",)


def test_original_compatible_paddings_equal_keras_same_at_6000_samples():
    """At 6000 samples SeisBench's compatible CRED is the published network: same weights, same outputs."""
    explicit = build(**seisbench.build_config({"in_samples": 6000, "original_compatible": True}))
    same = build()
    same.set_weights(explicit.get_weights())
    x = np.random.default_rng(3).normal(size=(2, 6000, 3)).astype("float32")
    assert np.abs(np.asarray(explicit(x)) - np.asarray(same(x))).max() <= 1e-6


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"in_samples": 3010}, "in_samples=3010"),
        ({"in_channels": 2}, "component_order='ZNE'"),
        ({"original_compatible": "conservative"}, "original_compatible='conservative'"),
    ],
)
def test_unsupported_model_args_are_named(args, named):
    with pytest.raises(ValueError, match=f"CRED model_args.*{named}"):
        seisbench.build_config(args)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s.pop("lstm_block.lstms.1.bias_hh_l0_reverse"),
            r"'lstm_block\.lstms\.1\.bias_hh_l0_reverse'",
        ),
        (lambda s: s.update({"lstm.weight_ih_l1": np.zeros((256, 64), np.float32)}), r"'lstm\.weight_ih_l1'"),
        (
            lambda s: s.update({"conv1.weight": np.zeros((8, 3, 7, 7), np.float32)}),
            r"'conv1\.weight'.*shape \(8, 3, 7, 7\).*needs \(8, 3, 9, 9\)",
        ),
    ],
    ids=["missing", "unknown", "shape"],
)
def test_bad_state_dicts_are_refused_and_leave_the_model_unchanged(seisbench_reference, change, message):
    model = seisbench_reference.convert(KEY)
    state = read_state_dict(seisbench_reference.files(KEY)[0])
    before = [w.numpy().copy() for w in model.weights]
    change(state)
    with pytest.raises(ValueError, match=message):
        seisbench.assign(model, state)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))
