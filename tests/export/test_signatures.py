"""Output naming rule and card checks of the serving signatures."""

from __future__ import annotations

import pytest

import zoo
from zoo.export.signatures import check_card, output_names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("phasenet", ("P", "S", "noise")),
        ("eqtransformer", ("detection", "P", "S")),
        ("cred", ("detection",)),
        ("gpd", ("P", "S", "noise")),
    ],
)
def test_output_names_of_registered_models(name, expected):
    assert output_names(zoo.card(name)) == expected


def test_naming_rule_keeps_phase_names_and_lower_cases_the_rest():
    card = zoo.card("phasenet").replace(
        annotation={"labels": ("Pn", "Sg", "N", "Coda")}, trigger={"pick_labels": ("Pn", "Sg")}
    )
    assert output_names(card) == ("Pn", "Sg", "noise", "coda")


def test_clashing_output_names_are_refused():
    card = zoo.card("cred").replace(annotation={"labels": ("Detection", "detection")})
    with pytest.raises(ValueError, match="clashing output names"):
        output_names(card)


def test_card_without_window_facts_is_refused():
    card = zoo.card("gpd").replace(waveform=None)
    with pytest.raises(
        ValueError, match="gpd is a picker, not a model of seismic waveforms; zoo.export works"
    ):
        check_card(card)


@pytest.fixture(scope="module")
def served_gpd(tmp_path_factory):
    """GPD exported as a SavedModel and loaded back as a server would load it."""
    import tensorflow as tf

    from zoo.export import export

    folder = export(zoo.load("gpd"), tmp_path_factory.mktemp("gpd") / "gpd", version=1)
    return tf.saved_model.load(str(folder))


@pytest.mark.parametrize(
    "shape", [(1, 1, 400, 3), (1, 399, 3), (2, 400, 2), (1, 800, 3), (400, 3), (0, 400, 3)]
)
def test_exported_signatures_refuse_a_waveform_of_the_wrong_shape(served_gpd, shape):
    import numpy as np
    import tensorflow as tf

    for name in ("serving_default", "annotate_window"):
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"waveform must be float32 \[windows, 400, 3\]"
        ):
            served_gpd.signatures[name](waveform=tf.constant(np.ones(shape, "float32")))


@pytest.mark.parametrize("threshold", [-0.1, 1.01, float("nan"), [0.3, 0.5]])
def test_picks_signature_refuses_a_threshold_outside_0_1(served_gpd, threshold):
    import numpy as np
    import tensorflow as tf

    window = tf.constant(np.ones((1, 400, 3), "float32"))
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"threshold must be one float32 probability in \[0, 1\]"
    ):
        served_gpd.signatures["picks"](waveform=window, threshold=tf.constant(threshold, tf.float32))
    got = served_gpd.signatures["picks"](waveform=window, threshold=tf.constant(1.0))
    assert set(got) == {"P_sample", "P_probability", "S_sample", "S_probability"}
