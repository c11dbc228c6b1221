"""Sediment model: element weight fractions of a mix of CaCO3, organic matter and a lithogenic fraction.

A sediment mixes CaCO3 (40 wt% Ca, with Sr), organic matter (``2 x TOC``; carries Br and S) and a
lithogenic fraction of a *composition family* (Al, Si, K, Ti, Mn, Fe, Rb, Zr, Ba, ...), which is
diluted by the other two. :func:`effective_atomic_number` drives the scatter intensities.
"""

from __future__ import annotations

import numpy as np

#: Lithogenic (carbonate- and organic-free) compositions, weight fractions, per composition family.
FAMILIES: dict[str, dict[str, float]] = {
    "pacific": {
        "Al": 0.085, "Si": 0.27, "P": 0.0015, "K": 0.025, "Ca": 0.012, "Ti": 0.0045, "Mn": 0.004,
        "Fe": 0.055, "Ni": 1.5e-4, "Cu": 2.5e-4, "Zn": 1.3e-4, "Rb": 1.1e-4, "Sr": 2.5e-4,
        "Zr": 1.4e-4, "Ba": 1.5e-3, "Pb": 3.0e-5, "Cl": 0.015,
    },
    "southern": {
        "Al": 0.055, "Si": 0.36, "P": 0.0010, "K": 0.015, "Ca": 0.020, "Ti": 0.0070, "Mn": 0.0012,
        "Fe": 0.075, "Ni": 0.8e-4, "Cu": 1.0e-4, "Zn": 1.0e-4, "Rb": 0.6e-4, "Sr": 3.5e-4,
        "Zr": 2.2e-4, "Ba": 0.8e-3, "Pb": 1.5e-5, "Cl": 0.018,
    },
}  # fmt: skip

#: Ranges (wt%) of down-core CaCO3 and TOC per family.
FAMILY_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "pacific": {"caco3": (2.0, 75.0), "toc": (0.2, 2.0)},
    "southern": {"caco3": (0.5, 45.0), "toc": (0.3, 3.0)},
}

_Z_EFF = {"carbonate": 15.7, "organic": 6.5, "lithogenic": 14.5}


def sediment_composition(caco3: np.ndarray, toc: np.ndarray, family: str) -> dict[str, np.ndarray]:
    """Element weight fractions of sediments with ``caco3`` and ``toc`` (wt%) of a composition family.

    CaCO3 adds 40 wt% Ca and 1500 ppm Sr of its mass; organic matter (``2 x TOC``) carries Br
    (70 ppm per wt% TOC, plus 20 ppm of pore-water bromide) and S (0.3 wt% per wt% TOC); the lithogenic
    rest (``1 - CaCO3 - OM``) has the family's composition.
    """
    if family not in FAMILIES:
        raise ValueError(f"Unknown composition family {family!r}; known: {', '.join(FAMILIES)}.")
    c = np.asarray(caco3, dtype=np.float64) / 100.0
    om = 2.0 * np.asarray(toc, dtype=np.float64) / 100.0
    litho = np.clip(1.0 - c - om, 0.0, 1.0)
    comp = {element: fraction * litho for element, fraction in FAMILIES[family].items()}
    comp["Ca"] = comp.get("Ca", 0.0) + 0.40 * c
    comp["Sr"] = comp.get("Sr", 0.0) + 1.5e-3 * c
    comp["Br"] = 20e-6 + 70e-6 * np.asarray(toc, dtype=np.float64)
    comp["S"] = 1e-3 * litho + 3e-3 * np.asarray(toc, dtype=np.float64)
    return comp


def effective_atomic_number(caco3: np.ndarray, toc: np.ndarray) -> np.ndarray:
    """Mass-weighted effective atomic number of the mix (carbonate 15.7, organic matter 6.5, lithogenic 14.5).

    Example:
        >>> round(float(effective_atomic_number(np.array([100.0]), np.array([0.0]))[0]), 2)
        15.7
    """
    c, om = caco3 / 100.0, 2.0 * toc / 100.0
    litho = np.clip(1.0 - c - om, 0.0, 1.0)
    return c * _Z_EFF["carbonate"] + om * _Z_EFF["organic"] + litho * _Z_EFF["lithogenic"]
