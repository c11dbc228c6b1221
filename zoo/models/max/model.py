"""MAX (Lee et al. 2024): a 1-D Vision-Transformer masked autoencoder on XRF core-scanner spectra.

A spectrum of ``num_channels`` detector channels (counts, ``[batch, channels, 1]`` float32, 2048
channels by default) is standardised channel by channel (mean and standard deviation over the
pre-training set, non-trainable weights of :class:`~zoo.models.max.layers.SpectrumStandardization`), cut
into ``num_channels / patch_size`` patches (16 channels each -> 128 patches), embedded by a strided
convolution and given fixed sine-cosine position embeddings. Pre-training hides a random
``mask_ratio`` of the patches of every spectrum (exactly ``round(mask_ratio * patches)``, half up), the
encoder sees the visible patches (plus a class token) only, and a light decoder predicts the
standardised counts of all patches; the loss is the mean squared error over the hidden patches only.

The layout follows the MAE reference code of He et al. (``models_mae.py``) so the published PyTorch
state dict converts by name (``zoo.models.max.convert``): pre-norm blocks ``norm1 -> attn(qkv,
proj) -> norm2 -> mlp(fc1, GELU, fc2)``, LayerNorm epsilon 1e-6, MLP ratio 4, class token with a zero
position embedding, mask token, decoder ``decoder_embed -> decoder_blocks -> decoder_norm ->
decoder_pred``. Differences from the reference: 1-D patches (``Conv1D``), exact round-half-up
count of hidden patches (the reference keeps ``int(L * (1 - ratio))``), per-channel standardisation
inside the network (the paper standardises each spectrum), and the regressor pools the mean of the
patch tokens (MAE's ``global_pool``) in both linear-probe and fine-tune modes.

This module builds the networks (:func:`build`, :func:`build_regressor`); their layers are in
:mod:`zoo.models.max.layers`.

Example:
    >>> import numpy as np
    >>> from zoo.models.max.model import build
    >>> model = build(arch="max-small")
    >>> out = model(np.ones((2, 2048, 1), "float32"))
    >>> tuple(out["pred"].shape), int(out["mask"][0].numpy().sum())
    ((2, 128, 16), 64)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from zoo.models.max.layers import (
    _PACKAGE,
    EPSILON,
    SpectrumDecoder,
    SpectrumEncoder,
    SpectrumStandardization,
    TargetScaler,
)
from zoo.models.max.presets import ARCHITECTURES, DEFAULT_ARCH


def hidden_count(num_patches: int, mask_ratio: float) -> int:
    """Number of hidden patches: ``round(mask_ratio * num_patches)`` with halves rounded up."""
    if not 0.0 <= mask_ratio < 1.0:
        raise ValueError(f"mask_ratio must be in [0, 1), got {mask_ratio}.")
    return int(math.floor(mask_ratio * num_patches + 0.5))


def _as_spectra(x: Any, num_channels: int) -> tf.Tensor:
    x = ops.convert_to_tensor(x, "float32")
    if len(x.shape) == 2:
        x = ops.expand_dims(x, -1)
    if len(x.shape) != 3 or x.shape[1] != num_channels or x.shape[2] != 1:
        raise ValueError(
            f"Expected spectra [batch, {num_channels}, 1] (counts per channel), got shape {tuple(x.shape)}."
        )
    return x


def patchify(z: tf.Tensor, patch_size: int) -> tf.Tensor:
    """``[batch, channels, 1]`` -> ``[batch, channels / patch_size, patch_size]``."""
    return ops.reshape(z, (ops.shape(z)[0], -1, patch_size))


def unpatchify(patches: tf.Tensor) -> tf.Tensor:
    """``[batch, patches, patch_size]`` -> ``[batch, channels, 1]``."""
    return ops.reshape(patches, (ops.shape(patches)[0], -1, 1))


def masked_patch_loss(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
    """Mean squared error per patch, averaged over the hidden patches only (``mask`` 1 = hidden)."""
    per_patch = ops.mean(ops.square(pred - target), axis=-1)
    return ops.sum(per_patch * mask) / ops.maximum(ops.sum(mask), 1.0)


def _encoder_kwargs(config: dict[str, Any]) -> dict[str, Any]:
    keys = ("num_channels", "patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio", "epsilon")
    return {k: config[k] for k in keys}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MaskedSpectrumAutoencoder(keras.Model):
    """The MAX pre-training network (see the module docstring).

    ``call(spectra, hidden=None)`` returns a dict: ``pred`` and ``target`` (standardised counts per
    patch, ``[batch, patches, patch_size]``) and ``mask`` (``[batch, patches]``, 1 = hidden). Without
    ``hidden`` a fresh random set of ``round(mask_ratio * patches)`` patches is hidden per spectrum;
    ``hidden`` (0/1 per patch, the same count in every row) fixes them. ``fit(spectra)`` minimises
    :func:`masked_patch_loss`.
    """

    def __init__(
        self,
        num_channels: int = 2048,
        patch_size: int = 16,
        embed_dim: int = 1024,
        depth: int = 24,
        num_heads: int = 16,
        decoder_embed_dim: int = 512,
        decoder_depth: int = 8,
        decoder_num_heads: int = 16,
        mlp_ratio: float = 4.0,
        mask_ratio: float = 0.5,
        epsilon: float = EPSILON,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.config = {
            "num_channels": int(num_channels),
            "patch_size": int(patch_size),
            "embed_dim": int(embed_dim),
            "depth": int(depth),
            "num_heads": int(num_heads),
            "decoder_embed_dim": int(decoder_embed_dim),
            "decoder_depth": int(decoder_depth),
            "decoder_num_heads": int(decoder_num_heads),
            "mlp_ratio": float(mlp_ratio),
            "mask_ratio": float(mask_ratio),
            "epsilon": float(epsilon),
            "seed": seed,
        }
        self.num_patches = self.config["num_channels"] // self.config["patch_size"]
        self.num_hidden = hidden_count(self.num_patches, self.config["mask_ratio"])
        self.standardizer = SpectrumStandardization(num_channels, name="standardizer")
        self.encoder = SpectrumEncoder(**_encoder_kwargs(self.config), name="encoder")
        self.decoder = SpectrumDecoder(
            self.num_patches,
            patch_size,
            embed_dim,
            decoder_embed_dim,
            decoder_depth,
            decoder_num_heads,
            mlp_ratio,
            epsilon,
            name="decoder",
        )
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.standardizer.build(input_shape)
        self.encoder.build(input_shape)
        self.decoder.build(None)
        super().build(input_shape)

    def random_hidden(self, batch_size: int | tf.Tensor) -> tf.Tensor:
        """A random 0/1 mask ``[batch, patches]`` with exactly :attr:`num_hidden` ones per row."""
        noise = keras.random.uniform((batch_size, self.num_patches), seed=self.seed_generator)
        rank = ops.argsort(ops.argsort(noise, axis=1), axis=1)
        return ops.cast(rank >= self.num_patches - self.num_hidden, "float32")

    def call(self, spectra: Any, hidden: Any = None, training: bool | None = None) -> dict[str, tf.Tensor]:
        x = _as_spectra(spectra, self.config["num_channels"])
        z = self.standardizer(x)
        if hidden is None:
            mask = self.random_hidden(ops.shape(x)[0])
            visible = self.num_patches - self.num_hidden
        else:
            mask = ops.cast(hidden, "float32")
            visible = self.num_patches - ops.cast(ops.sum(mask[0]), "int32")
        # Visible patches first (in channel order), hidden ones after: integer keys are unique.
        keys = ops.cast(mask, "int32") * self.num_patches + ops.arange(self.num_patches, dtype="int32")[None]
        order = ops.argsort(keys, axis=1)
        latent = self.encoder(z, keep_ids=order[:, :visible])
        pred = self.decoder(latent, ops.argsort(order, axis=1))
        return {"pred": pred, "target": patchify(z, self.config["patch_size"]), "mask": mask}

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> tf.Tensor:
        return masked_patch_loss(y_pred["pred"], y_pred["target"], y_pred["mask"])

    def reconstruct(self, spectra: Any, hidden: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Counts ``[batch, channels]`` predicted for every channel, and the hidden mask per channel."""
        out = self(spectra, hidden=hidden, training=False)
        counts = self.standardizer.inverse(unpatchify(out["pred"]))[..., 0]
        per_channel = ops.repeat(out["mask"], self.config["patch_size"], axis=1)
        return np.asarray(counts), np.asarray(per_channel)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.config}


@keras.saving.register_keras_serializable(package=_PACKAGE)
class SpectrumRegressor(keras.Model):
    """MAX encoder + mean-pooled patch tokens + normalisation + linear ``head`` -> targets (wt%).

    ``mode="finetune"`` trains everything, with a LayerNorm ``fc_norm`` before the head (MAE's
    global-pool fine-tuning). ``mode="linear_probe"`` freezes the encoder and puts a non-affine batch
    normalisation ``probe_norm`` before the head (MAE's linear probe); only the head trains. The
    output is in physical units (the target normalisation is inverted inside the network);
    ``fit(spectra, targets)`` minimises the mean squared error of the normalised targets.
    """

    def __init__(
        self,
        num_channels: int = 2048,
        patch_size: int = 16,
        embed_dim: int = 1024,
        depth: int = 24,
        num_heads: int = 16,
        mlp_ratio: float = 4.0,
        targets: Sequence[str] = ("caco3", "toc"),
        mode: str = "finetune",
        epsilon: float = EPSILON,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if mode not in ("finetune", "linear_probe"):
            raise ValueError(f"mode must be 'finetune' or 'linear_probe', got {mode!r}.")
        targets = [str(t).lower() for t in targets]
        if not targets:
            raise ValueError("At least one target (e.g. 'caco3', 'toc') is needed.")
        self.config = {
            "num_channels": int(num_channels),
            "patch_size": int(patch_size),
            "embed_dim": int(embed_dim),
            "depth": int(depth),
            "num_heads": int(num_heads),
            "mlp_ratio": float(mlp_ratio),
            "targets": targets,
            "mode": mode,
            "epsilon": float(epsilon),
        }
        self.standardizer = SpectrumStandardization(num_channels, name="standardizer")
        self.encoder = SpectrumEncoder(**_encoder_kwargs(self.config), name="encoder")
        self.fc_norm = layers.LayerNormalization(epsilon=epsilon, name="fc_norm")
        self.probe_norm = layers.BatchNormalization(
            center=False, scale=False, epsilon=epsilon, name="probe_norm"
        )
        self.head = layers.Dense(len(targets), name="head")
        self.target_scaler = TargetScaler(len(targets), name="target_scaler")
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        """Switch between ``"linear_probe"`` (frozen encoder) and ``"finetune"``; recompile afterwards."""
        if mode not in ("finetune", "linear_probe"):
            raise ValueError(f"mode must be 'finetune' or 'linear_probe', got {mode!r}.")
        self.config["mode"] = mode
        self.encoder.trainable = mode == "finetune"
        self.fc_norm.trainable = mode == "finetune"

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.standardizer.build(input_shape)
        self.encoder.build(input_shape)
        self.fc_norm.build((None, self.config["embed_dim"]))
        self.probe_norm.build((None, self.config["embed_dim"]))
        self.head.build((None, self.config["embed_dim"]))
        self.target_scaler.build(None)
        super().build(input_shape)

    def features(self, spectra: Any, training: bool | None = None) -> tf.Tensor:
        """Pooled, normalised encoder features ``[batch, embed_dim]`` (the head's input)."""
        x = _as_spectra(spectra, self.config["num_channels"])
        pooled = ops.mean(self.encoder(self.standardizer(x))[:, 1:, :], axis=1)
        if self.config["mode"] == "linear_probe":
            return self.probe_norm(pooled, training=training)
        return self.fc_norm(pooled)

    def call(self, spectra: Any, training: bool | None = None) -> tf.Tensor:
        return self.target_scaler(self.head(self.features(spectra, training=training)))

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> tf.Tensor:
        error = self.target_scaler.normalize(y_pred) - self.target_scaler.normalize(y)
        return ops.mean(ops.square(error))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.config}


def _arch_config(arch: str, overrides: dict[str, Any]) -> dict[str, Any]:
    if arch not in ARCHITECTURES:
        raise ValueError(f"Unknown MAX architecture {arch!r}; valid: {', '.join(sorted(ARCHITECTURES))}.")
    return {**ARCHITECTURES[arch], **overrides}


def build(arch: str = DEFAULT_ARCH, **overrides: Any) -> MaskedSpectrumAutoencoder:
    """The MAX masked autoencoder of architecture ``arch`` (``max-small`` or ``max-large``), built.

    ``overrides`` replace architecture keys (``embed_dim``, ``depth``, ...) or set ``mask_ratio`` and
    ``seed``. ``max-small`` has 327,184 parameters (0.33 M; 306,576 trainable, the rest being the
    spectrum statistics and the fixed position embeddings), ``max-large`` 328,285,712 (328 M).
    """
    model = MaskedSpectrumAutoencoder(**_arch_config(arch, overrides))
    model.build((None, model.config["num_channels"], 1))
    return model


def build_regressor(
    arch: str = DEFAULT_ARCH,
    targets: Sequence[str] = ("caco3", "toc"),
    mode: str = "finetune",
    **overrides: Any,
) -> SpectrumRegressor:
    """The MAX encoder with a regression head for ``targets`` (CaCO3, TOC in wt%), built.

    Decoder keys of the architecture are ignored. ``mode`` is ``"finetune"`` or ``"linear_probe"``.
    """
    config = _arch_config(arch, overrides)
    for key in ("decoder_embed_dim", "decoder_depth", "decoder_num_heads", "mask_ratio", "seed"):
        config.pop(key, None)
    model = SpectrumRegressor(targets=targets, mode=mode, **config)
    model.build((None, model.config["num_channels"], 1))
    return model


def transfer_encoder(
    source: MaskedSpectrumAutoencoder | SpectrumRegressor, target: SpectrumRegressor
) -> None:
    """Copy the standardisation statistics and encoder weights of ``source`` into ``target``."""
    if source.encoder.get_config()["embed_dim"] != target.encoder.get_config()["embed_dim"]:
        raise ValueError("Source and target MAX encoders have different sizes.")
    target.standardizer.set_weights(source.standardizer.get_weights())
    target.encoder.set_weights(source.encoder.get_weights())
