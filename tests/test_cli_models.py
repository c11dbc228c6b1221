"""The command line's model facts: cards of names and preset folders, which models take waveforms."""

import json

import pytest

import zoo
from zoo.cli_models import card_for, short_citation
from zoo.preset_folder import read_config


def test_card_of_a_preset_folder_is_read_without_building(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model": "gpd", "config": {}}))
    assert card_for(str(tmp_path)) is zoo.card("gpd")
    (tmp_path / "config.json").write_text(json.dumps({"config": {}}))
    with pytest.raises(ValueError, match="does not name a model"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="Cannot read"):
        card_for(str(tmp_path))


def test_short_citation_names_the_authors_and_the_year():
    assert short_citation(zoo.card("gpd").citation) == "Ross et al. (2018)"
    assert short_citation(zoo.card("phasenet").citation) == "Zhu & Beroza (2019)"
    assert short_citation(zoo.card("max").citation) == "Lee et al. (2024)"
    assert short_citation("no year here") == "no year here"
