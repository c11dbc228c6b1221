"""Tabulated X-ray emission lines (keV), line ratios and illustrative element sensitivities.

Energies are K-alpha1 / K-beta1 and L-alpha1 / L-beta1 from the X-ray Data Booklet (A. C. Thompson et al.,
LBNL, 3rd ed. 2009, Table 1-2, after J. A. Bearden, Rev. Mod. Phys. 39, 78, 1967). The line ratios
K-beta/K-alpha = 0.15 and L-beta/L-alpha = 0.55 and the sensitivities are round illustrative values,
not calibrated to any scanner.
"""

from __future__ import annotations

#: Principal emission lines in keV (X-ray Data Booklet, Table 1-2; Bearden 1967).
LINES: dict[str, dict[str, float]] = {
    "Al": {"Ka": 1.48670, "Kb": 1.55745},
    "Si": {"Ka": 1.73998, "Kb": 1.83594},
    "P": {"Ka": 2.01370, "Kb": 2.13910},
    "S": {"Ka": 2.30784, "Kb": 2.46404},
    "Cl": {"Ka": 2.62239, "Kb": 2.81560},
    "K": {"Ka": 3.31380, "Kb": 3.58960},
    "Ca": {"Ka": 3.69168, "Kb": 4.01270},
    "Ti": {"Ka": 4.51084, "Kb": 4.93181},
    "Mn": {"Ka": 5.89875, "Kb": 6.49045},
    "Fe": {"Ka": 6.40384, "Kb": 7.05798},
    "Ni": {"Ka": 7.47815, "Kb": 8.26466},
    "Cu": {"Ka": 8.04778, "Kb": 8.90529},
    "Zn": {"Ka": 8.63886, "Kb": 9.57200},
    "Br": {"Ka": 11.9242, "Kb": 13.2914},
    "Rb": {"Ka": 13.3953, "Kb": 14.9613},
    "Sr": {"Ka": 14.1650, "Kb": 15.8355},
    "Zr": {"Ka": 15.7751, "Kb": 17.6678},
    "Ba": {"La": 4.46626, "Lb": 4.82753},
    "Pb": {"La": 10.5515, "Lb": 12.6137},
    "Mo": {"Ka": 17.47934, "Kb": 19.6083, "La": 2.29316},
    "Rh": {"Ka": 20.2161, "Kb": 22.7236, "La": 2.69674},
}

LINE_WEIGHTS = {"Ka": 1.0, "Kb": 0.15, "La": 1.0, "Lb": 0.55}

#: Illustrative counts per second per unit weight fraction of the main line family of each element.
SENSITIVITY: dict[str, float] = {
    "Al": 1.5e3, "Si": 4.0e3, "P": 6.0e3, "S": 1.2e4, "Cl": 1.6e4, "K": 3.0e4, "Ca": 4.0e4,
    "Ti": 8.0e4, "Mn": 1.6e5, "Fe": 2.0e5, "Ni": 2.6e5, "Cu": 3.0e5, "Zn": 3.4e5, "Br": 9.0e5,
    "Rb": 6.5e5, "Sr": 7.0e5, "Zr": 7.0e5, "Ba": 6.0e4, "Pb": 3.0e5,
}  # fmt: skip


def line_energies(element: str) -> dict[str, float]:
    """Tabulated line energies (keV) of an element, e.g. ``{"Ka": 3.69168, "Kb": 4.0127}`` for Ca."""
    if element not in LINES:
        raise ValueError(f"No tabulated lines for {element!r}; known: {', '.join(LINES)}.")
    return dict(LINES[element])
