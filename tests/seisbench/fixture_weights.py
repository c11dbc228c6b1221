"""The fixture models' weights: "lively" random weights, the perturbed and fine-tuned copy, ``build``."""

from __future__ import annotations

import math
import warnings

import numpy as np
import seisbench.models as sbm
import torch
from fixture_defs import COMPONENTS, Fixture
from fixture_stead import Stead
from torch import nn


def calibration_windows(model: sbm.WaveformModel, stead: Stead, rng: np.random.Generator) -> torch.Tensor:
    """Preprocessed input windows for batch-norm statistics and logit scaling.

    The arrays are reordered to the model's component order (all models here use ZNE)."""
    order = [COMPONENTS.index(c) for c in model.component_order]
    n = model.in_samples
    windows = []
    for name in stead.names:
        data = stead.arrays[name][:, order].T  # [channels, samples]
        if n >= data.shape[1] // 2:
            starts = sorted({0, (data.shape[1] - n) // 2, data.shape[1] - n})
        else:
            starts = rng.integers(0, data.shape[1] - n + 1, size=6)
        windows.extend(data[:, s : s + n] for s in starts)
    batch = torch.as_tensor(np.stack(windows), dtype=torch.float32)
    with torch.no_grad():
        return model.annotate_batch_pre(batch, argdict={})


def final_layers(model: nn.Module) -> list[tuple[nn.Module, int | None]]:
    """The layer(s) producing the logits, with the output channel each stands for (None: all)."""
    name = type(model).__name__
    if name == "PhaseNet":
        return [(model.out, None)]
    if name == "EQTransformer":
        return [(model.conv_d, 0)] + [(conv, i + 1) for i, conv in enumerate(model.pick_convs)]
    if name == "GPD":
        return [(model.fc3, None)]
    if name == "CRED":
        return [(model.fc2, 0)]
    raise ValueError(name)


def logit_channels(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Logits as ``[n, channels]`` rows over all windows and output samples."""
    with torch.no_grad():
        out = model(x, logits=True)
    name = type(model).__name__
    if name == "PhaseNet":
        return out.permute(0, 2, 1).reshape(-1, out.shape[1])
    if name == "EQTransformer":
        return torch.stack([o.reshape(-1) for o in out], dim=-1)
    if name == "GPD":
        return out
    return out.reshape(-1, 1)  # CRED


def smooth_kernel_(
    weight: torch.Tensor, fan_channels: float, kernel_shape: tuple[int, ...], stride: int = 1
) -> None:
    """Draw a convolution kernel that low-passes: per (out, in) pair a random amplitude times a smooth,
    off-centre (so asymmetric: a flipped kernel gives other numbers) Gaussian profile, plus white
    noise of a quarter of the He-normal spread. Smooth kernels give smooth curves with few, isolated
    peaks. A transposed convolution (``stride`` > 1) gets the linear-interpolation triangle instead,
    whose stride-phases sum to one (no checkerboard pattern)."""
    profile = torch.ones(())
    for k in kernel_shape:
        t = torch.arange(k, dtype=torch.float32)
        if stride > 1:
            bump = (1.0 - (t - (k - 1) / 2).abs() / stride).clamp(min=0.0)
        else:
            centre = (k - 1) / 2 + float(torch.empty(()).uniform_(-0.25, 0.25)) * k
            bump = torch.exp(-0.5 * ((t - centre) / max(k / 4, 0.5)) ** 2)
            bump = bump / bump.sum()
        profile = profile[..., None] * bump
    amplitude = torch.randn(weight.shape[:2] + (1,) * len(kernel_shape)) * math.sqrt(2.0 / fan_channels)
    size = math.prod(kernel_shape)
    noise = torch.randn(weight.shape) * 0.25 * math.sqrt(2.0 / (fan_channels * size))
    weight.copy_(amplitude * profile + noise)


def smooth_dense_(layer: nn.Linear, view: tuple[int, int, bool] | None) -> None:
    """He-normal weights; for GPD's first dense layer (``view`` = channels, positions, original_compatible)
    mostly the same weight for all positions of a channel, so the output varies smoothly with the window."""
    if view is None:
        layer.weight.normal_(0.0, math.sqrt(2.0 / layer.in_features))
        return
    channels, positions, positions_first = view
    amplitude = torch.randn(layer.out_features, channels, 1) * math.sqrt(2.0 / channels) / positions
    noise = torch.randn(layer.out_features, channels, positions) * 0.5 * math.sqrt(2.0 / layer.in_features)
    weight = amplitude + noise
    if positions_first:
        weight = weight.transpose(1, 2)
    layer.weight.copy_(weight.reshape(layer.out_features, -1))


def make_lively(model: nn.Module, windows: torch.Tensor, logits: dict[int, tuple[float, float]]) -> None:
    """Re-draw weights (global torch RNG, seeded by the caller), measure batch-norm statistics, scale logits."""
    bn_types = (nn.BatchNorm1d, nn.BatchNorm2d)
    smooth_inputs = {}
    if type(model).__name__ == "GPD":
        smooth_inputs[id(model.fc1)] = (256, 25, bool(model.original_compatible))
    with torch.no_grad():
        for module in model.modules():
            kind = type(module).__name__
            if isinstance(module, (nn.Conv1d, nn.Conv2d)):
                smooth_kernel_(module.weight, module.in_channels, module.weight.shape[2:])
                if module.bias is not None:
                    module.bias.normal_(0.0, 0.1)
            elif isinstance(module, nn.ConvTranspose1d):
                smooth_kernel_(module.weight, module.in_channels, module.weight.shape[2:], module.stride[0])
            elif isinstance(module, nn.Linear):
                smooth_dense_(module, smooth_inputs.get(id(module)))
                module.bias.normal_(0.0, 0.1)
            elif isinstance(module, bn_types):
                module.weight.uniform_(0.8, 1.2)
                module.bias.normal_(0.0, 0.1)
            elif kind == "SeqSelfAttention":
                module.Wx.normal_(0.0, 0.25)
                module.Wt.normal_(0.0, 0.25)
                module.bh.normal_(0.0, 0.1)
                module.Wa.normal_(0.0, 0.5)
                module.ba.normal_(0.0, 0.1)
            elif kind == "LayerNormalization":
                module.gamma.uniform_(0.8, 1.2)
                module.beta.normal_(0.0, 0.1)

        if type(model).__name__ == "EQTransformer":
            # White (unsmoothed) decoder kernels: smooth ones give broad, flat-topped pick peaks whose
            # peak sample a 1e-6 difference could move by several samples.
            for name, module in model.named_modules():
                if name.startswith(("decoder_d", "pick_decoders", "conv_d", "pick_convs")) and isinstance(
                    module, nn.Conv1d
                ):
                    module.weight.normal_(0.0, math.sqrt(2.0 / module.weight[0].numel()))
        if type(model).__name__ == "PhaseNet":
            # Let the decoder lean on the upsampled deep features more than on the full-rate skips: the
            # skips carry the waveform's high frequencies, which would make the curves spiky.
            for _, _, conv_same, _ in model.up_branch:
                conv_same.weight[:, : conv_same.in_channels // 2] *= 0.2

    # Batch-norm running statistics from the data: BN layers in training mode, everything else in eval.
    model.eval()
    for module in model.modules():
        if isinstance(module, bn_types):
            module.reset_running_stats()
            module.momentum = None  # cumulative average
            module.train()
    with torch.no_grad():
        model(windows)
    for module in model.modules():
        if isinstance(module, bn_types):
            module.momentum = 0.1
    model.eval()

    # Rescale the final layer(s) so that logit channel c has mean/std logits[c].
    z = logit_channels(model, windows)
    mean, std = z.mean(dim=0), z.std(dim=0)
    with torch.no_grad():
        for layer, channel in final_layers(model):
            channels = range(z.shape[1]) if channel is None else [channel]
            for row, c in enumerate(channels):
                target_mean, target_std = logits[c]
                scale = target_std / float(std[c])
                layer.weight[row] *= scale
                layer.bias[row] = (layer.bias[row] - mean[c]) * scale + target_mean


def perturb(model: nn.Module, scale: float = 0.02) -> None:
    """Multiply every floating tensor of the state dict by ``1 + scale * N(0, 1)`` (seeded, global torch
    RNG); running variances by ``exp(scale * N(0, 1))``."""
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if name.endswith("running_var"):
                tensor.mul_(torch.exp(scale * torch.randn_like(tensor)))
            else:
                tensor.mul_(1.0 + scale * torch.randn_like(tensor))


def fine_tune(model: nn.Module, stead: Stead, seed: int, steps: int = 60, batch: int = 16) -> None:
    """A few Adam steps of PhaseNet training on stead50 windows with Gaussian P/S labels (sigma 10
    samples) at the CSV's arrival samples: the weights move as a user's fine-tuning would, the batch-norm
    statistics are updated in training mode, and the curves start to peak at the real arrivals."""
    rng = np.random.default_rng(seed)
    n = model.in_samples
    order = [COMPONENTS.index(c) for c in model.component_order]
    label_index = {label: i for i, label in enumerate(model.labels)}
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    t = np.arange(n)
    model.train()
    for _ in range(steps):
        xs, ys = [], []
        for name in rng.choice(stead.names, size=batch):
            data = stead.arrays[name][:, order].T
            p, s = stead.arrivals[name]
            start = int(rng.integers(max(0, int(s) - n + 200), min(int(p) - 200, data.shape[1] - n) + 1))
            y = np.zeros((len(model.labels), n), np.float32)
            y[label_index["P"]] = np.exp(-0.5 * ((t - (p - start)) / 10.0) ** 2)
            y[label_index["S"]] = np.exp(-0.5 * ((t - (s - start)) / 10.0) ** 2)
            y[label_index["N"]] = np.clip(1.0 - y[label_index["P"]] - y[label_index["S"]], 0.0, 1.0)
            xs.append(data[:, start : start + n])
            ys.append(y)
        x = model.annotate_batch_pre(torch.as_tensor(np.stack(xs)), argdict={})
        loss = -(torch.as_tensor(np.stack(ys)) * torch.log(model(x) + 1e-6)).sum(dim=1).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()


def build(fixture: Fixture, built: dict[str, nn.Module], stead: Stead) -> sbm.WaveformModel:
    cls = getattr(sbm, fixture.cls)
    torch.manual_seed(fixture.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(**fixture.kwargs)
    if fixture.base is not None:
        model.load_state_dict(built[fixture.base].state_dict())
        perturb(model)
        fine_tune(model, stead, fixture.seed)
    else:
        windows = calibration_windows(model, stead, np.random.default_rng(fixture.seed))
        make_lively(model, windows, fixture.logits)
    model.eval()
    return model
