"""Training callbacks: keep the best picker as a preset folder.

Example:
    >>> BestPreset("runs/ft", monitor="val_pick_f1").best
    -inf
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras

from zoo.preset_folder import is_preset_folder, read_metadata, save_preset

logger = logging.getLogger(__name__)


class BestPreset(keras.callbacks.Callback):
    """Save ``model.picker`` as a preset folder at ``path`` whenever ``monitor`` improves.

    Improvement is a larger ``monitor`` value (e.g. ``val_pick_f1``); ties are broken by a smaller
    ``val_loss``. On resume the scores stored in the folder's ``metadata.json`` are the ones to beat.

    Args:
        path: the preset folder (replaced on each improvement).
        monitor: the log entry to maximise.
        metadata: provenance stored with every save (epoch and scores are added).
    """

    def __init__(
        self, path: str | Path, monitor: str = "val_pick_f1", metadata: Mapping[str, Any] | None = None
    ):
        super().__init__()
        self.path, self.monitor, self.metadata = Path(path), monitor, dict(metadata or {})
        self.best, self.best_loss = -math.inf, math.inf
        if is_preset_folder(self.path):
            scores = read_metadata(self.path).get("scores", {})
            self.best = scores.get(monitor, -math.inf)
            self.best_loss = scores.get("val_loss", math.inf)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        logs = dict(logs or {})
        if self.monitor not in logs:
            raise ValueError(
                f"cannot keep the best model: {self.monitor!r} is not logged (have {sorted(logs)})."
            )
        score, loss = float(logs[self.monitor]), float(logs.get("val_loss", math.inf))
        if score > self.best or (score == self.best and loss < self.best_loss):
            self.best, self.best_loss = score, loss
            scores = {key: float(value) for key, value in logs.items()}
            save_preset(
                self.model.picker,
                self.path,
                metadata={**self.metadata, "epoch": epoch + 1, "scores": scores},
                overwrite=True,
            )
            logger.info("epoch %d: %s %.4f, saved %s", epoch + 1, self.monitor, score, self.path)
