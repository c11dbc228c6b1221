"""stead: the STanford EArthquake Dataset (Mousavi et al., 2019) as labelled training elements.

Manual download: STEAD's ``merged.hdf5`` + ``merged.csv`` (or one chunk's ``chunkN.hdf5`` +
``chunkN.csv``) in the manual folder. Reading and column names are those of
:mod:`zoo.data.stead`: each example is one 60 s trace (``waveform`` ``[6000, 3]`` float32 in the
config's component order, raw counts), P and S arrival samples (NaN for noise traces), trace name,
event id, sampling rate (100 Hz), mean SNR (dB), trace category, magnitude and epicentral distance.
Splits are by event (:func:`zoo.data.splits.split_by_event`, 80/10/10 with seed 0 by default): all
traces of one event land in the same split; ``validation`` is SeisBench's ``dev``.

Example:
    >>> import tensorflow_datasets as tfds
    >>> import zoo.datasets
    >>> zoo.datasets.register("stead").name
    'stead'
    >>> ds = tfds.load("stead", split="train", download_and_prepare_kwargs={
    ...     "download_config": tfds.download.DownloadConfig(manual_dir="~/STEAD")})  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import tensorflow_datasets as tfds
from etils import epath

from zoo.data import stead
from zoo.data.elements import tfds_examples, tfds_features
from zoo.data.splits import TFDS_SPLIT_NAMES

EXTRA = {"trace_category": "text", "source_magnitude": "float", "path_ep_distance_km": "float"}


@dataclasses.dataclass
class SteadConfig(tfds.core.BuilderConfig):
    """Component order of ``waveform`` and the event split (fractions of events, seed)."""

    components: str = "ENZ"
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    split_seed: int = 0


class Builder(tfds.core.GeneratorBasedBuilder):
    """STEAD traces with P/S arrival samples, split by event."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Download STEAD from https://github.com/smousavi05/STEAD (merged.hdf5 and merged.csv, about 85 GB, "
        "or single chunks) and place merged.hdf5 + merged.csv (or one chunkN.hdf5 + chunkN.csv pair) in the "
        "manual folder."
    )
    BUILDER_CONFIGS = [
        SteadConfig(
            name="enz", description="Components E, N, Z (STEAD's own order); split 80/10/10 by event."
        ),
        SteadConfig(name="zne", components="ZNE", description="Components Z, N, E; split 80/10/10 by event."),
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds_features(len(self.builder_config.components), EXTRA),
            supervised_keys=None,
            homepage="https://github.com/smousavi05/STEAD",
            citation=(
                "Mousavi, S. M., Sheng, Y., Zhu, W., Beroza, G. C. (2019). "
                "STanford EArthquake Dataset (STEAD): "
                "A Global Data Set of Seismic Signals for AI. IEEE Access, doi:10.1109/ACCESS.2019.2947848"
            ),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        root = Path(epath.Path(dl_manager.manual_dir))
        cfg = self.builder_config
        metadata = stead.read_metadata(root, fractions=cfg.fractions, split_seed=cfg.split_seed)
        return {
            name: self._generate_examples(root, metadata[metadata.split == split])
            for split, name in TFDS_SPLIT_NAMES.items()
            if (metadata.split == split).any()
        }

    def _generate_examples(self, root: Path, metadata):
        examples = stead.iter_examples(
            root, components=self.builder_config.components, columns=list(EXTRA), metadata=metadata
        )
        yield from tfds_examples(examples, list(EXTRA))
