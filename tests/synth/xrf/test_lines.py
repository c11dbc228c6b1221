"""Tabulated emission-line energies."""

from __future__ import annotations

import pytest

from zoo.synth.xrf.lines import LINES


def test_tabulated_energies() -> None:
    assert LINES["Ca"]["Ka"] == pytest.approx(3.692, abs=1e-3)
    assert LINES["Fe"]["Ka"] == pytest.approx(6.404, abs=1e-3)
    assert LINES["Sr"]["Ka"] == pytest.approx(14.165, abs=1e-3)
    assert LINES["Rh"]["Ka"] == pytest.approx(20.216, abs=1e-3)
