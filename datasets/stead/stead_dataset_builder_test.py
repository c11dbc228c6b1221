"""Builder test of stead on a dummy merged.hdf5/merged.csv (6 earthquake + 2 noise traces of 64 samples)."""

import h5py
import numpy as np
import pandas as pd
import tensorflow_datasets as tfds

from . import stead_dataset_builder as sdb


class SteadTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = sdb.Builder
    SPLITS = {"train": 4, "validation": 2, "test": 2}
    SKIP_CHECKSUMS = True

    def test_values_and_event_split(self):
        builder = self.builder
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=self.dummy_data))
        csv = pd.read_csv(self.dummy_data / "merged.csv", dtype={"source_id": str}).set_index("trace_name")
        events = {}
        with h5py.File(self.dummy_data / "merged.hdf5", "r") as f:
            for split in self.SPLITS:
                for ex in tfds.as_numpy(builder.as_dataset(split=split)):
                    name = ex["trace_name"].decode()
                    row = csv.loc[name]
                    np.testing.assert_array_equal(ex["waveform"], f[f"data/{name}"][()])  # E, N, Z as stored
                    if row.trace_category == "noise":
                        self.assertTrue(np.isnan(ex["trace_p_arrival_sample"]))
                        self.assertEqual(ex["source_id"], b"")
                    else:
                        self.assertEqual(ex["trace_p_arrival_sample"], row.p_arrival_sample)
                        self.assertEqual(ex["trace_s_arrival_sample"], row.s_arrival_sample)
                        self.assertAlmostEqual(float(ex["source_magnitude"]), row.source_magnitude, places=5)
                        events.setdefault(row.source_id, set()).add(split)
        self.assertEqual(len(events), 4)
        self.assertTrue(all(len(splits) == 1 for splits in events.values()))


if __name__ == "__main__":
    tfds.testing.test_main()
