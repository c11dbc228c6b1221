"""MAX converter: a random MAE-layout PyTorch state dict -> Keras, checked against a torch forward pass.

Only the forward-pass comparison needs torch (skipped without it). The .pth checkpoint of the other tests
is tests/fixtures/max_tiny.pth (written once with torch by tests/fixtures/make_torch_fixtures.py, its
values in max_tiny.npz), read by zoo.torch_pickle: converting it must not need torch at all.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zoo.models.max.convert import convert, convert_state_dict, export_state_dict
from zoo.models.max.model import build, build_regressor

FIXTURES = Path(__file__).parents[2] / "fixtures"
TINY = {  # the architecture of tests/fixtures/max_tiny.pth
    "num_channels": 64,
    "patch_size": 16,
    "embed_dim": 8,
    "depth": 1,
    "num_heads": 2,
    "decoder_embed_dim": 4,
    "decoder_depth": 1,
    "decoder_num_heads": 2,
}

SMALL = {
    "embed_dim": 32,
    "depth": 2,
    "num_heads": 4,
    "decoder_embed_dim": 16,
    "decoder_depth": 2,
    "decoder_num_heads": 2,
}
PATCH, CHANNELS, PATCHES = 16, 2048, 128


def _linear(sd: dict, name: str, n_out: int, n_in: int, rng: np.random.Generator) -> None:
    sd[f"{name}.weight"] = (rng.standard_normal((n_out, n_in)) * 0.2).astype("float32")
    sd[f"{name}.bias"] = (rng.standard_normal(n_out) * 0.1).astype("float32")


def _norm(sd: dict, name: str, dim: int, rng: np.random.Generator) -> None:
    sd[f"{name}.weight"] = (1.0 + 0.1 * rng.standard_normal(dim)).astype("float32")
    sd[f"{name}.bias"] = (0.1 * rng.standard_normal(dim)).astype("float32")


def _blocks(sd: dict, prefix: str, depth: int, dim: int, rng: np.random.Generator) -> None:
    for i in range(depth):
        _norm(sd, f"{prefix}.{i}.norm1", dim, rng)
        _linear(sd, f"{prefix}.{i}.attn.qkv", 3 * dim, dim, rng)
        _linear(sd, f"{prefix}.{i}.attn.proj", dim, dim, rng)
        _norm(sd, f"{prefix}.{i}.norm2", dim, rng)
        _linear(sd, f"{prefix}.{i}.mlp.fc1", 4 * dim, dim, rng)
        _linear(sd, f"{prefix}.{i}.mlp.fc2", dim, 4 * dim, rng)


def random_state_dict(seed: int = 0, regressor: bool = False) -> dict[str, np.ndarray]:
    """Names and shapes of the MAE reference (models_mae.py) with a 1-D patch embedding."""
    rng = np.random.default_rng(seed)
    d, dd = SMALL["embed_dim"], SMALL["decoder_embed_dim"]

    def normal(*shape: int, scale: float) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype("float32")

    sd = {
        "cls_token": normal(1, 1, d, scale=0.02),
        "pos_embed": normal(1, PATCHES + 1, d, scale=0.1),
        "patch_embed.proj.weight": normal(d, 1, PATCH, scale=0.1),
        "patch_embed.proj.bias": normal(d, scale=0.1),
    }
    _blocks(sd, "blocks", SMALL["depth"], d, rng)
    _norm(sd, "norm", d, rng)
    if regressor:
        _norm(sd, "fc_norm", d, rng)
        _linear(sd, "head", 2, d, rng)
        return sd
    _linear(sd, "decoder_embed", dd, d, rng)
    sd["mask_token"] = normal(1, 1, dd, scale=0.02)
    sd["decoder_pos_embed"] = normal(1, PATCHES + 1, dd, scale=0.1)
    _blocks(sd, "decoder_blocks", SMALL["decoder_depth"], dd, rng)
    _norm(sd, "decoder_norm", dd, rng)
    _linear(sd, "decoder_pred", PATCH, dd, rng)
    return sd


def _torch_blocks(x: Any, sd: dict, prefix: str, depth: int, heads: int) -> Any:
    import torch

    F = torch.nn.functional
    b, n, d = x.shape
    for i in range(depth):
        p = f"{prefix}.{i}."
        h = F.layer_norm(x, (d,), sd[p + "norm1.weight"], sd[p + "norm1.bias"], eps=1e-6)
        qkv = F.linear(h, sd[p + "attn.qkv.weight"], sd[p + "attn.qkv.bias"])
        q, k, v = qkv.reshape(b, n, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
        attn = ((q @ k.transpose(-2, -1)) * (d // heads) ** -0.5).softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, d)
        x = x + F.linear(out, sd[p + "attn.proj.weight"], sd[p + "attn.proj.bias"])
        h = F.layer_norm(x, (d,), sd[p + "norm2.weight"], sd[p + "norm2.bias"], eps=1e-6)
        x = x + F.linear(F.gelu(F.linear(h, sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"])),
                         sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"])  # fmt: skip
    return x


def torch_mae(sd: dict, z: np.ndarray, ids_keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MAE reference forward (encoder on kept patches, decoder) on standardised spectra [B, C]."""
    import torch

    F = torch.nn.functional
    x = torch.from_numpy(z)[:, None, :]
    x = F.conv1d(x, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=PATCH).transpose(1, 2)
    x = x + sd["pos_embed"][:, 1:, :]
    keep = torch.from_numpy(ids_keep)
    x = torch.gather(x, 1, keep[..., None].expand(-1, -1, x.shape[-1]))
    cls = (sd["cls_token"] + sd["pos_embed"][:, :1, :]).expand(x.shape[0], -1, -1)
    x = torch.cat([cls, x], dim=1)
    x = _torch_blocks(x, sd, "blocks", SMALL["depth"], SMALL["num_heads"])
    latent = F.layer_norm(x, (x.shape[-1],), sd["norm.weight"], sd["norm.bias"], eps=1e-6)
    hidden = np.setdiff1d(np.arange(PATCHES), ids_keep[0])
    ids_shuffle = torch.from_numpy(np.concatenate([ids_keep, np.tile(hidden, (len(z), 1))], axis=1))
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    y = F.linear(latent, sd["decoder_embed.weight"], sd["decoder_embed.bias"])
    masks = sd["mask_token"].repeat(y.shape[0], PATCHES + 1 - y.shape[1], 1)
    y_ = torch.cat([y[:, 1:, :], masks], dim=1)
    y_ = torch.gather(y_, 1, ids_restore[..., None].expand(-1, -1, y.shape[-1]))
    y = torch.cat([y[:, :1, :], y_], dim=1) + sd["decoder_pos_embed"]
    y = _torch_blocks(y, sd, "decoder_blocks", SMALL["decoder_depth"], SMALL["decoder_num_heads"])
    y = F.layer_norm(y, (y.shape[-1],), sd["decoder_norm.weight"], sd["decoder_norm.bias"], eps=1e-6)
    pred = F.linear(y, sd["decoder_pred.weight"], sd["decoder_pred.bias"])[:, 1:, :]
    return latent.numpy(), pred.numpy()


@pytest.fixture(scope="module")
def state_dict() -> dict[str, np.ndarray]:
    return random_state_dict()


def test_converted_model_matches_torch_forward(state_dict, tmp_path) -> None:
    """Written by torch.save, read without torch, the Keras port computes what the MAE reference does."""
    torch = pytest.importorskip("torch")
    path = tmp_path / "max_pretrain.pth"
    state_dict = {name: torch.from_numpy(value) for name, value in state_dict.items()}
    torch.save({"model": state_dict, "epoch": 3}, path)
    model = build(**SMALL)
    convert(model, {path.name: path})
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2, CHANNELS)).astype("float32")
    keep = np.sort(rng.permutation(PATCHES)[:64])
    ids_keep = np.tile(keep, (2, 1))
    hidden = np.ones((2, PATCHES), "float32")
    hidden[:, keep] = 0.0
    with torch.no_grad():
        latent_ref, pred_ref = torch_mae(state_dict, z, ids_keep)
    latent = model.encoder(z[..., None], keep_ids=ids_keep).numpy()
    np.testing.assert_allclose(latent, latent_ref, atol=1e-4)
    pred = model(z[..., None], hidden=hidden)["pred"].numpy()  # standardiser is identity (mean 0, std 1)
    np.testing.assert_allclose(pred, pred_ref, atol=1e-4)


def test_round_trip(state_dict) -> None:
    model = build(**SMALL)
    convert_state_dict(model, state_dict)
    back = export_state_dict(model)
    assert sorted(back) == sorted(state_dict)
    for name, value in state_dict.items():
        np.testing.assert_array_equal(back[name], value, err_msg=name)


def test_regressor_from_finetuned_and_pretraining_checkpoints(state_dict) -> None:
    kwargs = {k: v for k, v in SMALL.items() if not k.startswith("decoder")}
    regressor = build_regressor(**kwargs)
    finetuned = random_state_dict(1, regressor=True)
    convert_state_dict(regressor, finetuned)
    np.testing.assert_array_equal(regressor.head.kernel.numpy(), finetuned["head.weight"].T)
    # A pre-training checkpoint has no head: the head is a missing entry, the decoder is ignored.
    with pytest.raises(ValueError, match="fc_norm"):
        convert_state_dict(build_regressor(**kwargs), state_dict)
    convert_state_dict(
        build_regressor(**kwargs),
        {**state_dict, **{k: finetuned[k] for k in finetuned if "head" in k or "fc_norm" in k}},
    )


def test_missing_leftover_and_shape_errors(state_dict, tmp_path) -> None:
    model = build(**SMALL)
    with pytest.raises(ValueError, match="blocks.1.mlp.fc2.bias"):
        convert_state_dict(model, {k: v for k, v in state_dict.items() if k != "blocks.1.mlp.fc2.bias"})
    with pytest.raises(ValueError, match="not used.*extra.weight"):
        convert_state_dict(model, {**state_dict, "extra.weight": np.zeros(3)})
    with pytest.raises(ValueError, match="pos_embed"):
        convert_state_dict(model, {**state_dict, "pos_embed": np.zeros((1, 65, 32))})
    with pytest.raises(ValueError, match="one .weights.h5 or one .pth"):
        convert(model, {"a.bin": tmp_path / "a.bin"})


def test_statistics_file_sets_standardisation(tmp_path) -> None:
    path = FIXTURES / "max_tiny.pth"
    stats = tmp_path / "stats.npz"
    channels = TINY["num_channels"]
    np.savez(stats, mean=np.arange(channels, dtype="float32"), std=np.full(channels, 2.0, "float32"))
    model = build(**TINY)
    convert(model, {path.name: path, stats.name: stats})
    np.testing.assert_array_equal(model.standardizer.mean.numpy(), np.arange(channels))
    np.testing.assert_array_equal(model.standardizer.std.numpy(), 2.0)


def _expected_tiny() -> dict[str, np.ndarray]:
    with np.load(FIXTURES / "max_tiny.npz") as stored:
        return {name: stored[name] for name in stored.files}


def test_committed_pytorch_checkpoint_converts(tmp_path) -> None:
    """A checkpoint written by torch.save ({"model": state dict, "epoch": 3}) gives exactly its values."""
    path = FIXTURES / "max_tiny.pth"
    model = build(**TINY)
    convert(model, {path.name: path})
    back = export_state_dict(model)
    expected = _expected_tiny()
    assert sorted(back) == sorted(expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(back[name], value, err_msg=name)
    np.testing.assert_array_equal(
        model.encoder.patch_embed.proj.kernel.numpy()[:, 0, 0], expected["patch_embed.proj.weight"][0, 0]
    )
    legacy = FIXTURES / "torch_legacy.pt"
    with pytest.raises(ValueError, match="legacy format"):
        convert(model, {legacy.name: legacy})


CONVERT_WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # any `import torch` now raises ImportError
import numpy as np
from zoo.models.max.convert import convert, export_state_dict
from zoo.models.max.model import build
model = build(**{tiny!r})
convert(model, {{"max_tiny.pth": {path!r}}})
for name, value in export_state_dict(model).items():
    np.save(sys.stdout.buffer, value)
"""


def test_conversion_needs_no_torch() -> None:
    code = CONVERT_WITHOUT_TORCH.format(tiny=TINY, path=str(FIXTURES / "max_tiny.pth"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    expected = _expected_tiny()
    names = list(export_state_dict(build(**TINY)))
    stream = io.BytesIO(out.stdout)
    for name in names:
        np.testing.assert_array_equal(np.load(stream), expected[name], err_msg=name)
