"""Training recipes: supervised fit and fine-tuning of pickers, shape-adversarial training, two-stage
(synthetic -> real) transfer, masked-autoencoder pre-training.

``zoo.train.fit`` is the function :func:`zoo.train.fit.fit` (the module of the same name holds it).

Example:
    >>> import zoo.train
    >>> zoo.train.fit.__module__, zoo.train.PickerTrainer.__name__
    ('zoo.train.fit', 'PickerTrainer')
"""

from zoo.train.fit import fit
from zoo.train.shape_adversarial import ShapeAdversarial
from zoo.train.shape_history import ShapeHistory, monitor_batch
from zoo.train.supervised import PickerTrainer
from zoo.train.targets import PhaseLabels

__all__ = ["PhaseLabels", "PickerTrainer", "ShapeAdversarial", "ShapeHistory", "fit", "monitor_batch"]
