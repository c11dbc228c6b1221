"""Preset table of ``xdisc`` (data only). Shipped weights live in ``weights/`` inside this package."""

CITATION = "geozoo synthetic X-discontinuity classifier (zoo.models.xdisc)"
LICENCE = "MIT"

PRESETS = {
    "synthetic-v1": {
        "description": "Trained on AK135 + IASP91 synthetic receiver-function images; 94% on held-out PREM.",
        "files": [
            {
                "path": "weights/synthetic-v1.weights.h5",
                "package": "zoo.models.xdisc",
                "url": "",
                "sha256": "97475677c12d21111764f4d0f204d7e1345fcc8615550440ed6d1252727475bf",
                "size": 319152,
            }
        ],
        "config": {},
        "metadata": {
            "command": (
                "zoo train --model xdisc --stage synthetic --models ak135 iasp91 "
                "--n-per-model 6000 --epochs 12 --seed 7 --evaluate-on prem --n-eval 2000 "
                "--output zoo/models/xdisc/weights/synthetic-v1.weights.h5 --overwrite"
            ),
            "training_data": "zoo.synth.rf_images.random_images: 6000 images each of ak135 (seed 7) and "
            "iasp91 (seed 8), 16 traces x 325 samples at 5 Hz, SNR 20-200, 10 % held out for validation",
            "training_seed": 7,
            "metrics": {
                "reference": "prem",
                "n": 2000,
                "seed": 1007,
                "snr_range": [20.0, 200.0],
                "accuracy": 0.9445,
                "accuracy_by_snr": {"20-40": 0.8729, "40-80": 0.9509, "80-120": 0.9913, "120-200": 0.9956},
                "detection_by_x_depth_km": {
                    "250-275": 0.9228,
                    "275-300": 0.906,
                    "300-325": 0.9237,
                    "325-350": 0.8926,
                },
                "false_positive_rate": 0.0213,
            },
            "citation": CITATION,
            "licence": LICENCE,
        },
    },
}
DEFAULT_PRESET = "synthetic-v1"
