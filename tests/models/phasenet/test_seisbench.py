"""SeisBench PhaseNet files -> the PhaseNet network: raw outputs against SeisBench's, strict keys."""

import numpy as np
import pytest

from zoo.models.phasenet import seisbench
from zoo.models.phasenet.model import build
from zoo.torch_pickle import read_state_dict

FIXTURES = ["phasenet_random", "phasenet_finetuned"]
# Float32 outputs: SeisBench's own float32 result is up to 1.0e-5 from its float64 result on these
# "lively" weights (round-off growing through the U-Net), so both float32 networks can differ by about
# twice that; measured 1.3e-5 (random) and 1.1e-6 (fine-tuned).
TOLERANCE_32 = {"phasenet_random": 3e-5, "phasenet_finetuned": 1e-5}


@pytest.mark.parametrize("key", FIXTURES)
def test_network_reproduces_seisbench_forward(seisbench_reference, key):
    reference = seisbench_reference.network("phasenet")
    model = seisbench_reference.convert(key)
    out = seisbench_reference.outputs(model, reference["inputs"])
    assert out.shape == reference[f"output_{key}"].shape == (4, 3001, 3)
    assert np.abs(out - reference[f"output_{key}"]).max() <= TOLERANCE_32[key]


@pytest.mark.parametrize("key", FIXTURES)
def test_float64_network_reproduces_seisbench_float64_forward(seisbench_reference, key):
    reference = seisbench_reference.network("phasenet")
    model = seisbench_reference.convert(key, float64=True)
    out = seisbench_reference.outputs(
        model, reference["inputs"][: len(reference[f"output64_{key}"])].astype(np.float64)
    )
    assert np.abs(out - reference[f"output64_{key}"]).max() <= 1e-10


def test_build_config_follows_model_args():
    assert seisbench.build_config({}) == {
        "input_samples": 3001,
        "channels": 3,
        "classes": 3,
        "filters_root": 8,
    }
    config = seisbench.build_config(
        {"in_channels": 4, "component_order": "Z12H", "classes": 4, "phases": "PSNX", "filter_factor": 2}
    )
    assert (config["channels"], config["classes"], config["filters_root"]) == (4, 4, 16)


def test_output_labels_are_the_phases_in_network_order():
    assert seisbench.output_labels({}) == ("N", "P", "S")
    assert seisbench.output_labels({"phases": "PSN"}) == ("P", "S", "N")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ({"norm": "minmax"}, "norm='minmax'"),
        ({"phases": "PS"}, "phases='PS'"),
        ({"component_order": "ZN"}, "component_order='ZN'"),
        ({"in_samples": 6000}, "in_samples"),
        ({"filter_factor": 0}, "filter_factor=0"),
        ({"grouping": "channel"}, "grouping='channel'"),
    ],
)
def test_unsupported_model_args_are_named(args, named):
    with pytest.raises(ValueError, match=f"PhaseNet model_args.*{named}"):
        seisbench.build_config(args)


@pytest.fixture(scope="module")
def state(seisbench_reference):
    return read_state_dict(seisbench_reference.files("phasenet_random")[0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("up_branch.2.2.weight"), r"no entry 'up_branch\.2\.2\.weight'"),
        (lambda s: s.update({"extra.weight": np.zeros(3, np.float32)}), r"'extra\.weight' \(3,\)"),
        (
            lambda s: s.update({"out.weight": np.zeros((3, 8, 3), np.float32)}),
            r"'out\.weight'.*shape \(3, 8, 3\).*needs \(3, 8, 1\)",
        ),
    ],
    ids=["missing", "unknown", "shape"],
)
def test_bad_state_dicts_are_refused_and_leave_the_model_unchanged(
    seisbench_reference, state, change, message
):
    model = seisbench_reference.convert("phasenet_random")
    before = [w.numpy().copy() for w in model.weights]
    bad = dict(state)
    change(bad)
    with pytest.raises(ValueError, match=message):
        seisbench.assign(model, bad)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))


def test_batch_norm_counters_are_ignored_and_every_value_is_used(state):
    model = build(**seisbench.build_config({}))
    seisbench.assign(model, {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")})
    assert np.array_equal(model.get_layer("input_bn").moving_variance.numpy(), state["in_bn.running_var"])
    assert np.array_equal(model.get_layer("output_conv").kernel.numpy()[0], state["out.weight"][:, :, 0].T)
