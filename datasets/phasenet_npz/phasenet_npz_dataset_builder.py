"""phasenet_npz: records in PhaseNet's NPZ + CSV format (the format of PhaseNet's NCEDC data).

Manual data: a folder of ``<fname>.npz`` files (``data`` ``[samples, 3]``, E, N, Z) and a labels
CSV with ``fname`` and the P/S arrival samples (PhaseNet's ``itp``/``its``), found in the folder or
its parent unless the config names it. Reading is :mod:`zoo.data.phasenet_npz`: each example is one
record (``waveform`` float32 in the config's component order, raw values), arrival samples (NaN when
negative or empty), record name, an empty event id (the format has none), sampling rate and NaN SNR.
The records are split 80/10/10 with :func:`zoo.data.splits.split_by_event`, record by record
(seeded, reproducible); ``validation`` is SeisBench's ``dev``.

Example:
    >>> import tensorflow_datasets as tfds
    >>> import zoo.datasets
    >>> zoo.datasets.register("phasenet_npz").name
    'phasenet_npz'
    >>> ds = tfds.load("phasenet_npz", split="train", download_and_prepare_kwargs={
    ...     "download_config": tfds.download.DownloadConfig(manual_dir="ncedc/train")})  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import tensorflow_datasets as tfds
from etils import epath

from zoo.data import phasenet_npz
from zoo.data.elements import tfds_examples, tfds_features
from zoo.data.splits import TFDS_SPLIT_NAMES


@dataclasses.dataclass
class PhasenetNpzConfig(tfds.core.BuilderConfig):
    """Where the records are (relative to the manual folder), label columns, components, split."""

    folder: str = ""
    labels: str = ""
    p_column: str = "itp"
    s_column: str = "its"
    sampling_rate: float = 100.0
    components: str = "ENZ"
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    split_seed: int = 0


class Builder(tfds.core.GeneratorBasedBuilder):
    """PhaseNet NPZ records with P/S arrival samples, seeded 80/10/10 split."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Place the .npz records (array 'data' [samples, 3] in E, N, Z order) in the manual folder "
        "with a labels CSV (columns fname, itp, its: arrival samples, negative or empty when absent) "
        "in the same folder or its parent. PhaseNet's NCEDC example data "
        "(https://github.com/AI4EPS/PhaseNet, test_data) has this layout."
    )
    BUILDER_CONFIGS = [
        PhasenetNpzConfig(name="enz", description="Components E, N, Z; arrivals from itp/its."),
        PhasenetNpzConfig(
            name="zne", components="ZNE", description="Components Z, N, E; arrivals from itp/its."
        ),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds_features(len(self.builder_config.components)),
            supervised_keys=None,
            homepage="https://github.com/AI4EPS/PhaseNet",
            citation=(
                "Zhu, W., Beroza, G. C. (2019). PhaseNet: a deep-neural-network-based seismic arrival-time "
                "picking method. Geophysical Journal International 216(1), 261-273."
            ),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        cfg = self.builder_config
        root = epath.Path(dl_manager.manual_dir)
        folder = Path(root / cfg.folder if cfg.folder else root)
        labels = Path(root / cfg.labels) if cfg.labels else phasenet_npz.find_labels(folder)
        metadata = phasenet_npz.read_labels(
            labels,
            cfg.p_column,
            cfg.s_column,
            cfg.sampling_rate,
            fractions=cfg.fractions,
            split_seed=cfg.split_seed,
        )
        return {
            name: self._generate_examples(folder, metadata[metadata.split == split])
            for split, name in TFDS_SPLIT_NAMES.items()
            if (metadata.split == split).any()
        }

    def _generate_examples(self, folder: Path, metadata):
        yield from tfds_examples(
            phasenet_npz.iter_examples(folder, components=self.builder_config.components, metadata=metadata)
        )
