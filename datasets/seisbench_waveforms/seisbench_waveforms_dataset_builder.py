"""seisbench_waveforms: any dataset in SeisBench's format (ETHZ, INSTANCE, GEOFON, SCEDC, ... conversions).

Manual data: a SeisBench dataset folder (``metadata.csv`` + ``waveforms.hdf5``, or chunked
``metadata<chunk>.csv`` + ``waveforms<chunk>.hdf5`` pairs; bucketed trace names such as
``bucket3$12,:3,:6000`` are resolved) in the manual folder, or in ``<manual folder>/<subdir>`` for a
config with ``subdir`` set. Reading is :mod:`zoo.data.seisbench`: each example is one trace
(``waveform`` ``[samples, 3]`` float32 in the config's component order, zeros for components the
trace lacks, raw values, original sampling rate), the earliest P-type and S-type arrival sample (NaN
when absent), trace name, event id, sampling rate (Hz) and SNR (dB, NaN when the metadata has none).
Splits follow the metadata's ``split`` column (``dev`` becomes ``validation``), or
:func:`zoo.data.splits.split_by_event` when there is none.

Several datasets: build each with its own config, e.g.
``SeisbenchWaveformsConfig(name="ethz", subdir="ethz")``, under one manual folder.

Example:
    >>> import tensorflow_datasets as tfds
    >>> import zoo.datasets
    >>> zoo.datasets.register("seisbench_waveforms").name
    'seisbench_waveforms'
    >>> builder = tfds.builder("seisbench_waveforms")  # doctest: +SKIP
    >>> builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
    ...     manual_dir="~/.seisbench/datasets/ethz"))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import tensorflow_datasets as tfds
from etils import epath

from zoo.data import seisbench
from zoo.data.elements import tfds_examples, tfds_features
from zoo.data.splits import TFDS_SPLIT_NAMES


@dataclasses.dataclass
class SeisbenchWaveformsConfig(tfds.core.BuilderConfig):
    """Sub-folder of the manual folder, component order, event split used when there is no split column."""

    subdir: str = ""
    components: str = "ENZ"
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    split_seed: int = 0


class Builder(tfds.core.GeneratorBasedBuilder):
    """Traces of a SeisBench-format dataset with P/S arrival samples."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Place a dataset in SeisBench's format in the manual folder: metadata.csv + waveforms.hdf5 (or "
        "metadata<chunk>.csv + waveforms<chunk>.hdf5 pairs). SeisBench downloads its datasets to "
        "~/.seisbench/datasets/<name>/ (e.g. `python -c 'import seisbench.data as sbd; sbd.ETHZ()'`); "
        "point manual_dir there, or use a config with subdir=<name>."
    )
    BUILDER_CONFIGS = [
        SeisbenchWaveformsConfig(name="enz", description="Components E, N, Z."),
        SeisbenchWaveformsConfig(name="zne", components="ZNE", description="Components Z, N, E."),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds_features(len(self.builder_config.components)),
            supervised_keys=None,
            homepage="https://seisbench.readthedocs.io/en/stable/pages/data_format.html",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        cfg = self.builder_config
        root = epath.Path(dl_manager.manual_dir)
        root = Path(root / cfg.subdir if cfg.subdir else root)
        metadata = seisbench.read_metadata(root, fractions=cfg.fractions, split_seed=cfg.split_seed)
        return {
            name: self._generate_examples(root, metadata[metadata.split == split])
            for split, name in TFDS_SPLIT_NAMES.items()
            if (metadata.split == split).any()
        }

    def _generate_examples(self, root: Path, metadata):
        yield from tfds_examples(
            seisbench.iter_examples(root, components=self.builder_config.components, metadata=metadata)
        )
