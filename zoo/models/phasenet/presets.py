"""PhaseNet presets: the published files pinned at AI4EPS/PhaseNet commit 62005c6 (data only)."""

_COMMIT = "62005c6195638f88d077f8870ea895971062715a"
_BASE = f"https://github.com/AI4EPS/PhaseNet/raw/{_COMMIT}/model/190703-214543"
CITATION = (
    "Zhu, W. & Beroza, G. C. (2019). PhaseNet: a deep-neural-network-based seismic arrival-time picking "
    "method. Geophys. J. Int. 216(1), 261-273. https://doi.org/10.1093/gji/ggy423"
)
LICENCE = "MIT"


def _file(name: str, sha256: str, size: int) -> dict:
    return {
        "path": f"phasenet/190703-214543/{name}",
        "url": f"{_BASE}/{name}",
        "sha256": sha256,
        "size": size,
    }


PRESETS = {
    "original": {
        "description": "Zhu & Beroza (2019) model 190703-214543 (step 340,512), trained on NCEDC data.",
        "files": [
            _file(
                "model_95.ckpt.data-00000-of-00001",
                "9ee2c15dd78fb15de45a55ad64a446f1a0ced152ba4ac5c506d82b9194da85b4",
                3226256,
            ),
            _file(
                "model_95.ckpt.index",
                "f96b553b76be4ebae9a455eaf8d83cfa8c0e110f06cfba958de2568e5b6b2780",
                7223,
            ),
            _file("checkpoint", "1606ccb25e1533fa0398c5dbce7f3a45ac77f90b78b99f81a044294ba38a2c0c", 83),
            _file("config.log", "ed9dfa705053a5025facc9952c7da6abef19ec5f672d9e50386bf3f2d80294f2", 345),
        ],
        "config": {},
        "metadata": {
            "citation": CITATION,
            "licence": LICENCE,
            "commit": _COMMIT,
            "training_data": "Northern California Earthquake Data Center (NCEDC) 3-component records",
        },
    },
}
DEFAULT_PRESET = "original"
