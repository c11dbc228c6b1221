"""What make_fixtures.py makes: paths, stream and storage constants, and the fixtures (``FIXTURES``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import obspy

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
