"""Published CRED weights (data only)."""

LICENCE = (
    "none stated (all rights reserved): downloaded from the author's URL at the user's request; "
    "never redistributed"
)

CITATION = (
    "Mousavi, S. M., Zhu, W., Sheng, Y., & Beroza, G. C. (2019). CRED: A deep residual "
    "network of convolutional and recurrent units for earthquake signal detection. "
    "Scientific Reports, 9, 10267. https://doi.org/10.1038/s41598-019-45748-1"
)

PRESETS = {
    "original": {
        "description": "CRED trained on STEAD by Mousavi et al. (2019): 60-s, 3-component windows at 100 Hz.",
        "files": [
            {
                "path": "cred/final_model.h5",
                "url": "https://github.com/smousavi05/CRED/raw/bf05b1df9f5232afb4d5348e0862b37496f17702/"
                "cred_original_outputs/final_model.h5",
                "sha256": "44ff82a1f4415a680af1785e5be8188ed6e9ead74b084803da456c207bfa042f",
                "size": 3661080,
            }
        ],
        "config": {},
        "metadata": {
            "citation": CITATION,
            "licence": LICENCE,
            "commit": "bf05b1df9f5232afb4d5348e0862b37496f17702",
            "repository": "https://github.com/smousavi05/CRED",
            "training_data": "STEAD (STanford EArthquake Dataset)",
            "keras_version": "2.3.1",
        },
    }
}

DEFAULT_PRESET = "original"
