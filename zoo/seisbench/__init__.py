"""SeisBench interoperability: SeisBench weight files (``NAME.json[.vN]`` + ``NAME.pt[.vN]``) into geozoo.

- :mod:`zoo.seisbench.files`: find the JSON beside the weights, read both (no PyTorch needed);
- :mod:`zoo.seisbench.models`: which geozoo model takes which SeisBench class;
- :mod:`zoo.seisbench.convert`: :func:`convert_seisbench`, weights -> a preset folder.

The per-model parts (builder configuration from ``model_args``, state-dict assignment) live in each
model's folder, ``zoo/models/<name>/seisbench.py``.

Example:
    >>> from zoo.seisbench import SUPPORTED
    >>> sorted(SUPPORTED)
    ['cred', 'eqtransformer', 'gpd', 'phasenet']
"""

from zoo.seisbench.convert import convert_seisbench
from zoo.seisbench.files import SeisBenchWeights, metadata_path_for, read_weights
from zoo.seisbench.models import SUPPORTED

__all__ = ["SUPPORTED", "SeisBenchWeights", "convert_seisbench", "metadata_path_for", "read_weights"]
