"""Published GPD weights (data only)."""

_BASE = (
    "https://github.com/interseismic/generalized-phase-detection/raw/ea81ef17d204797de6a99d277fd2b9407fc77df7"
)

CITATION = (
    "Ross, Z. E., Meier, M.-A., Hauksson, E., & Heaton, T. H. (2018). Generalized seismic "
    "phase detection with deep learning. Bulletin of the Seismological Society of America, "
    "108(5A), 2894-2901. https://doi.org/10.1785/0120180080"
)
LICENCE = "MIT"

PRESETS = {
    "original": {
        "description": (
            "GPD trained by Ross et al. (2018) on 4.5 million Southern California seismograms: "
            "4-s, 3-component windows at 100 Hz classified as P, S or noise."
        ),
        "files": [
            {
                "path": "gpd/model_pol.json",
                "url": f"{_BASE}/model_pol.json",
                "sha256": "dbe6ca5b44d33d1d89ac7420bed97f1f42c62bc6c4dd2ce4cb3d9e716bc2a36a",
                "size": 11910,
            },
            {
                "path": "gpd/model_pol_best.hdf5",
                "url": f"{_BASE}/model_pol_best.hdf5",
                "sha256": "b6f1980f64c4e816d43759af7a54c93c1ec9dd3ad56793ce6a09aad66adf3868",
                "size": 20985696,
            },
        ],
        "config": {},
        "metadata": {
            "citation": CITATION,
            "licence": LICENCE,
            "commit": "ea81ef17d204797de6a99d277fd2b9407fc77df7",
            "repository": "https://github.com/interseismic/generalized-phase-detection",
            "training_data": "Southern California Seismic Network, 4.5 million 4-s windows",
            "keras_version": "2.2.2",
        },
    }
}

DEFAULT_PRESET = "original"
