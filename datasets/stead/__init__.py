"""The stead TFDS builder (see stead_dataset_builder.py)."""
