"""The command line's model facts: cards of names and preset folders, which models take waveforms."""

import json

import pytest

import zoo
from zoo.cli_models import card_for, is_waveform_model, waveform_models
from zoo.preset_folder import read_config


def test_waveform_models_are_the_pickers_and_detectors():
    assert waveform_models() == ["cred", "eqtransformer", "gpd", "phasenet"]
    assert not is_waveform_model(zoo.card("xdisc")) and not is_waveform_model(zoo.card("max"))


def test_card_of_a_preset_folder_is_read_without_building(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model": "gpd", "config": {}}))
    assert card_for(str(tmp_path)) is zoo.card("gpd")
    (tmp_path / "config.json").write_text(json.dumps({"config": {}}))
    with pytest.raises(ValueError, match="does not name a model"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="Cannot read"):
        card_for(str(tmp_path))
