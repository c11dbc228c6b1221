"""TFDS builder test of seisbench_waveforms on a dummy bucketed dataset (ZNE, CW, 6 traces, 64 samples)."""

import h5py
import numpy as np
import pandas as pd
import tensorflow_datasets as tfds

from . import seisbench_waveforms_dataset_builder as sbb


class SeisbenchWaveformsTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = sbb.Builder
    SPLITS = {"train": 3, "validation": 1, "test": 2}
    SKIP_CHECKSUMS = True

    def test_buckets_components_and_split_column(self):
        builder = self.builder
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=self.dummy_data))
        csv = pd.read_csv(self.dummy_data / "metadata.csv").set_index("trace_name")
        seen = 0
        with h5py.File(self.dummy_data / "waveforms.hdf5", "r") as f:
            for split in self.SPLITS:
                for ex in tfds.as_numpy(builder.as_dataset(split=split)):
                    name = ex["trace_name"].decode()
                    bucket, row = name.split("$")[0], int(name.split("$")[1].split(",")[0])
                    zne = f[f"data/{bucket}"][row]  # [3, 64]: Z, N, E rows
                    np.testing.assert_array_equal(ex["waveform"], zne[::-1].T)  # E, N, Z columns
                    self.assertEqual(
                        {"dev": "validation"}.get(csv.loc[name, "split"], csv.loc[name, "split"]), split
                    )
                    self.assertEqual(ex["trace_p_arrival_sample"], csv.loc[name, "trace_p_arrival_sample"])
                    s = csv.loc[name, "trace_s_arrival_sample"]
                    self.assertTrue(
                        np.isnan(ex["trace_s_arrival_sample"])
                        if np.isnan(s)
                        else ex["trace_s_arrival_sample"] == s
                    )
                    seen += 1
        self.assertEqual(seen, 6)


if __name__ == "__main__":
    tfds.testing.test_main()
