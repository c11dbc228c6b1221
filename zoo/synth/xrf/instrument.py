"""The instrument: silicon drift detector with its energy calibration and resolution, X-ray tube, and
Compton scattering of the tube lines.

Detector resolution: ``FWHM(E) = sqrt(noise^2 + 2.3548^2 * F * eps * E)`` with Fano factor
``F = 0.115``, electron-hole pair energy ``eps = 3.65 eV`` and electronic noise 80 eV FWHM (about
140 eV at Mn K-alpha, 5.9 keV). Energy calibration: ``E = offset + gain * channel`` (keV).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ELECTRON_REST_ENERGY_KEV = 510.99895
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))  # 2.3548


def compton_energy(energy_kev: float | np.ndarray, angle_deg: float = 90.0) -> float | np.ndarray:
    """Energy (keV) of a photon of ``energy_kev`` after Compton scattering by ``angle_deg``.

    Example:
        >>> round(float(compton_energy(20.2161, 90.0)), 3)
        19.447
    """
    cos = np.cos(np.deg2rad(angle_deg))
    return energy_kev / (1.0 + energy_kev / ELECTRON_REST_ENERGY_KEV * (1.0 - cos))


@dataclass(frozen=True)
class Detector:
    """Silicon drift detector and multichannel analyser.

    Attributes:
        num_channels: Channels of the spectrum.
        gain_kev: keV per channel; the energy of channel ``i`` (its centre) is ``offset + gain * i``.
        offset_kev: Energy of channel 0 in keV.
        noise_fwhm_kev: Electronic noise contribution to the line width (FWHM, keV).
        fano: Fano factor of silicon.
        pair_energy_kev: Mean energy per electron-hole pair in silicon (keV).
        window_kev: Characteristic energy of window and air absorption, transmission
            ``exp(-(window_kev / E)^3)``.
    """

    num_channels: int = 2048
    gain_kev: float = 0.0125
    offset_kev: float = 0.0
    noise_fwhm_kev: float = 0.080
    fano: float = 0.115
    pair_energy_kev: float = 0.00365
    window_kev: float = 1.3

    def __post_init__(self) -> None:
        if self.num_channels < 2 or self.gain_kev <= 0:
            raise ValueError(
                f"Detector needs num_channels >= 2 and gain_kev > 0, got {self.num_channels}, {self.gain_kev}."
            )

    def energies(self) -> np.ndarray:
        """Energy (keV) of every channel centre."""
        return self.offset_kev + self.gain_kev * np.arange(self.num_channels, dtype=np.float64)

    def channel(self, energy_kev: float | np.ndarray) -> float | np.ndarray:
        """Fractional channel index of an energy (keV)."""
        return (np.asarray(energy_kev) - self.offset_kev) / self.gain_kev

    def fwhm(self, energy_kev: float | np.ndarray) -> float | np.ndarray:
        """Line width (FWHM, keV) at ``energy_kev``: ``sqrt(noise^2 + 2.3548^2 F eps E)``.

        Example:
            >>> round(float(Detector().fwhm(5.899) * 1000))
            142
        """
        energy = np.asarray(energy_kev, dtype=np.float64)
        return np.sqrt(self.noise_fwhm_kev**2 + FWHM_PER_SIGMA**2 * self.fano * self.pair_energy_kev * energy)

    def transmission(self, energy_kev: np.ndarray) -> np.ndarray:
        """Fraction of photons of ``energy_kev`` that pass window and air."""
        energy = np.maximum(np.asarray(energy_kev, dtype=np.float64), 1e-3)
        return np.exp(-((self.window_kev / energy) ** 3))

    def peak(self, energy_kev: float, area: float = 1.0, extra_fwhm_kev: float = 0.0) -> np.ndarray:
        """Counts per channel of a Gaussian line of ``area`` counts at ``energy_kev``."""
        fwhm = np.hypot(self.fwhm(energy_kev), extra_fwhm_kev)
        sigma = fwhm / FWHM_PER_SIGMA
        x = (self.energies() - energy_kev) / sigma
        return area * self.gain_kev * np.exp(-0.5 * x * x) / (sigma * np.sqrt(2.0 * np.pi))


@dataclass(frozen=True)
class Tube:
    """X-ray tube and geometry.

    Attributes:
        anode: ``"Rh"`` or ``"Mo"``.
        voltage_kv: Tube voltage; the continuum ends at this energy (keV).
        scatter_angle_deg: Angle between incident beam and detector.
        doppler_fwhm_kev: Extra (Doppler) width of the Compton peak, FWHM in keV.
    """

    anode: str = "Rh"
    voltage_kv: float = 30.0
    scatter_angle_deg: float = 90.0
    doppler_fwhm_kev: float = 0.30

    def __post_init__(self) -> None:
        if self.anode not in ("Rh", "Mo"):
            raise ValueError(f"Tube anode must be 'Rh' or 'Mo', got {self.anode!r}.")
