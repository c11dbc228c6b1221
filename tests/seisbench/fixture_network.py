"""Raw network outputs (``model.forward``) on fixed normalised stead50 windows, per model class."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import seisbench.models as sbm
import torch
from fixture_defs import COMPONENTS, NETWORK_WINDOWS
from fixture_files import write_npz
from fixture_stead import Stead


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
