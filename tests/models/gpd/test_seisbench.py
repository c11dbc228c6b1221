"""SeisBench GPD files -> the GPD network: raw outputs against SeisBench's, flatten order, strict keys."""

import numpy as np
import pytest

from zoo.models.gpd import seisbench
from zoo.models.gpd.model import build
from zoo.torch_pickle import read_state_dict

KEY = "gpd_random"


def test_network_reproduces_seisbench_forward(seisbench_reference):
    reference = seisbench_reference.network("gpd")
    out = seisbench_reference.outputs(seisbench_reference.convert(KEY), reference["inputs"])
    assert out.shape == reference[f"output_{KEY}"].shape == (4, 3)
    assert np.abs(out - reference[f"output_{KEY}"]).max() <= 1e-6  # measured 1.2e-7


def test_float64_network_reproduces_seisbench_float64_forward(seisbench_reference):
    reference = seisbench_reference.network("gpd")
    model = seisbench_reference.convert(KEY, float64=True)
    out = seisbench_reference.outputs(
        model, reference["inputs"][: len(reference[f"output64_{KEY}"])].astype(np.float64)
    )
    assert np.abs(out - reference[f"output64_{KEY}"]).max() <= 1e-10


def test_original_compatible_flatten_order_uses_fc1_as_is(seisbench_reference):
    """The same weights read as original_compatible give the torch-order network only after permuting."""
    state = read_state_dict(seisbench_reference.files(KEY)[0])
    torch_order = seisbench_reference.convert(KEY)
    keras_order = build(**seisbench.build_config({"phases": "PSN", "original_compatible": True}))
    seisbench.assign(keras_order, state, {"phases": "PSN", "original_compatible": True})
    fc1 = state["fc1.weight"]  # [200, 256 * 25], torch index c * 25 + t
    assert np.array_equal(keras_order.get_layer("dense_1").kernel.numpy(), fc1.T)
    row = torch_order.get_layer("dense_1").kernel.numpy()[7 * 256 + 11]  # Keras index t * 256 + c
    assert np.array_equal(row, fc1[:, 11 * 25 + 7])


def test_build_config_and_labels():
    assert seisbench.build_config({}) == {
        "input_samples": 400,
        "channels": 3,
        "classes": 3,
        "output_activation": "softmax",
    }
    assert seisbench.output_labels({}) == ("0", "1", "2")
    assert seisbench.output_labels({"phases": "PSN"}) == ("P", "S", "N")
    single = seisbench.build_config({"classes": 1, "phases": "P"})
    assert single["output_activation"] == "sigmoid"
    assert build(**single).get_layer("activation_7").get_config()["activation"] == "sigmoid"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"phases": "PS"}, "phases='PS'"),
        ({"pred_sample": 400}, "pred_sample=400"),
        ({"in_samples": 600}, "in_samples"),
        ({"original_compatible": "yes"}, "original_compatible='yes'"),
    ],
)
def test_unsupported_model_args_are_named(args, named):
    with pytest.raises(ValueError, match=f"GPD model_args.*{named}"):
        seisbench.build_config(args)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("bn6.running_var"), r"no entry 'bn6\.running_var'"),
        (lambda s: s.update({"fc4.weight": np.zeros((3, 3), np.float32)}), r"'fc4\.weight' \(3, 3\)"),
        (
            lambda s: s.update({"conv2.weight": np.zeros((64, 32, 13), np.float32)}),
            r"'conv2\.weight'.*shape \(64, 32, 13\).*needs \(64, 32, 15\)",
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
        seisbench.assign(model, state, {"phases": "PSN"})
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))
