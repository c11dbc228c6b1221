"""BlueDisc shape discriminator (Huang et al. 2025) for shape-adversarial picker training.

Not a registry model: it has no published weights and is trained together with a picker by
:class:`zoo.train.ShapeAdversarial`. See :mod:`zoo.models.shape_discriminator.model`.
"""

from zoo.models.shape_discriminator.model import build, conv_output_samples

__all__ = ["build", "conv_output_samples"]
