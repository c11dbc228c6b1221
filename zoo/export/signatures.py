"""The serving signatures of an exported model: raw waveforms in, named label curves out.

Every signature takes ``waveform``: float32 ``[windows, samples, channels]`` in raw counts at the
card's sampling rate, components in the card's order; the window count is free, the window length
and channel count are the card's. The card's normalisation runs inside the graph (for CRED the STFT
is part of the Keras network), so a server needs no preprocessing code.

Output names follow one rule, :func:`output_name`: a pick label is a phase name and keeps its
spelling (``P``, ``S``); ``N`` becomes ``noise``; every other label is lower-cased
(``Detection`` -> ``detection``).

Signatures (:func:`signatures`):

- ``serving_default``: one output per label. Sequence models give ``[windows, out_samples]``
  (``out_samples`` = samples / ``output_step``); point models (one value per window, e.g. GPD)
  give ``[windows]``.
- ``annotate_window``: ``annotations`` ``[windows, out_samples, labels]`` float32, the label curves
  stacked in the card's label order, exactly what ``zoo.annotate`` stacks into traces.
- ``picks`` (models with pick labels only): a second input ``threshold`` (float32 scalar) and for
  each pick label ``<name>_sample`` (int32 ``[windows]``: the peak's position in input samples from
  the window start, ``-1`` when the peak is below ``threshold``) and ``<name>_probability``
  (float32 ``[windows]``: the peak value, ``0`` when below ``threshold``). A peak counts when it
  is at or above the threshold. Point models report the window centre as the peak sample.

Inputs are checked inside the graph (:func:`check_waveform`, :func:`check_threshold`), because a
server does not hold a request to the declared input shape: a ``waveform`` that is not
``[windows, samples, channels]`` with the card's samples and channels, or a ``threshold`` that is not
a probability in [0, 1], fails with ``InvalidArgumentError`` whose message names the expected
input, instead of giving all-noise curves or an error from deep inside the network.

Example:
    >>> import zoo
    >>> from zoo.export.signatures import output_names
    >>> output_names(zoo.card("phasenet"))
    ('P', 'S', 'noise')
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from zoo.registry import ModelCard, waveform_card

WAVEFORM = "waveform"
THRESHOLD = "threshold"
ANNOTATIONS = "annotations"
SERVING_DEFAULT = "serving_default"
ANNOTATE_WINDOW = "annotate_window"
PICKS = "picks"
_SPELLED_OUT = {"N": "noise"}


def output_name(card: ModelCard, label: str) -> str:
    """The serving output name of one card label (see the module docstring for the rule)."""
    if label in card.trigger.pick_labels:
        return label
    return _SPELLED_OUT.get(label, label.lower())


def output_names(card: ModelCard) -> tuple[str, ...]:
    """Serving output names of all card labels, in label order; they must be distinct."""
    names = tuple(output_name(card, label) for label in card.annotation.labels)
    if len(set(names)) != len(names):
        raise ValueError(
            f"Labels {card.annotation.labels} of {card.name!r} give clashing output names {names}."
        )
    return names


def check_card(card: ModelCard) -> None:
    """Raise ``ValueError`` unless the card states what an export needs (a waveform model, distinct outputs)."""
    waveform_card(card, "zoo.export")
    output_names(card)


def waveform_spec(card: ModelCard) -> tf.TensorSpec:
    """``[None, input_samples, channels]`` float32 named ``waveform``."""
    return tf.TensorSpec(
        [None, card.waveform.samples, len(card.waveform.components)], tf.float32, name=WAVEFORM
    )


def threshold_spec() -> tf.TensorSpec:
    """The scalar float32 ``threshold`` input of the ``picks`` signature."""
    return tf.TensorSpec([], tf.float32, name=THRESHOLD)


def expected_waveform(card: ModelCard) -> str:
    """The ``waveform`` input in words, e.g. ``float32 [windows, 3000, 3] (ENZ at 100 Hz, raw counts)``."""
    return (
        f"float32 [windows, {card.waveform.samples}, {len(card.waveform.components)}] "
        f"({card.waveform.components} at {card.waveform.sampling_rate:g} Hz, raw counts)"
    )


def _joined(values: tf.Tensor) -> tf.Tensor:
    """All elements of ``values`` as one string, comma-separated (a run-time value, never folded)."""
    return tf.strings.reduce_join(tf.reshape(tf.strings.as_string(values), [-1]), separator=",")


def check_waveform(waveform: tf.Tensor, card: ModelCard) -> tf.Tensor:
    """``waveform`` after a run-time check: ``[windows >= 1, input_samples, channels]``.

    A server feeds the request tensor without holding it to the signature's declared shape, and
    TensorFlow's graph optimiser folds ``Rank`` (and shape facts derived from it) of a declared input
    into constants. The check therefore matches the run-time shape written out as text
    (``"1,3000,3"``), which no optimiser can precompute.
    """
    shape = tf.shape(waveform)
    pattern = f"[1-9][0-9]*,{card.waveform.samples},{len(card.waveform.components)}"
    valid = tf.strings.regex_full_match(_joined(shape), pattern)
    message = (
        f"waveform must be {expected_waveform(card)} with at least one window, for {card.name}; got shape"
    )
    with tf.control_dependencies([tf.debugging.Assert(valid, [message, shape], name="check_waveform")]):
        return tf.identity(waveform)


def check_threshold(threshold: tf.Tensor) -> tf.Tensor:
    """``threshold`` after a run-time check that it is one probability in [0, 1] (not NaN)."""
    one_value = tf.strings.regex_full_match(_joined(threshold), "[^,]+")
    values = tf.reshape(threshold, [-1])
    in_range = tf.reduce_all(tf.logical_and(values >= 0.0, values <= 1.0), axis=0)
    valid = tf.logical_and(one_value, in_range)
    message = "threshold must be one float32 probability in [0, 1]; got"
    with tf.control_dependencies([tf.debugging.Assert(valid, [message, threshold], name="check_threshold")]):
        return tf.identity(threshold)


def signatures(
    network: Any, card: ModelCard, finish: Callable[[Any], Any], check_inputs: bool = True
) -> dict[str, tuple[Callable[..., Any], list[tf.TensorSpec]]]:
    """The signature functions of ``network`` (a Keras model) and their input specs, by name.

    Each function is plain TensorFlow: the input checks (unless ``check_inputs=False``, e.g. for
    ONNX, whose runtime checks declared shapes itself), ``card.waveform.normalize``, the network in
    inference mode, ``finish`` (what makes label curves of its outputs: ``card.annotation.postprocess``
    for the model itself, nothing for its inference copy; ``card.annotation.label_network``; one shared
    ``tf.function``, traced once) and slicing.
    ``picks`` is present only if the card has pick labels.
    """
    check_card(card)
    names = output_names(card)
    point = card.annotation.output_kind == "point"

    @tf.function(input_signature=[waveform_spec(card)])
    def network_curves(waveform: tf.Tensor) -> tf.Tensor:
        if check_inputs:
            waveform = check_waveform(waveform, card)
        curves = finish(network(card.waveform.normalize(waveform), training=False))
        return tf.cast(curves, tf.float32)

    @functools.cache
    def traced() -> Any:
        """``network_curves`` traced once, outside any signature's trace. Called as a tf.function from
        each signature instead, it was traced again for each (SavedModel export of EQTransformer
        11.1 -> 5.6 s)."""
        with tf.init_scope():
            return network_curves.get_concrete_function()

    def annotate(waveform: tf.Tensor) -> tf.Tensor:
        return traced()(waveform)

    def serving_default(waveform: tf.Tensor) -> dict[str, tf.Tensor]:
        curves = annotate(waveform)
        return {name: _label_output(curves, k, point) for k, name in enumerate(names)}

    def annotate_window(waveform: tf.Tensor) -> dict[str, tf.Tensor]:
        return {ANNOTATIONS: annotate(waveform)}

    def picks(waveform: tf.Tensor, threshold: tf.Tensor) -> dict[str, tf.Tensor]:
        if check_inputs:
            threshold = check_threshold(threshold)
        curves = annotate(waveform)
        out = {}
        for label in card.trigger.pick_labels:
            k = card.annotation.labels.index(label)
            index = tf.argmax(curves[:, :, k], axis=1, output_type=tf.int32)
            peak = tf.reduce_max(curves[:, :, k], axis=1)
            if point:
                sample = tf.fill(tf.shape(index), tf.constant(card.waveform.samples // 2, tf.int32))
            elif isinstance(step := card.annotation.output_step, int):
                sample = index * step
            else:  # a fractional output step: the nearest input sample
                sample = tf.cast(tf.round(tf.cast(index, tf.float64) * float(step)), tf.int32)
            found = peak >= threshold
            out[f"{label}_sample"] = tf.where(found, sample, -tf.ones_like(sample))
            out[f"{label}_probability"] = tf.where(found, peak, tf.zeros_like(peak))
        return out

    functions = {
        SERVING_DEFAULT: (serving_default, [waveform_spec(card)]),
        ANNOTATE_WINDOW: (annotate_window, [waveform_spec(card)]),
    }
    if card.trigger.pick_labels:
        functions[PICKS] = (picks, [waveform_spec(card), threshold_spec()])
    return functions


def _label_output(curves: tf.Tensor, k: int, point: bool) -> tf.Tensor:
    """Curve ``k`` of ``[windows, out_samples, labels]``: ``[windows]`` for point models."""
    return curves[:, 0, k] if point else curves[:, :, k]
