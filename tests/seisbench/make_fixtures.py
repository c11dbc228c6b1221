"""Make SeisBench reference fixtures for geozoo's SeisBench weight converters (issue 17).

This script is NOT part of geozoo and is not run by the test suite. It was run once, in a virtual
environment of its own outside the repository, and its outputs are committed under
``tests/seisbench/fixtures/``. To make them again (the outputs are byte-identical on re-run):

    python3 -m venv /work/sbvenv
    /work/sbvenv/bin/pip install torch==2.13.0          # the CPU wheel (never a plain `torch`: CUDA build)
    echo "torch==2.13.0" > /tmp/torch-pin.txt
    /work/sbvenv/bin/pip install -c /tmp/torch-pin.txt seisbench==0.12.6
    cd <repository root>
    /work/sbvenv/bin/python tests/seisbench/make_fixtures.py --data ../shared/data/stead50

Versions used: Python 3.11.7, seisbench 0.12.6, torch 2.13.0+cpu, numpy 2.4.6, obspy 1.5.1,
scipy 1.17.1, h5py 3.16.0, pandas 3.1.1 (all recorded in ``fixtures/manifest.json``).

What it does, per fixture (see ``FIXTURES``):

1. Builds the SeisBench model class with the fixture's constructor arguments after
   ``torch.manual_seed(seed)``. SeisBench's own pretrained weights cannot be downloaded here, and its
   random initialisation gives flat curves (EQTransformer varies by 1e-6, GPD by 1e-4), which would
   let a converter with swapped or mis-laid weights pass a 1e-4 comparison. So the weights are made
   "lively", all from the same seed (``make_lively``): convolution kernels are smooth, off-centre
   (asymmetric) bumps times a random He-scaled amplitude per filter pair plus white noise (transposed
   convolutions: the stride-4 interpolation triangle, so no checkerboard), linear layers He-normal
   (GPD's first one nearly constant over positions), biases N(0, 0.1), additive-attention matrices
   N(0, 0.25) / N(0, 0.5), layer-norm and batch-norm scales U(0.8, 1.2) and shifts N(0, 0.1);
   batch-norm running statistics are then measured on windows of the stead50 traces (one forward
   pass with only the batch-norm layers in training mode, cumulative average), and the last layer is
   rescaled so that its logits have a chosen mean and spread (``Fixture.logits``). The result: curves
   that vary over the whole 0-1 range, smoothly enough that the default thresholds give a handful
   of picks per trace. The "fine-tuned-looking" PhaseNet starts from the random PhaseNet's weights,
   multiplies every tensor by 1 + N(0, 0.02) (running variances by exp(N(0, 0.02))) and then takes
   60 Adam steps (lr 1e-3, batch 16) on stead50 windows with Gaussian P/S labels at the CSV's
   arrivals, as a user's fine-tuning would (``fine_tune``); its picks sit near the real arrivals.
2. Saves the model with ``model.save(path, version_str=...)`` under
   ``fixtures/models/<class name lower-case>/<weight name>``, i.e. ``NAME.json`` + ``NAME.pt`` or, with a
   version, ``NAME.json.vN`` + ``NAME.pt.vN`` as in SeisBench's download cache
   (``~/.seisbench/models/v3/<model>/<name>.pt.v<N>``), reloads it with ``Class.load`` and checks that
   the reloaded model gives the same annotations.
3. Runs ``annotate`` and ``classify`` with the class's default arguments (thresholds included; the
   arguments used are in ``fixtures/thresholds.json``) on each of the 50 stead50 traces (one ObsPy
   stream per trace: ``TA.109C..HH{E,N,Z}`` from the CSV's network and station, 100 Hz, start
   2020-01-01T00:00:00) and on one continuous stream (traces 0-4 end to end, cut to 29,321 samples,
   start 2020-01-02T00:00:00) that exercises window overlap, stacking and blinding.
4. Writes ``fixtures/annotations/<fixture>.npz`` (curves, see ``write_annotations``),
   ``fixtures/picks.csv``, ``fixtures/detections.csv``, ``fixtures/thresholds.json`` and
   ``fixtures/manifest.json`` (versions, files with sha256, model_args, default_args, class defaults).
5. Writes ``fixtures/network/<class name lower-case>.npz``: the raw network outputs
   (``model.forward`` in eval mode, no gradient) of every fixture model of that class on
   ``NETWORK_WINDOWS`` fixed normalised stead50 windows, for the network-level parity tests of the
   converters (see ``network_windows`` and ``write_network_outputs``). Added after the other outputs;
   computing them draws no random numbers, so everything above stays byte-identical.

Curves are stored rounded to multiples of 2**-20 (error below 4.8e-7, far inside the 1e-4 test
tolerance) as int32 first differences, which compress well; see ``write_annotations``. To keep the
fixtures small, the 100-Hz curves of PhaseNet and EQTransformer are stored for the first 5 traces and
the continuous stream only (GPD's 10-Hz and CRED's 0.63-Hz curves for all 51 streams); picks and
detections are stored for all 51 streams.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import io
import json
import math
import os
import platform
import sys
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# SeisBench writes a config (component order!) under its cache root at import: keep a private one so
# that a user's ~/.seisbench/config.json cannot change the fixtures.
os.environ["SEISBENCH_CACHE_ROOT"] = tempfile.mkdtemp(prefix="seisbench-cache-")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import obspy  # noqa: E402
import seisbench  # noqa: E402
import seisbench.models as sbm  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "fixtures"
TRACE_START = obspy.UTCDateTime("2020-01-01T00:00:00")
CONTINUOUS_START = obspy.UTCDateTime("2020-01-02T00:00:00")
CONTINUOUS_TRACES = 5
CONTINUOUS_SAMPLES = 29321
CONTINUOUS_NAME = "continuous"
QUANTUM = 2.0**-20
CURVE_TRACES = 5  # 100-Hz curves (PhaseNet, EQTransformer) are stored for this many traces only
NETWORK_WINDOWS = 4  # normalised windows per model class for the raw network outputs
NETWORK_WINDOWS_64 = 2  # of which the first this many also get float64 outputs (file size)
COMPONENTS = "ENZ"  # column order of the STEAD HDF5 arrays
BAND = "HH"  # 100 Hz broadband


@dataclass
class Fixture:
    """One weight file and its reference outputs."""

    key: str
    cls: str
    kwargs: dict
    weight_name: str
    version: str | None
    seed: int
    logits: dict[int, tuple[float, float]]  # output channel -> (mean, std) of the final logits
    base: str | None = None  # fine-tuned-looking: perturb the weights of this fixture
    note: str = ""
    classify_kwargs: dict = field(default_factory=dict)
    curve_traces: int | None = CURVE_TRACES  # curves stored for the first N traces (+ continuous); None: all


FIXTURES = [
    Fixture(
        key="phasenet_random",
        cls="PhaseNet",
        kwargs={},
        weight_name="random",
        version=None,
        seed=101,
        logits={0: (2.0, 1.0), 1: (-3.0, 1.5), 2: (-3.0, 1.5)},
        note="PhaseNet defaults: phases 'NPS', norm 'std', 3001 samples.",
    ),
    Fixture(
        key="phasenet_finetuned",
        cls="PhaseNet",
        kwargs={},
        weight_name="finetuned",
        version="3",
        seed=102,
        logits={},
        base="phasenet_random",
        note="Every tensor of phasenet_random plus seeded noise; saved with version suffix .v3.",
    ),
    Fixture(
        key="eqtransformer_default",
        cls="EQTransformer",
        kwargs={},
        weight_name="random",
        version=None,
        seed=201,
        logits={0: (-1.0, 2.0), 1: (-3.0, 2.0), 2: (-3.0, 2.0)},
        note="SeisBench-trained layout: original_compatible=False, lstm_blocks=3, torch LSTMs, "
        "attention eps 1e-5, decoder crop after the 3rd upsampling.",
    ),
    Fixture(
        key="eqtransformer_conservative",
        cls="EQTransformer",
        kwargs={"original_compatible": "conservative"},
        weight_name="conservative",
        version="1",
        seed=202,
        logits={0: (-1.0, 2.0), 1: (-3.0, 2.0), 2: (-3.0, 2.0)},
        note="original_compatible='conservative', lstm_blocks=3: hard-sigmoid CustomLSTM everywhere, "
        "attention eps 1e-7, decoder crop [1:-1] after the 4th upsampling.",
    ),
    Fixture(
        key="eqtransformer_nonconservative",
        cls="EQTransformer",
        kwargs={"original_compatible": "non-conservative", "lstm_blocks": 2},
        weight_name="original",
        version="2",
        seed=203,
        logits={0: (-1.0, 2.0), 1: (-3.0, 2.0), 2: (-3.0, 2.0)},
        note="original_compatible='non-conservative' (what True means), lstm_blocks=2: sigmoid CustomLSTM "
        "in the BiLSTM stack, torch nn.LSTM in the pick heads, attention eps 1e-7.",
    ),
    Fixture(
        key="gpd_random",
        cls="GPD",
        kwargs={"phases": "PSN"},
        weight_name="random",
        version=None,
        seed=301,
        logits={0: (-3.0, 2.0), 1: (-3.0, 2.0), 2: (1.5, 1.0)},
        note="phases='PSN' (with the class default phases=None the labels would be 0, 1, 2); "
        "original_compatible=False (torch flatten order).",
        curve_traces=None,
    ),
    Fixture(
        key="cred_random",
        cls="CRED",
        kwargs={},
        weight_name="random",
        version=None,
        seed=401,
        logits={0: (-0.5, 2.0)},
        note="CRED defaults: in_samples=3000 (19 output steps per window), original_compatible=False.",
        curve_traces=None,
    ),
]


# ----------------------------------------------------------------------------------------------
# Input streams
# ----------------------------------------------------------------------------------------------


@dataclass
class Stead:
    """The stead50 traces: names in CSV order, ``[6000, 3]`` float32 arrays (E, N, Z), codes, arrivals."""

    names: list[str]
    arrays: dict[str, np.ndarray]
    codes: dict[str, tuple[str, str]]  # network, station
    arrivals: dict[str, tuple[float, float]]  # P and S arrival samples


def read_stead(data_dir: Path) -> Stead:
    with open(data_dir / "metadata.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [row["trace_name"] for row in rows]
    with h5py.File(data_dir / "waveforms.hdf5", "r") as fh:
        arrays = {name: np.asarray(fh[f"earthquake/local/{name}"], dtype=np.float32) for name in names}
    return Stead(
        names=names,
        arrays=arrays,
        codes={row["trace_name"]: (row["network_code"], row["receiver_code"]) for row in rows},
        arrivals={
            row["trace_name"]: (float(row["p_arrival_sample"]), float(row["s_arrival_sample"]))
            for row in rows
        },
    )


def make_stream(data: np.ndarray, network: str, station: str, start: obspy.UTCDateTime) -> obspy.Stream:
    """One trace per component ``<network>.<station>..HH<E|N|Z>`` at 100 Hz."""
    stream = obspy.Stream()
    for index, component in enumerate(COMPONENTS):
        header = {
            "network": network,
            "station": station,
            "location": "",
            "channel": BAND + component,
            "sampling_rate": 100.0,
            "starttime": start,
        }
        stream += obspy.Trace(np.ascontiguousarray(data[:, index]), header)
    return stream


def input_streams(stead: Stead) -> dict[str, obspy.Stream]:
    names, arrays = stead.names, stead.arrays
    streams = {name: make_stream(arrays[name], *stead.codes[name], TRACE_START) for name in names}
    joined = np.concatenate([arrays[name] for name in names[:CONTINUOUS_TRACES]])[:CONTINUOUS_SAMPLES]
    streams[CONTINUOUS_NAME] = make_stream(joined, *stead.codes[names[0]], CONTINUOUS_START)
    return streams


def describe_inputs(data_dir: Path, stead: Stead) -> dict:
    names = stead.names
    return {
        "data": str(data_dir),
        "waveforms_sha256": sha256(data_dir / "waveforms.hdf5"),
        "metadata_sha256": sha256(data_dir / "metadata.csv"),
        "traces": names,
        "trace_stream": "one stream per trace: <network_code>.<receiver_code>..HH{E,N,Z} from the CSV, "
        "100 Hz, the HDF5 columns E, N, Z as float32, start " + str(TRACE_START),
        "continuous_stream": {
            "name": CONTINUOUS_NAME,
            "traces": names[:CONTINUOUS_TRACES],
            "samples": CONTINUOUS_SAMPLES,
            "start": str(CONTINUOUS_START),
            "how": f"the first {CONTINUOUS_TRACES} traces' arrays concatenated along time, "
            f"then cut to the first {CONTINUOUS_SAMPLES} samples",
        },
    }


# ----------------------------------------------------------------------------------------------
# Lively random weights
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# Running SeisBench
# ----------------------------------------------------------------------------------------------


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


def annotate_all(model: sbm.WaveformModel, streams: dict[str, obspy.Stream], kwargs: dict) -> dict:
    return {name: model.annotate(stream, **kwargs) for name, stream in streams.items()}


def classify_all(model: sbm.WaveformModel, streams: dict[str, obspy.Stream], kwargs: dict) -> dict:
    return {name: model.classify(stream, **kwargs) for name, stream in streams.items()}


def same_annotations(a: dict[str, obspy.Stream], b: dict[str, obspy.Stream]) -> bool:
    for name in a:
        for ta, tb in zip(a[name], b[name], strict=True):
            if ta.id != tb.id or ta.stats.starttime != tb.stats.starttime:
                return False
            if not np.array_equal(ta.data, tb.data, equal_nan=True):
                return False
    return True


def network_windows(model: sbm.WaveformModel, stead: Stead) -> tuple[np.ndarray, np.ndarray, torch.Tensor]:
    """``NETWORK_WINDOWS`` fixed windows: trace ``k * 13`` of the CSV order, starting at sample
    ``k * (6000 - in_samples) // 3`` (k = 0..3), in the model's component order, ``[B, C, T]`` float32,
    then normalised as SeisBench's ``annotate_batch_pre`` does. Returns the trace indices, the start
    samples and the network input.

    GPD divides by the peak inside ``forward``: its windows are demeaned (``annotate_batch_pre``) and
    divided by ``max|x| + eps`` here already, which ``forward`` then divides by ``1 + eps`` = 1.0 in
    float32, so the stored input is exactly what the convolutions see (checked below). CRED's input is
    the normalised waveform before ``waveforms_to_spectrogram`` (geozoo's CRED computes the STFT as its
    first layer)."""
    order = [COMPONENTS.index(c) for c in model.component_order]
    n = model.in_samples
    traces = np.array([13 * k for k in range(NETWORK_WINDOWS)])
    starts = np.array([k * (6000 - n) // (NETWORK_WINDOWS - 1) for k in range(NETWORK_WINDOWS)])
    batch = np.stack(
        [stead.arrays[stead.names[t]][s : s + n, order].T for t, s in zip(traces, starts)]
    ).astype(np.float32)
    batch = torch.as_tensor(batch)
    name = type(model).__name__
    with torch.no_grad():
        if name == "CRED":
            centred = batch - batch.mean(axis=-1, keepdims=True)
            x = centred / (centred.std(axis=(-2, -1), keepdims=True) + 1e-10)
            if not torch.equal(model.annotate_batch_pre(batch, {}), model.waveforms_to_spectrogram(x)):
                raise RuntimeError("CRED: the split of annotate_batch_pre does not reproduce it")
        else:
            x = model.annotate_batch_pre(batch, argdict={})
        if name == "GPD":
            peak = x.abs().amax(dim=(-2, -1), keepdim=True)
            x = x / (peak + model.eps)
    return traces, starts, x


def network_outputs(model: sbm.WaveformModel, x: torch.Tensor) -> np.ndarray:
    """``model.forward(x)`` in geozoo's layout: PhaseNet ``[B, T, classes]`` (the ``phases`` order),
    EQTransformer ``[B, T, 1 + classes]`` (Detection, then ``phases``), GPD ``[B, classes]``, CRED
    ``[B, T', 1]``. Float64 when ``x`` is (the model is then a float64 copy; for GPD with ``eps = 0``,
    so that ``forward`` divides the stored windows, whose peak is exactly 1, by exactly 1: with the
    1e-10 kept, float64 would see a 1e-10 relative change of the input that the Keras network, which
    leaves the peak division to the card's normalisation, does not make)."""
    name = type(model).__name__
    if x.dtype == torch.float64:
        model = copy.deepcopy(model).double()
        if name == "GPD":
            model.eps = 0.0
    model.eval()
    with torch.no_grad():
        if name == "CRED":
            return model(model.waveforms_to_spectrogram(x).to(x.dtype)).numpy()
        out = model(x)
        if name == "GPD":
            if x.abs().amax(dim=(-2, -1)).ne(1.0).any():
                raise RuntimeError("GPD: the stored windows' peaks are not exactly 1")
            rescaled = model(x * 3.0)  # forward's own peak division undoes any scale
            if not torch.allclose(out, rescaled, rtol=0.0, atol=1e-6 if x.dtype == torch.float32 else 1e-14):
                raise RuntimeError("GPD: the stored input is not what forward's normalisation gives")
            return out.numpy()
        if name == "EQTransformer":
            return torch.stack(out, dim=-1).numpy()
        return out.permute(0, 2, 1).numpy()  # PhaseNet


def write_network_outputs(path: Path, entries: list[tuple], names: list[str]) -> None:
    """One npz per model class: ``traces`` (B,) trace indices into the CSV order and ``trace_names``;
    ``starts`` (B,) start samples; ``inputs`` the normalised windows ``[B, T, C]`` float32 in the
    model's component order (channels last, as geozoo's networks take them); ``output_<fixture>`` the
    network outputs of each fixture model of the class (see ``network_outputs``) in float32, and
    ``output64_<fixture>`` those of a float64 copy of the model on the first ``NETWORK_WINDOWS_64``
    inputs (cast to float64):
    with these "lively" weights float32 round-off grows to ~1e-4 in the outputs (SeisBench's own
    float32 and float64 results differ by that much), more than some architecture differences (e.g.
    attention eps 1e-5 vs 1e-7) change them, so the float64 outputs are what pins the architecture.
    All fixtures of one class share the windows and their normalisation (checked)."""
    traces, starts, inputs = entries[0][1], entries[0][2], entries[0][3]
    arrays = {
        "traces": traces,
        "trace_names": np.array([names[t] for t in traces]),
        "starts": starts,
        "inputs": inputs,
    }
    for key, t, s, x, out, out64 in entries:
        if not (np.array_equal(t, traces) and np.array_equal(s, starts) and np.array_equal(x, inputs)):
            raise RuntimeError(f"{key}: other network inputs than the class's first fixture")
        arrays[f"output_{key}"] = out.astype(np.float32)
        arrays[f"output64_{key}"] = out64.astype(np.float64)
    write_npz(path, arrays)


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez_compressed`` with fixed zip timestamps, so re-runs give identical bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for key, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asanyarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue(), compresslevel=9)


def encode(x: np.ndarray) -> np.ndarray:
    """Curve -> int32 first differences of ``round(x / QUANTUM)`` (the first element is the first value)."""
    if not np.all(np.isfinite(x)):
        raise RuntimeError("annotation curve with NaN or inf inside")
    q = np.round(x.astype(np.float64) / QUANTUM).astype(np.int64)
    return np.diff(q, prepend=0).astype(np.int32)


def decode(delta: np.ndarray) -> np.ndarray:
    """Inverse of :func:`encode`, to float32 (exact: multiples of 2**-20 below 16 are float32 numbers)."""
    return (np.cumsum(delta, dtype=np.int64) * QUANTUM).astype(np.float32)


def write_annotations(path: Path, annotations: dict[str, obspy.Stream], labels: list[str], cls: str) -> None:
    """One npz per fixture, compressed; curve (stream ``s``, label ``l``) is
    ``np.cumsum(delta[offset[s, l] : offset[s, l] + npts[s, l]]) * quantum`` (cumsum in int64).

    Keys: ``streams`` (S,) stream names (trace names, then ``continuous``); ``labels`` (L,) and
    ``channels`` (L,) (``<Class>_<label>``, SeisBench's channel codes); ``trace_id`` (S,)
    ``NET.STA.LOC`` of the annotation traces; ``starttime_ns`` (S, L) int64 POSIX nanoseconds of the
    first curve sample; ``sampling_rate`` (S, L) float64 Hz; ``npts`` and ``offset`` (S, L) int64;
    ``delta`` int32, all curves end to end, each as first differences of the curve in units of
    ``quantum`` = 2**-20 (rounding error below 4.8e-7; the differences compress far better than
    float32 samples).
    """
    names = list(annotations)
    channels = [f"{cls}_{label}" for label in labels]
    shape = (len(names), len(labels))
    start_ns = np.zeros(shape, np.int64)
    rate = np.zeros(shape, np.float64)
    npts = np.zeros(shape, np.int64)
    offset = np.zeros(shape, np.int64)
    trace_ids = []
    chunks = []
    position = 0
    for s, name in enumerate(names):
        stream = annotations[name]
        ids = {f"{tr.stats.network}.{tr.stats.station}.{tr.stats.location}" for tr in stream}
        if len(ids) != 1 or len(stream) != len(labels):
            raise RuntimeError(f"{path.name}: unexpected annotation traces for {name}: {stream}")
        trace_ids.append(ids.pop())
        for label_index, channel in enumerate(channels):
            (trace,) = stream.select(channel=channel)
            start_ns[s, label_index] = trace.stats.starttime.ns
            rate[s, label_index] = trace.stats.sampling_rate
            npts[s, label_index] = trace.stats.npts
            offset[s, label_index] = position
            chunks.append(encode(trace.data))
            if np.max(np.abs(decode(chunks[-1]) - trace.data)) > QUANTUM / 2:
                raise RuntimeError("curve encoding lost precision")
            position += trace.stats.npts
    write_npz(
        path,
        {
            "streams": np.array(names),
            "labels": np.array([str(label) for label in labels]),
            "channels": np.array(channels),
            "trace_id": np.array(trace_ids),
            "starttime_ns": start_ns,
            "sampling_rate": rate,
            "npts": npts,
            "offset": offset,
            "delta": np.concatenate(chunks),
            "quantum": np.float64(QUANTUM),
        },
    )


def trigger_margin(trace: obspy.Trace, s0: int, s1: int, threshold: float, peak: int | None) -> float:
    """The smallest change of the curve (max norm) that could remove this trigger or move its start, end
    or peak sample by two samples or more, i.e. beyond a one-sample tolerance (estimated from the
    samples next to each decision). A port whose curves differ by less than this gives the same pick
    within one sample; a pick with a margin below the comparison tolerance may legitimately move."""
    x = trace.data.astype(np.float64)
    n, off = len(x), threshold / 2
    gaps = [x[s0 : s1 + 1].max() - threshold]  # the trigger vanishes
    if s0 >= 2:
        gaps.append(threshold - x[s0 - 2])  # start two samples earlier
    if s0 + 1 < n:
        gaps.append(max(x[s0], x[s0 + 1]) - threshold)  # start two samples later
    if s1 >= 1:
        gaps.append(x[s1 - 1] - off)  # end two samples earlier
    if s1 + 2 < n:
        gaps.append(max(off - x[s1 + 1], off - x[s1 + 2]))  # end two samples later
    if peak is not None:
        far = [x[i] for i in range(s0, s1 + 1) if abs(i - peak) >= 2]
        if far:
            gaps.append((x[peak] - max(far)) / 2)  # another sample overtakes the peak
    return float(max(min(gaps), 0.0))


def index_of(trace: obspy.Trace, time: obspy.UTCDateTime) -> int:
    return int(round((time - trace.stats.starttime) * trace.stats.sampling_rate))


def pick_rows(
    key: str, cls: str, outputs: dict, annotations: dict, thresholds: dict[str, float]
) -> tuple[list[dict], list[dict]]:
    picks, detections = [], []
    for name, output in outputs.items():
        for pick in getattr(output, "picks", None) or []:
            (trace,) = annotations[name].select(channel=f"{cls}_{pick.phase}")
            s0, s1 = index_of(trace, pick.start_time), index_of(trace, pick.end_time)
            peak = index_of(trace, pick.peak_time)
            picks.append(
                {
                    "fixture": key,
                    "stream": name,
                    "trace_id": pick.trace_id,
                    "phase": pick.phase,
                    "start_time": str(pick.start_time),
                    "peak_time": str(pick.peak_time),
                    "end_time": str(pick.end_time),
                    "peak_value": repr(float(np.float32(pick.peak_value))),
                    "start_sample": s0,
                    "peak_sample": peak,
                    "end_sample": s1,
                    "margin": f"{trigger_margin(trace, s0, s1, thresholds[str(pick.phase)], peak):.3g}",
                }
            )
        for det in getattr(output, "detections", None) or []:
            (trace,) = annotations[name].select(channel=f"{cls}_Detection")
            s0, s1 = index_of(trace, det.start_time), index_of(trace, det.end_time)
            detections.append(
                {
                    "fixture": key,
                    "stream": name,
                    "trace_id": det.trace_id,
                    "start_time": str(det.start_time),
                    "end_time": str(det.end_time),
                    "peak_value": repr(float(np.float32(det.peak_value))),
                    "start_sample": s0,
                    "end_sample": s1,
                    "margin": f"{trigger_margin(trace, s0, s1, thresholds['Detection'], None):.3g}",
                }
            )
    return picks, detections


def used_thresholds(model: sbm.WaveformModel, classify_kwargs: dict) -> dict[str, float]:
    """Threshold per label as classify applies it: kwargs, then the JSON's default_args, then the class."""
    args = {**model.default_args, **classify_kwargs}
    class_args = type(model)._annotate_args
    out = {}
    for label in model.labels if model.labels is not None else range(model.classes):
        label = str(label)
        if label in ("N", "Detection"):
            continue
        out[label] = args.get(f"{label}_threshold", class_args["*_threshold"][1])
    if "detection_threshold" in class_args:
        out["Detection"] = args.get("detection_threshold", class_args["detection_threshold"][1])
    return out


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def class_defaults(model: sbm.WaveformModel) -> dict:
    """Everything of the instance and class that annotate/classify read."""
    annotate_args = {key: default for key, (_, default) in type(model)._annotate_args.items()}
    attributes = {}
    for name in (
        "in_samples",
        "sampling_rate",
        "component_order",
        "output_type",
        "pred_sample",
        "labels",
        "filter_args",
        "filter_kwargs",
        "allow_padding",
        "norm",
        "norm_amp_per_comp",
        "norm_detrend",
        "original_compatible",
        "lstm_blocks",
        "drop_rate",
        "classes",
        "in_channels",
        "eps",
        "filter_factor",
    ):
        if hasattr(model, name):
            attributes[name] = getattr(model, name)
    attributes["grouping"] = model._grouping.grouping
    attributes["default_args"] = model.default_args
    return {"attributes": jsonable(attributes), "_annotate_args": jsonable(annotate_args)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data" / "stead50")
    args = parser.parse_args()
    torch.set_num_threads(1)

    stead = read_stead(args.data)
    streams = input_streams(stead)

    built: dict[str, nn.Module] = {}
    network: dict[str, list] = {}
    all_picks: list[dict] = []
    all_detections: list[dict] = []
    manifest_fixtures = {}
    thresholds = {}
    for fixture in FIXTURES:
        print(f"{fixture.key}: building", flush=True)
        model = build(fixture, built, stead)
        built[fixture.key] = model

        folder = OUT / "models" / fixture.cls.lower()
        folder.mkdir(parents=True, exist_ok=True)
        model.save(folder / fixture.weight_name, weights_docstring=fixture.note, version_str=fixture.version)
        suffix = "" if fixture.version is None else f".v{fixture.version}"
        json_path = folder / f"{fixture.weight_name}.json{suffix}"
        pt_path = folder / f"{fixture.weight_name}.pt{suffix}"

        annotate_kwargs: dict = {}
        classify_kwargs = dict(fixture.classify_kwargs)
        print(f"{fixture.key}: annotating {len(streams)} streams", flush=True)
        annotations = annotate_all(model, streams, annotate_kwargs)
        outputs = classify_all(model, streams, classify_kwargs)

        reloaded = getattr(sbm, fixture.cls).load(folder / fixture.weight_name, version_str=fixture.version)
        reloaded.eval()
        if not same_annotations(annotations, annotate_all(reloaded, streams, annotate_kwargs)):
            raise RuntimeError(f"{fixture.key}: the saved files do not reproduce the annotations")

        labels = list(model.labels) if model.labels is not None else list(range(model.classes))
        kept = stead.names[: fixture.curve_traces] + [CONTINUOUS_NAME]
        curves = {name: annotations[name] for name in streams if name in kept}
        write_annotations(OUT / "annotations" / f"{fixture.key}.npz", curves, labels, fixture.cls)
        used = used_thresholds(model, classify_kwargs)
        picks, detections = pick_rows(fixture.key, fixture.cls, outputs, annotations, used)
        all_picks += picks
        all_detections += detections

        defaults = class_defaults(model)
        thresholds[fixture.key] = {
            "classify_kwargs": classify_kwargs,
            "thresholds": used,
            "overridden": sorted(classify_kwargs),
            "trigger": "obspy trigger_onset(curve, threshold, threshold / 2) on each annotation curve",
        }
        print(
            f"{fixture.key}: {len(picks)} picks, {len(detections)} detections, thresholds {used}", flush=True
        )
        metadata = json.loads(json_path.read_text())
        manifest_fixtures[fixture.key] = {
            "class": f"seisbench.models.{fixture.cls}",
            "constructor_kwargs": fixture.kwargs,
            "seed": fixture.seed,
            "weights": "perturbed copy of " + fixture.base
            if fixture.base
            else "lively random (see make_fixtures.py docstring)",
            "logit_targets": {str(k): list(v) for k, v in fixture.logits.items()},
            "note": fixture.note,
            "files": {
                p.relative_to(OUT).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256(p)}
                for p in (json_path, pt_path)
            },
            "json": metadata,
            "state_dict": {k: list(v.shape) for k, v in model.state_dict().items()},
            "defaults": defaults,
            "annotate_kwargs": annotate_kwargs,
            "classify_kwargs": classify_kwargs,
            "annotations": f"annotations/{fixture.key}.npz",
            "curve_streams": list(curves),
            "channels": [f"{fixture.cls}_{label}" for label in labels],
            "picks": len(picks),
            "detections": len(detections),
        }
        traces, starts, x = network_windows(model, stead)
        network.setdefault(fixture.cls, []).append(
            (
                fixture.key,
                traces,
                starts,
                x.permute(0, 2, 1).numpy(),
                network_outputs(model, x),
                network_outputs(model, x[:NETWORK_WINDOWS_64].double()),
            )
        )

    write_csv(
        OUT / "picks.csv",
        all_picks,
        [
            "fixture",
            "stream",
            "trace_id",
            "phase",
            "start_time",
            "peak_time",
            "end_time",
            "peak_value",
            "start_sample",
            "peak_sample",
            "end_sample",
            "margin",
        ],
    )
    write_csv(
        OUT / "detections.csv",
        all_detections,
        [
            "fixture",
            "stream",
            "trace_id",
            "start_time",
            "end_time",
            "peak_value",
            "start_sample",
            "end_sample",
            "margin",
        ],
    )
    for cls, entries in network.items():
        write_network_outputs(OUT / "network" / f"{cls.lower()}.npz", entries, stead.names)
    (OUT / "thresholds.json").write_text(json.dumps(jsonable(thresholds), indent=2) + "\n")
    import pandas
    import scipy

    manifest = {
        "made_by": "tests/seisbench/make_fixtures.py",
        "versions": {
            "python": platform.python_version(),
            "seisbench": seisbench.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "obspy": obspy.__version__,
            "scipy": scipy.__version__,
            "h5py": h5py.__version__,
            "pandas": pandas.__version__,
        },
        "seisbench_config": seisbench.config,
        "inputs": describe_inputs(args.data, stead),
        "annotation_format": write_annotations.__doc__,
        "curve_streams": "curves are stored for the streams listed per fixture (PhaseNet and EQTransformer: "
        f"the first {CURVE_TRACES} traces and the continuous stream; GPD and CRED: all); picks and "
        "detections for all 51 streams",
        "picks_csv": "one row per SeisBench Pick: times are ISO UTC; *_sample are indices into the "
        "annotation curve of that stream and label (round((t - curve start) * rate)); margin: see "
        "make_fixtures.trigger_margin (a pick with margin < the test tolerance may move or vanish)",
        "detections_csv": "one row per SeisBench Detection (EQTransformer and CRED); same conventions",
        "fixtures": manifest_fixtures,
    }
    (OUT / "manifest.json").write_text(json.dumps(jsonable(manifest), indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
