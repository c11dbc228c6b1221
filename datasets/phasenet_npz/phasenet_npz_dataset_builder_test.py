"""TFDS builder test of phasenet_npz on 6 dummy records (64 samples) with a labels.csv."""

import numpy as np
import pandas as pd
import tensorflow_datasets as tfds

from . import phasenet_npz_dataset_builder as pnb


class PhasenetNpzTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = pnb.Builder
    SPLITS = {"train": 4, "validation": 1, "test": 1}
    SKIP_CHECKSUMS = True

    def test_records_equal_files_and_labels(self):
        builder = self.builder
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=self.dummy_data))
        labels = pd.read_csv(self.dummy_data / "labels.csv").set_index("fname")
        names = []
        for split in self.SPLITS:
            for ex in tfds.as_numpy(builder.as_dataset(split=split)):
                fname = ex["trace_name"].decode() + ".npz"
                names.append(fname)
                with (self.dummy_data / fname).open("rb") as fh:
                    np.testing.assert_array_equal(ex["waveform"], np.load(fh)["data"].astype(np.float32))
                itp, its = labels.loc[fname, "itp"], labels.loc[fname, "its"]
                self.assertTrue(
                    np.isnan(ex["trace_p_arrival_sample"]) if itp < 0 else ex["trace_p_arrival_sample"] == itp
                )
                self.assertTrue(
                    np.isnan(ex["trace_s_arrival_sample"]) if its < 0 else ex["trace_s_arrival_sample"] == its
                )
        self.assertEqual(sorted(names), sorted(labels.index))


if __name__ == "__main__":
    tfds.testing.test_main()
