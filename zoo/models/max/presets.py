"""MAX architectures and weight presets (data only).

``ARCHITECTURES`` are the network sizes accepted by ``build(arch=...)``; ``PRESETS`` are trained
weights. ``synthetic-v1`` ships inside this package (``weights/``) (it was trained on synthetic spectra from
``zoo.synth.xrf``, NOT on real core-scanner data) and is sha256-checked where it lies.
"""

CITATION = (
    "Lee, A.-S., Pao, Y.-W., Lin, H.-T., & Liou, S. Y. H. (2024). MAX: Masked autoencoder for X-ray "
    "fluorescence in geological investigation. arXiv:2410.12330. https://arxiv.org/abs/2410.12330"
)

LICENCE = "MIT (synthetic-v1 weights trained in this repository)"

ARCHITECTURES = {
    "max-large": {
        "num_channels": 2048,
        "patch_size": 16,
        "embed_dim": 1024,
        "depth": 24,
        "num_heads": 16,
        "decoder_embed_dim": 512,
        "decoder_depth": 8,
        "decoder_num_heads": 16,
        "mlp_ratio": 4.0,
    },
    "max-small": {
        "num_channels": 2048,
        "patch_size": 16,
        "embed_dim": 64,
        "depth": 4,
        "num_heads": 4,
        "decoder_embed_dim": 64,
        "decoder_depth": 2,
        "decoder_num_heads": 4,
        "mlp_ratio": 4.0,
    },
}

DEFAULT_ARCH = "max-small"

_SYNTHETIC_METADATA = {
    "citation": CITATION,
    "licence": "MIT",
    "training_data": (
        "SYNTHETIC spectra only (zoo.synth.xrf, seed 0): not real core-scanner data; use it for demos "
        "and tests, or as a starting point for fine-tuning on real spectra."
    ),
    "command": "python examples/max_pretraining.py --save-weights zoo/models/max/weights",
}

PRESETS = {
    "synthetic-v1": {
        "description": (
            "max-small pre-trained (masked autoencoder, mask ratio 0.5) on SYNTHETIC XRF spectra of "
            "2048 channels from zoo.synth.xrf; per-channel normalisation statistics included."
        ),
        "files": [
            {
                "path": "weights/max_small_synthetic_v1.weights.h5",
                "package": "zoo.models.max",
                "url": "",
                "sha256": "702c81acf5d243017a3e89f47b449732fc03b70035adf91da747f30e6a4cf616",
                "size": 3979472,
            }
        ],
        "config": {"arch": "max-small"},
        "metadata": _SYNTHETIC_METADATA,
    }
}

REGRESSOR_PRESETS = {
    "synthetic-v1": {
        "description": (
            "max-small encoder pre-trained on SYNTHETIC XRF spectra and fine-tuned on synthetic "
            "CaCO3 and TOC (wt%); target normalisation included."
        ),
        "files": [
            {
                "path": "weights/max_small_regressor_synthetic_v1.weights.h5",
                "package": "zoo.models.max",
                "url": "",
                "sha256": "9199865003dbd08564310c7326b624c9f1381972135e4638544854b438ad10f1",
                "size": 2624536,
            }
        ],
        "config": {"arch": "max-small", "targets": ["caco3", "toc"]},
        "metadata": _SYNTHETIC_METADATA,
    }
}

DEFAULT_PRESET = "synthetic-v1"
