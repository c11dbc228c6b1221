"""A SeisBench PhaseNet file (labels N, P, S) exported for TF Serving: its inference copy ends in the
variant's own post-processing (``LabelCurves``), not PhaseNet's label order, and the served curves are
the Keras path's."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import zoo


def test_seisbench_phasenet_serves_its_own_label_order(seisbench_reference, shared, tmp_path):
    pt, _ = seisbench_reference.files("phasenet_finetuned")
    model = zoo.load(str(zoo.convert_seisbench(pt, "phasenet", tmp_path / "preset")))
    card = model.zoo_card
    assert card.annotation.labels == ("N", "P", "S")
    x = np.load(shared / "reference" / "phasenet_original_ncedc77.npz")["x"][:2, :, 0, :]
    x = np.pad(x, [(0, 0), (0, card.waveform.samples - x.shape[1]), (0, 0)])
    expected = card.annotation.postprocess(model(card.waveform.normalize(x), training=False)).numpy()
    served = tf.saved_model.load(str(zoo.export(model, tmp_path / "serving")))
    curves = served.signatures["annotate_window"](waveform=tf.constant(x, tf.float32))
    np.testing.assert_allclose(next(iter(curves.values())).numpy(), expected, atol=1e-5)
    reordered = expected[..., [1, 2, 0]]  # what PhaseNet's own label order would have served
    assert np.abs(reordered - expected).max() > 0.1
