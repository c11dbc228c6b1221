"""Which geozoo model takes which SeisBench class."""

import pytest

from zoo.seisbench.models import converter, identify, model_name, seisbench_class
from zoo.torch_pickle import read_state_dict


def test_names_in_either_spelling():
    assert model_name("PhaseNet") == model_name("phasenet") == "phasenet"
    assert seisbench_class("eqtransformer") == "EQTransformer"
    assert converter("CRED").__name__ == "zoo.models.cred.seisbench"
    with pytest.raises(ValueError, match="No SeisBench converter for model 'basicphaseae'"):
        model_name("basicphaseae")
    with pytest.raises(TypeError, match="model must be a model name"):
        model_name(3)


@pytest.mark.parametrize(
    "key",
    [
        "phasenet_random",
        "eqtransformer_default",
        "eqtransformer_conservative",
        "eqtransformer_nonconservative",
        "gpd_random",
        "cred_random",
    ],
)
def test_every_fixture_is_recognised_by_its_keys(seisbench_reference, key):
    state = read_state_dict(seisbench_reference.files(key)[0])
    assert identify(state) == seisbench_reference.model_name(key)


def test_other_state_dicts_are_not_recognised():
    assert identify({"encoder.0.weight": None, "decoder.0.weight": None}) is None
