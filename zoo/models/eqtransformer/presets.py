"""EQTransformer presets: the authors' published Keras 2 HDF5 files at a pinned commit (data only)."""

_COMMIT = "3d9cd6c288aa9f9284bd64775ad6ae074f9dd4c0"
_BASE = f"https://github.com/smousavi05/EQTransformer/raw/{_COMMIT}/ModelsAndSampleData"
LICENCE = "MIT"
CITATION = (
    "Mousavi, S. M., Ellsworth, W. L., Zhu, W., Chuang, L. Y., & Beroza, G. C. (2020). Earthquake "
    "transformer - an attentive deep-learning model for simultaneous earthquake detection and phase "
    "picking. Nature Communications, 11, 3952. https://doi.org/10.1038/s41467-020-17591-w"
)

PRESETS = {
    "original": {
        "description": "EQTransformer as published (EqT_original_model.h5, Keras 2.3), trained on STEAD.",
        "files": [
            {
                "path": "eqtransformer/EqT_original_model.h5",
                "url": f"{_BASE}/EqT_original_model.h5",
                "sha256": "07b3ffc8065164ece44a367b145b0db66e25586d89269ec4d8c340c34966d452",
                "size": 5083288,
            }
        ],
        "config": {"bilstm_blocks": 2, "drop_rate": 0.2, "lstm_recurrent_activation": "sigmoid"},
        "metadata": {
            "citation": CITATION,
            "licence": LICENCE,
            "commit": _COMMIT,
            "training_data": "STEAD",
            "parameters": 373495,
        },
    },
    "conservative": {
        "description": (
            "EQTransformer conservative model (EqT_model_conservative.h5, Keras 2.2.4, 3 BiLSTM blocks): "
            "fewer false positives."
        ),
        "files": [
            {
                "path": "eqtransformer/EqT_model_conservative.h5",
                "url": f"{_BASE}/EqT_model_conservative.h5",
                "sha256": "0a9179fd40f9cda4fbc5372dd5f660bc35e69620d91dd7bdffe7f65baf7bd99b",
                "size": 5165304,
            }
        ],
        "config": {"bilstm_blocks": 3, "drop_rate": 0.1, "lstm_recurrent_activation": "hard_sigmoid"},
        "metadata": {
            "citation": CITATION,
            "licence": LICENCE,
            "commit": _COMMIT,
            "training_data": "STEAD",
            "parameters": 378311,
        },
    },
}

DEFAULT_PRESET = "original"
