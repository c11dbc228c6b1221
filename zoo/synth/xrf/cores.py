"""Synthetic sediment cores: smooth down-core CaCO3 and TOC, one Poisson-noisy spectrum per depth.

Example:
    >>> import numpy as np
    >>> core = synthetic_core("A01", n_depths=5, family="pacific", rng=np.random.default_rng(0))
    >>> core.spectra.shape, core.targets.shape
    ((5, 2048), (5, 2))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zoo.synth.xrf.instrument import Detector, Tube
from zoo.synth.xrf.sediment import FAMILY_RANGES
from zoo.synth.xrf.spectra import expected_spectra


def _cycles(depth: np.ndarray, rng: np.random.Generator, n: int = 4) -> np.ndarray:
    """A smooth random down-core signal in [0, 1]: a sum of ``n`` sinusoids of random period."""
    periods = rng.uniform(0.3, 3.0, n) * (depth.max() - depth.min() + 1e-9)
    phases = rng.uniform(0, 2 * np.pi, n)
    amps = rng.uniform(0.3, 1.0, n)
    s = (amps[:, None] * np.sin(2 * np.pi * depth[None] / periods[:, None] + phases[:, None])).sum(0)
    return (s - s.min()) / max(s.max() - s.min(), 1e-12)


@dataclass
class SyntheticCore:
    """One synthetic core: a spectrum (counts) per depth and its CaCO3 and TOC (wt%)."""

    core_id: str
    family: str
    depth_m: np.ndarray
    caco3: np.ndarray
    toc: np.ndarray
    spectra: np.ndarray
    detector: Detector = field(default_factory=Detector)

    @property
    def targets(self) -> np.ndarray:
        """``[n, 2]`` CaCO3 and TOC in wt%."""
        return np.stack([self.caco3, self.toc], axis=1)


def synthetic_core(
    core_id: str,
    n_depths: int = 200,
    family: str = "pacific",
    rng: np.random.Generator | None = None,
    step_m: float = 0.01,
    detector: Detector | None = None,
    tube: Tube | None = None,
    live_time_s: float = 10.0,
) -> SyntheticCore:
    """A core of ``n_depths`` spectra every ``step_m`` metres with smooth down-core CaCO3 and TOC.

    CaCO3 and TOC (wt%) follow random cycles inside the family's ranges (TOC partly anti-correlated
    with CaCO3); each spectrum gets a count-rate factor (1 +- 10 %) and Poisson noise.
    """
    if n_depths < 1:
        raise ValueError(f"n_depths must be >= 1, got {n_depths}.")
    rng = rng if rng is not None else np.random.default_rng()
    detector = detector or Detector()
    depth = np.arange(n_depths) * step_m
    ranges = FAMILY_RANGES[family] if family in FAMILY_RANGES else None
    if ranges is None:
        raise ValueError(f"Unknown composition family {family!r}; known: {', '.join(FAMILY_RANGES)}.")
    lo, hi = ranges["caco3"]
    u = _cycles(depth, rng)
    caco3 = lo + (hi - lo) * (0.15 + 0.85 * u) * rng.uniform(0.6, 1.0)
    tlo, thi = ranges["toc"]
    t = np.clip(0.6 * _cycles(depth, rng) + 0.4 * (1 - u), 0, 1)
    toc = tlo + (thi - tlo) * t
    rate = 1.0 + 0.1 * np.clip(rng.standard_normal(n_depths), -2.5, 2.5)
    expected = expected_spectra(caco3, toc, family, detector, tube, live_time_s, rate)
    spectra = rng.poisson(expected).astype(np.float32)
    return SyntheticCore(core_id, family, depth, caco3, toc, spectra, detector)


def synthetic_cores(
    n_cores: int,
    n_depths: int = 200,
    family: str = "pacific",
    seed: int = 0,
    prefix: str | None = None,
    **kwargs: object,
) -> list[SyntheticCore]:
    """``n_cores`` independent cores of one composition family (reproducible for a given ``seed``)."""
    rng = np.random.default_rng(seed)
    prefix = prefix or family[:3].upper()
    return [synthetic_core(f"{prefix}{i:02d}", n_depths, family, rng, **kwargs) for i in range(n_cores)]
