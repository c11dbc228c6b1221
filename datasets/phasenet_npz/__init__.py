"""The phasenet_npz TFDS builder (see phasenet_npz_dataset_builder.py)."""
