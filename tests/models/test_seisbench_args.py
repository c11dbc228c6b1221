"""Checked access to a SeisBench file's model_args."""

import pytest

from zoo.models.seisbench_args import ModelArgs


def test_defaults_apply_to_missing_keys_and_null_is_empty():
    args = ModelArgs(None, "PhaseNet", {"in_channels"})
    assert args.positive_int("in_channels", 3) == 3
    assert args.components(3) == "ZNE"
    assert args.labels("phases", None, 2) == ("0", "1")


def test_unknown_keys_and_other_groupings_are_refused():
    with pytest.raises(ValueError, match=r"GPD model_args \['depth'\] are not supported"):
        ModelArgs({"depth": 5, "sampling_rate": 100}, "GPD", {"classes"})
    with pytest.raises(ValueError, match="grouping='channel'"):
        ModelArgs({"grouping": "channel"}, "GPD", set())
    with pytest.raises(ValueError, match="must be a JSON object"):
        ModelArgs([1], "GPD", set())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.positive_int("n", 1), "n=True"),
        (lambda a: a.number("x", 0.1, high=1.0), "x=-0.5"),
        (lambda a: a.choice("c", False, (False, "a")), "c=1"),
        (lambda a: a.labels("phases", "PS", 2), "phases=\\['P', 3\\]"),
        (lambda a: a.components(2), "component_order='ZZ'"),
    ],
)
def test_bad_values_are_named(call, message):
    args = ModelArgs(
        {"n": True, "x": -0.5, "c": 1, "phases": ["P", 3], "component_order": "ZZ"},
        "CRED",
        {"n", "x", "c", "phases"},
    )
    with pytest.raises(ValueError, match=f"CRED model_args {message}"):
        call(args)


def test_zero_is_allowed_where_asked():
    args = ModelArgs({"eps": 0}, "GPD", {"eps"})
    assert args.number("eps", 1e-10, zero=True) == 0.0
    with pytest.raises(ValueError, match="eps=0"):
        args.number("eps", 1e-10)
