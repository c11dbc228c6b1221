"""The seisbench_waveforms TFDS builder (see seisbench_waveforms_dataset_builder.py)."""
