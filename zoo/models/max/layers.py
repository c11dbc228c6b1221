"""The layers of MAX: spectrum and target scaling, patch embedding, attention, transformer blocks,
and the encoder and decoder built from them (see :mod:`zoo.models.max.model` for the networks).

Every layer derives from :class:`ConfigLayer`, whose ``CONFIG`` names the constructor arguments that
are stored as attributes and make up the Keras config; the encoder and the decoder share
:class:`TokenTransformer` (a learned token, fixed sine-cosine position embeddings and a stack of
:class:`TransformerBlock`). Attribute names follow the MAE reference code (``blocks``, ``norm``,
``cls_token``, ``pos_embed``; ``decoder_blocks``, ``decoder_norm``, ``mask_token``,
``decoder_pos_embed``): saved weights are matched by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

EPSILON = 1e-6
_PACKAGE = "zoo"


def sincos_position_embedding(length: int, dim: int, cls_token: bool = True) -> np.ndarray:
    """Fixed 1-D sine-cosine position embeddings ``[length (+1), dim]`` (MAE's formula).

    Position ``p`` and frequency ``w_k = 10000^(-k / (dim/2))`` give ``[sin(p w_k), cos(p w_k)]``;
    the class token (first row, if ``cls_token``) gets zeros.

    Example:
        >>> sincos_position_embedding(4, 8).shape
        (5, 8)
    """
    if dim % 2:
        raise ValueError(f"Position-embedding dimension must be even, got {dim}.")
    omega = 1.0 / 10000 ** (np.arange(dim // 2, dtype=np.float64) / (dim / 2.0))
    angles = np.outer(np.arange(length, dtype=np.float64), omega)
    emb = np.concatenate([np.sin(angles), np.cos(angles)], axis=1)
    if cls_token:
        emb = np.concatenate([np.zeros((1, dim)), emb], axis=0)
    return emb.astype("float32")


class ConfigLayer(layers.Layer):
    """Base of the MAX layers: the constructor arguments named in ``CONFIG`` are attributes of the
    layer and make up its Keras config, so that ``from_config(get_config())`` rebuilds it."""

    CONFIG: ClassVar[tuple[str, ...]] = ()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **{key: getattr(self, key) for key in self.CONFIG}}


class _Scaler(ConfigLayer):
    """Mean and standard deviation per entry of the last axis, as non-trainable weights."""

    def _add_statistics(self, size: int) -> None:
        self.mean = self.add_weight(shape=(size,), initializer="zeros", trainable=False, name="mean")
        self.std = self.add_weight(shape=(size,), initializer="ones", trainable=False, name="std")


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SpectrumStandardization(_Scaler):
    """Per-channel standardisation ``(counts - mean) / std`` with stored statistics.

    The statistics are non-trainable weights (saved with the model weights); :meth:`adapt` sets them
    from a set of spectra ``[n, channels]`` or ``[n, channels, 1]``. Channels whose standard
    deviation is below ``epsilon`` are divided by 1.

    Example:
        >>> layer = SpectrumStandardization(3)
        >>> layer.adapt(np.array([[0.0, 2.0, 5.0], [2.0, 4.0, 5.0]]))
        >>> layer(np.array([[[2.0], [2.0], [5.0]]], "float32")).numpy().ravel().tolist()
        [1.0, -1.0, 0.0]
    """

    CONFIG = ("num_channels", "epsilon")

    def __init__(self, num_channels: int, epsilon: float = EPSILON, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_channels = int(num_channels)
        self.epsilon = float(epsilon)
        self._add_statistics(self.num_channels)

    def adapt(self, spectra: Any) -> None:
        """Set mean and std per channel from spectra ``[n, channels(, 1)]`` (counts)."""
        data = np.asarray(spectra, dtype=np.float64).reshape(len(spectra), -1)
        if data.shape[1] != self.num_channels:
            raise ValueError(f"Expected spectra with {self.num_channels} channels, got {data.shape[1]}.")
        self.mean.assign(data.mean(axis=0).astype("float32"))
        self.std.assign(data.std(axis=0).astype("float32"))

    def _scale(self) -> tf.Tensor:
        return ops.where(self.std > self.epsilon, self.std, ops.ones_like(self.std))

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return (x - self.mean[:, None]) / self._scale()[:, None]

    def inverse(self, z: tf.Tensor) -> tf.Tensor:
        """Standardised values ``[batch, channels, 1]`` -> counts."""
        return z * self._scale()[:, None] + self.mean[:, None]


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TargetScaler(_Scaler):
    """Target normalisation ``z = (y - mean) / std`` per target (CaCO3, TOC in wt%) and its inverse.

    ``call`` applies the inverse transform, so a regressor's output is in physical units.

    Example:
        >>> scaler = TargetScaler(2)
        >>> scaler.adapt(np.array([[10.0, 1.0], [30.0, 3.0]]))
        >>> scaler(np.array([[1.0, -1.0]], "float32")).numpy().tolist()
        [[30.0, 1.0]]
    """

    CONFIG = ("num_targets", "epsilon")

    def __init__(self, num_targets: int, epsilon: float = EPSILON, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_targets = int(num_targets)
        self.epsilon = float(epsilon)
        self._add_statistics(self.num_targets)

    def adapt(self, targets: Any) -> None:
        """Set mean and std from targets ``[n, num_targets]`` (physical units)."""
        data = np.asarray(targets, dtype=np.float64)
        if data.ndim != 2 or data.shape[1] != self.num_targets:
            raise ValueError(f"Expected targets [n, {self.num_targets}], got shape {data.shape}.")
        self.mean.assign(data.mean(axis=0).astype("float32"))
        self.std.assign(np.maximum(data.std(axis=0), self.epsilon).astype("float32"))

    def normalize(self, y: Any) -> tf.Tensor:
        """Physical units -> normalised targets."""
        return (ops.convert_to_tensor(y, "float32") - self.mean) / self.std

    def call(self, z: tf.Tensor) -> tf.Tensor:
        return z * self.std + self.mean


@keras.saving.register_keras_serializable(package=_PACKAGE)
class PatchEmbedding(ConfigLayer):
    """Non-overlapping patches of ``patch_size`` channels -> ``embed_dim`` vectors (``proj``: Conv1D)."""

    CONFIG = ("patch_size", "embed_dim")

    def __init__(self, patch_size: int, embed_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.patch_size = int(patch_size)
        self.embed_dim = int(embed_dim)
        self.proj = layers.Conv1D(self.embed_dim, self.patch_size, strides=self.patch_size, name="proj")

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.proj.build(input_shape)

    def call(self, x: tf.Tensor) -> tf.Tensor:
        return self.proj(x)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Attention(ConfigLayer):
    """Multi-head self-attention with a fused ``qkv`` projection and an output ``proj`` (timm layout)."""

    CONFIG = ("dim", "num_heads")

    def __init__(self, dim: int, num_heads: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if dim % num_heads:
            raise ValueError(f"Embedding dimension {dim} is not divisible by {num_heads} heads.")
        self.dim = int(dim)
        self.num_heads = int(num_heads)
        self.qkv = layers.Dense(3 * self.dim, name="qkv")
        self.proj = layers.Dense(self.dim, name="proj")

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.qkv.build(input_shape)
        self.proj.build(input_shape)

    def call(self, x: tf.Tensor) -> tf.Tensor:
        batch, tokens = ops.shape(x)[0], ops.shape(x)[1]
        head_dim = self.dim // self.num_heads
        qkv = ops.reshape(self.qkv(x), (batch, tokens, 3, self.num_heads, head_dim))
        qkv = ops.transpose(qkv, (2, 0, 3, 1, 4))
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = ops.matmul(q, ops.transpose(k, (0, 1, 3, 2))) * (head_dim**-0.5)
        out = ops.matmul(ops.softmax(scores, axis=-1), v)
        out = ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (batch, tokens, self.dim))
        return self.proj(out)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class TransformerBlock(ConfigLayer):
    """Pre-norm transformer block: ``x + attn(norm1(x))``, then ``x + mlp(norm2(x))`` (exact GELU)."""

    CONFIG = ("dim", "num_heads", "mlp_ratio", "epsilon")

    def __init__(
        self, dim: int, num_heads: int, mlp_ratio: float = 4.0, epsilon: float = EPSILON, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.dim = int(dim)
        self.num_heads = int(num_heads)
        self.mlp_ratio = float(mlp_ratio)
        self.epsilon = float(epsilon)
        self.norm1 = layers.LayerNormalization(epsilon=self.epsilon, name="norm1")
        self.attn = Attention(self.dim, self.num_heads, name="attn")
        self.norm2 = layers.LayerNormalization(epsilon=self.epsilon, name="norm2")
        self.fc1 = layers.Dense(int(self.dim * self.mlp_ratio), name="fc1")
        self.fc2 = layers.Dense(self.dim, name="fc2")

    def build(self, input_shape: Sequence[int | None]) -> None:
        for layer in (self.norm1, self.attn, self.norm2, self.fc1):
            layer.build(input_shape)
        self.fc2.build((*input_shape[:-1], int(self.dim * self.mlp_ratio)))

    def call(self, x: tf.Tensor) -> tf.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(ops.gelu(self.fc1(self.norm2(x)), approximate=False))


class TokenTransformer(ConfigLayer):
    """Shared part of the encoder and the decoder: ``depth`` :class:`TransformerBlock` of width ``dim``
    followed by a LayerNorm, one learned token and fixed position embeddings for ``num_patches + 1``
    tokens. Subclasses set ``mlp_ratio`` and ``epsilon`` before calling :meth:`add_transformer`."""

    mlp_ratio: float
    epsilon: float

    def add_transformer(
        self, num_patches: int, dim: int, depth: int, num_heads: int, prefix: str, token: str
    ) -> tuple[list[TransformerBlock], layers.LayerNormalization, keras.Variable, keras.Variable]:
        """The blocks (named ``{prefix}blocks_{i}``), the final norm (``{prefix}norm``), the learned
        ``token`` ``[1, 1, dim]`` (N(0, 0.02) as in MAE) and the fixed sine-cosine ``{prefix}pos_embed``
        ``[1, num_patches + 1, dim]`` (row 0 for the class token)."""
        blocks = [
            TransformerBlock(dim, num_heads, self.mlp_ratio, self.epsilon, name=f"{prefix}blocks_{i}")
            for i in range(depth)
        ]
        norm = layers.LayerNormalization(epsilon=self.epsilon, name=f"{prefix}norm")
        learned = self.add_weight(
            shape=(1, 1, dim), initializer=keras.initializers.RandomNormal(stddev=0.02), name=token
        )
        position = self.add_weight(
            shape=(1, num_patches + 1, dim),
            initializer=keras.initializers.Constant(sincos_position_embedding(num_patches, dim)[None]),
            trainable=False,
            name=f"{prefix}pos_embed",
        )
        return blocks, norm, learned, position

    @staticmethod
    def build_transformer(blocks: list[TransformerBlock], norm: layers.Layer, dim: int) -> None:
        for block in blocks:
            block.build((None, None, dim))
        norm.build((None, None, dim))

    @staticmethod
    def run_transformer(x: tf.Tensor, blocks: list[TransformerBlock], norm: layers.Layer) -> tf.Tensor:
        for block in blocks:
            x = block(x)
        return norm(x)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SpectrumEncoder(TokenTransformer):
    """Patch embedding + fixed position embedding + class token + transformer blocks + final norm.

    ``call(z, keep_ids=None)`` takes standardised spectra ``[batch, channels, 1]`` and the indices
    ``[batch, visible]`` of the patches to encode (all patches if ``None``); it returns
    ``[batch, 1 + visible, embed_dim]`` (class token first).
    """

    CONFIG = ("num_channels", "patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio", "epsilon")

    def __init__(
        self,
        num_channels: int = 2048,
        patch_size: int = 16,
        embed_dim: int = 1024,
        depth: int = 24,
        num_heads: int = 16,
        mlp_ratio: float = 4.0,
        epsilon: float = EPSILON,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if num_channels % patch_size:
            raise ValueError(
                f"num_channels ({num_channels}) must be a multiple of patch_size ({patch_size})."
            )
        self.num_channels, self.patch_size = int(num_channels), int(patch_size)
        self.embed_dim, self.depth, self.num_heads = int(embed_dim), int(depth), int(num_heads)
        self.mlp_ratio, self.epsilon = float(mlp_ratio), float(epsilon)
        self.num_patches = self.num_channels // self.patch_size
        self.patch_embed = PatchEmbedding(self.patch_size, self.embed_dim, name="patch_embed")
        self.blocks, self.norm, self.cls_token, self.pos_embed = self.add_transformer(
            self.num_patches, self.embed_dim, self.depth, self.num_heads, prefix="", token="cls_token"
        )

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.patch_embed.build((None, self.num_channels, 1))
        self.build_transformer(self.blocks, self.norm, self.embed_dim)

    def call(self, z: tf.Tensor, keep_ids: tf.Tensor | None = None) -> tf.Tensor:
        tokens = self.patch_embed(z) + self.pos_embed[:, 1:, :]
        if keep_ids is not None:
            tokens = tf.gather(tokens, keep_ids, batch_dims=1)
        cls = self.cls_token + self.pos_embed[:, :1, :]
        cls = ops.broadcast_to(cls, (ops.shape(tokens)[0], 1, self.embed_dim))
        x = ops.concatenate([cls, tokens], axis=1)
        return self.run_transformer(x, self.blocks, self.norm)


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SpectrumDecoder(TokenTransformer):
    """MAE decoder: embed the encoded tokens, insert mask tokens, transformer blocks, predict patches.

    ``call(latent, restore_ids)`` takes the encoder output ``[batch, 1 + visible, embed_dim]`` and the
    permutation ``[batch, patches]`` that puts (visible, hidden) tokens back in channel order; it
    returns the predicted standardised counts ``[batch, patches, patch_size]``.
    """

    CONFIG = (
        "num_patches",
        "patch_size",
        "embed_dim",
        "decoder_embed_dim",
        "decoder_depth",
        "decoder_num_heads",
        "mlp_ratio",
        "epsilon",
    )

    def __init__(
        self,
        num_patches: int = 128,
        patch_size: int = 16,
        embed_dim: int = 1024,
        decoder_embed_dim: int = 512,
        decoder_depth: int = 8,
        decoder_num_heads: int = 16,
        mlp_ratio: float = 4.0,
        epsilon: float = EPSILON,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.num_patches, self.patch_size, self.embed_dim = int(num_patches), int(patch_size), int(embed_dim)
        self.decoder_embed_dim, self.decoder_depth = int(decoder_embed_dim), int(decoder_depth)
        self.decoder_num_heads = int(decoder_num_heads)
        self.mlp_ratio, self.epsilon = float(mlp_ratio), float(epsilon)
        self.decoder_embed = layers.Dense(self.decoder_embed_dim, name="decoder_embed")
        blocks, norm, token, position = self.add_transformer(
            self.num_patches,
            self.decoder_embed_dim,
            self.decoder_depth,
            self.decoder_num_heads,
            prefix="decoder_",
            token="mask_token",
        )
        self.decoder_blocks, self.decoder_norm = blocks, norm
        self.mask_token, self.decoder_pos_embed = token, position
        self.decoder_pred = layers.Dense(self.patch_size, name="decoder_pred")

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.decoder_embed.build((None, None, self.embed_dim))
        self.build_transformer(self.decoder_blocks, self.decoder_norm, self.decoder_embed_dim)
        self.decoder_pred.build((None, None, self.decoder_embed_dim))

    def call(self, latent: tf.Tensor, restore_ids: tf.Tensor) -> tf.Tensor:
        x = self.decoder_embed(latent)
        batch = ops.shape(x)[0]
        hidden = self.num_patches + 1 - ops.shape(x)[1]
        masks = ops.broadcast_to(self.mask_token, (batch, hidden, self.decoder_embed_dim))
        patches = tf.gather(ops.concatenate([x[:, 1:, :], masks], axis=1), restore_ids, batch_dims=1)
        x = ops.concatenate([x[:, :1, :], patches], axis=1) + self.decoder_pos_embed
        x = self.run_transformer(x, self.decoder_blocks, self.decoder_norm)
        return self.decoder_pred(x)[:, 1:, :]
