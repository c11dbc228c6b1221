"""PhaseNet (Zhu & Beroza 2019) exactly as in AI4EPS/PhaseNet model 190703-214543.

The original is a TF1 U-Net on inputs ``[batch, 3000, 1, 3]`` with ``[7, 1]`` kernels; on the
singleton axis a 2-D convolution with a ``[7, 1]`` kernel is a 1-D convolution, so this port uses
Keras 1-D layers on ``[batch, 3000, 3]`` and reshapes the ``[7, 1, in, out]`` kernels on conversion.

Layout (depth 5, filters 8-16-32-64-128, kernel 7, stride 4, no dropout since the published model
was trained with ``drop_rate=0``):

- ``input_conv`` (with bias) -> ``input_bn`` -> ReLU;
- for depth ``d`` = 1..5: ``down_conv1_d`` (no bias) -> ``down_bn1_d`` -> ReLU, kept as skip ``d``;
  for d < 5 then ``down_conv3_d`` (no bias, stride 4) -> ``down_bn3_d`` -> ReLU;
- for depth ``d`` = 4..1: ``up_conv0_d`` (transposed, no bias, stride 4) -> ``up_bn0_d`` -> ReLU,
  cropped centrally to the skip's length and concatenated AFTER the skip (``[skip, up]``), then
  ``up_conv1_d`` (no bias) -> ``up_bn1_d`` -> ReLU;
- ``output_conv`` (1x1, with bias) -> softmax over (noise, P, S).

All convolutions use TensorFlow's ``same`` padding; batch norm epsilon is 1e-3 as in
``tf.layers.batch_normalization``. Differences from the original: none in the arithmetic; layer
names drop the TF1 variable scopes (``DownConv_0/down_conv1_1`` -> ``down_conv1_1``).

Example:
    >>> from zoo.models.phasenet.model import build
    >>> build().output_shape
    (None, 3000, 3)
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from zoo.models.batch_norm import folded_weights
from zoo.models.phasenet.layers import CropAndConcat, SkipConv1D, SoftmaxOfDifferences, class_pairs

CLASSES = ("noise", "P", "S")


def _unit(x, conv: layers.Layer, bn_name: str, folded: bool):
    """Convolution, batch norm and ReLU; folded: the convolution alone (batch norm folded into it, and
    ReLU its activation, so that oneDNN applies it inside the convolution)."""
    if folded:
        return conv(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=bn_name)(conv(x))
    return layers.ReLU()(x)


def build(
    input_samples: int = 3000,
    channels: int = 3,
    depths: int = 5,
    filters_root: int = 8,
    kernel_size: int = 7,
    stride: int = 4,
    classes: int = 3,
    folded: bool = False,
) -> keras.Model:
    """Build the PhaseNet U-Net with random weights.

    Args:
        input_samples: Window length in samples (3000 = 30 s at 100 Hz for the published model).
        channels: Input components (3: E, N, Z).
        depths: Number of resolution levels.
        filters_root: Filters at the first level; level ``d`` has ``filters_root * 2**d``.
        kernel_size: Convolution kernel length in samples.
        stride: Down-/up-sampling factor between levels.
        classes: Output classes (noise, P, S).
        folded: Build the inference form (see :func:`fold_batch_norm`): no batch-norm layers, every
            convolution with a bias and ReLU as its activation, each skip connection's concatenation
            and convolution as one :class:`~zoo.models.phasenet.layers.SkipConv1D`, and (for two or
            more classes) the softmax computed from the pairwise logit differences of a convolution
            ``output_differences`` in place of ``output_conv``.

    Returns:
        A ``keras.Model`` mapping normalised windows ``[batch, input_samples, channels]`` to softmax
        probabilities ``[batch, input_samples, classes]`` in the order noise, P, S.
    """
    relu = {"activation": "relu"} if folded else {}
    biased = {"padding": "same", "use_bias": True}
    plain = {"padding": "same", "use_bias": folded, **relu}
    inputs = keras.Input((input_samples, channels), name="waveform")
    x = _unit(
        inputs,
        layers.Conv1D(filters_root, kernel_size, name="input_conv", **biased, **relu),
        "input_bn",
        folded,
    )
    skips = []
    for depth in range(depths):
        filters = filters_root * 2**depth
        level = depth + 1
        conv = layers.Conv1D(filters, kernel_size, name=f"down_conv1_{level}", **plain)
        x = _unit(x, conv, f"down_bn1_{level}", folded)
        skips.append(x)
        if depth < depths - 1:
            conv = layers.Conv1D(filters, kernel_size, strides=stride, name=f"down_conv3_{level}", **plain)
            x = _unit(x, conv, f"down_bn3_{level}", folded)
    for depth in range(depths - 2, -1, -1):
        filters = filters_root * 2**depth
        level = depth + 1
        conv = layers.Conv1DTranspose(filters, kernel_size, strides=stride, name=f"up_conv0_{level}", **plain)
        x = _unit(x, conv, f"up_bn0_{level}", folded)
        name = f"up_conv1_{level}"
        if folded:
            x = SkipConv1D(filters, kernel_size, name=name, **plain)(skips[depth], x)
        else:
            x = CropAndConcat(name=f"crop_concat_{level}")(skips[depth], x)
            x = _unit(x, layers.Conv1D(filters, kernel_size, name=name, **plain), f"up_bn1_{level}", folded)
    if folded and classes > 1:
        differences = layers.Conv1D(len(class_pairs(classes)), 1, name="output_differences", **biased)(x)
        probabilities = SoftmaxOfDifferences(classes, name="softmax")(differences)
    else:
        logits = layers.Conv1D(classes, 1, name="output_conv", **biased)(x)
        probabilities = layers.Softmax(axis=-1, name="softmax")(logits)
    return keras.Model(inputs, probabilities, name="phasenet_folded" if folded else "phasenet")


def fold_batch_norm(model: keras.Model) -> keras.Model:
    """An inference copy of ``model`` with every batch norm folded into the convolution before it.

    Each ``conv -> batch norm`` becomes one convolution (:func:`zoo.models.batch_norm.folded_weights`
    gives its kernel and bias). The output convolution's logits ``z`` become their pairwise differences ``z_j - z_i`` (kernel and bias
    columns subtracted), from which :class:`~zoo.models.phasenet.layers.SoftmaxOfDifferences` makes
    the same softmax without a slow reduction over 3 channels. The copy gives the same probabilities
    to float32 round-off (about 3e-7) and its network runs about 1.6x as fast on a CPU (batch norm
    folded: a quarter; the softmax head: a further quarter); it is for prediction only (nothing to
    train) and shares no variables with ``model``.

    Example:
        >>> import numpy as np
        >>> fast = fold_batch_norm(build())
        >>> "down_bn1_1" in [layer.name for layer in fast.layers]
        False
    """
    down = [layer for layer in model.layers if layer.name.startswith("down_conv1_")]
    first = model.get_layer("input_conv")
    folded = build(
        input_samples=model.input_shape[1],
        channels=model.input_shape[2],
        depths=len(down),
        filters_root=first.filters,
        kernel_size=first.kernel_size[0],
        stride=model.get_layer("down_conv3_1").strides[0],
        classes=model.get_layer("output_conv").filters,
        folded=True,
    )
    for layer in folded.layers:
        if not layer.weights:
            continue
        if layer.name == "output_differences":
            layer.set_weights(_differences(model.get_layer("output_conv")))
            continue
        source = model.get_layer(layer.name)
        kernel = source.kernel.numpy()
        bias = source.bias.numpy() if source.use_bias else np.zeros(layer.filters, np.float32)
        if layer.name == "output_conv":
            layer.set_weights([kernel, bias])
            continue
        bn = model.get_layer(layer.name.replace("conv", "bn"))
        axis = 1 if isinstance(layer, layers.Conv1DTranspose) else -1
        layer.set_weights(folded_weights(kernel, bias, bn, channel_axis=axis))
    return folded


def _differences(output_conv: layers.Layer) -> list[np.ndarray]:
    """Kernel and bias of a 1x1 convolution giving the logit differences ``z_j - z_i`` of ``output_conv``."""
    kernel, bias = (w.numpy().astype(np.float64) for w in output_conv.weights)
    pairs = class_pairs(output_conv.filters)
    return [
        np.stack([kernel[..., j] - kernel[..., i] for i, j in pairs], axis=-1).astype(np.float32),
        np.array([bias[j] - bias[i] for i, j in pairs], np.float32),
    ]
