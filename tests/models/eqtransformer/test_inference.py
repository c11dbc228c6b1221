"""EQTransformer's inference copy: rewritten decoders plus the XLA-compiled middle, same outputs."""

import keras
import numpy as np
import pytest

import zoo
from zoo.models.compiled_block import CompiledBlock
from zoo.models.eqtransformer.inference import inference_model, middle
from zoo.models.eqtransformer.model import build


@pytest.mark.parametrize("bilstm_blocks", [2, 3])
def test_every_recurrent_and_attention_layer_runs_inside_the_compiled_block(bilstm_blocks):
    model = build(bilstm_blocks=bilstm_blocks)
    assert middle(model)[1] == ("layer_normalization_4", "attentionP", "attentionS")
    network = inference_model(model)
    (block,) = [layer for layer in network.layers if isinstance(layer, CompiledBlock)]
    slow = (keras.layers.Bidirectional, keras.layers.LSTM, zoo.models.eqtransformer.layers.SeqSelfAttention)
    inside = {layer.name for layer in block.block.layers if isinstance(layer, slow)}
    everywhere = {layer.name for layer in model.layers if isinstance(layer, slow)}
    assert inside == everywhere and len(everywhere) == bilstm_blocks + 6
    assert not [layer for layer in network.layers if isinstance(layer, slow)]


def test_inference_copy_gives_the_models_outputs_and_shares_its_dropout(pretrained):
    model = pretrained("eqtransformer")
    network = inference_model(model)
    x = np.random.default_rng(0).normal(0, 1, (3, 6000, 3)).astype(np.float32)
    outputs = network(x)
    for got, want in zip(outputs, model(x)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=2e-6)
    with zoo.card("eqtransformer").annotation.mc_dropout(model):
        assert not np.array_equal(network(x[:1])[1].numpy(), outputs[1].numpy()[:1])


def test_label_network_ends_in_the_cards_post_processing(pretrained):
    model = pretrained("eqtransformer")
    annotation = model.zoo_card.annotation
    network, finish = annotation.label_network(model)
    x = np.random.default_rng(1).normal(0, 1, (2, 6000, 3)).astype(np.float32)
    assert finish(x) is x
    expected = annotation.postprocess(model(x)).numpy()
    np.testing.assert_allclose(network(x).numpy(), expected, atol=2e-6)
