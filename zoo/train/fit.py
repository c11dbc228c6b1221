"""``zoo.train.fit``: supervised training and fine-tuning of a zoo picker on labelled records.

One call does what a seismologist otherwise wires by hand: windows cut from the records (random shift on
the fly or the P arrival at a fixed position), labels drawn in the compiled train step, the augmentation
pipeline applied there (on the GPU when there is one), layers frozen, a learning-rate warm-up, the best
model by validation pick F1 kept as a preset folder (``zoo.load(out)`` loads it), TensorBoard logs, a
CSV history, early stopping, resuming an interrupted run, mixed precision on GPUs and data-parallel
training over several GPUs or machines.

Output folder ``out``::

    out/config.json, metadata.json, model.weights.h5   the best picker (a preset folder)
    out/training/logs/                                  TensorBoard (``tensorboard --logdir out/training/logs``)
    out/training/history.csv                            loss and validation F1 per epoch
    out/training/backup/                                state to resume from (``resume=True``)

Several devices: with more than one GPU visible :class:`tf.distribute.MirroredStrategy` is used; with
``TF_CONFIG`` naming more than one worker, :class:`tf.distribute.MultiWorkerMirroredStrategy` (run the
same command on every machine with its own ``TF_CONFIG``). ``batch_size`` is the global batch.

Example:
    >>> import numpy as np, tensorflow as tf, zoo
    >>> rng = np.random.default_rng(0)
    >>> records = tf.data.Dataset.from_tensor_slices({
    ...     "waveform": rng.normal(size=(4, 3000, 3)).astype("float32"), "trace_name": list("abcd"),
    ...     "trace_p_arrival_sample": np.full(4, 1000.0, "float32"),
    ...     "trace_s_arrival_sample": np.full(4, 1500.0, "float32")})
    >>> small = zoo.load("phasenet", pretrained=False, depths=2)  # a random two-level PhaseNet
    >>> history = fit(small, records, records, epochs=1, batch_size=2, verbose=0)
    >>> sorted(history.history)
    ['loss', 'val_P_f1', 'val_S_f1', 'val_loss', 'val_pick_f1']
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import keras
import tensorflow as tf

from zoo.augment import Pipeline
from zoo.loading import attach_card
from zoo.preset_folder import is_preset_folder
from zoo.registry import card, card_of
from zoo.train.callbacks import BestPreset
from zoo.train.freeze import frozen
from zoo.train.schedules import WarmUp
from zoo.train.supervised import PickerTrainer
from zoo.train.targets import PhaseLabels
from zoo.train.windows import PPosition, cut_windows

logger = logging.getLogger(__name__)

TRAINING = "training"


def choose_strategy(strategy: tf.distribute.Strategy | Literal["auto"] = "auto") -> tf.distribute.Strategy:
    """The distribution strategy: the given one, or by the devices and ``TF_CONFIG`` (see the module doc)."""
    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    if strategy != "auto":
        raise ValueError(f"strategy must be 'auto' or a tf.distribute.Strategy, got {strategy!r}.")
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    if len(cluster.get("worker", [])) + len(cluster.get("chief", [])) > 1:
        return tf.distribute.MultiWorkerMirroredStrategy()
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _use_mixed_precision(mixed_precision: bool | Literal["auto"]) -> bool:
    if mixed_precision == "auto":
        return bool(tf.config.list_logical_devices("GPU"))
    if not isinstance(mixed_precision, bool):
        raise TypeError(f"mixed_precision must be True, False or 'auto', got {mixed_precision!r}.")
    return mixed_precision


def _rebuild(model: keras.Model, dtype_policy: str | None) -> keras.Model:
    """A copy of ``model`` built in the current scope (and dtype policy) with the same weights."""
    model_card = card_of(model)
    config = dict(getattr(model, "zoo_config", {}))
    previous = keras.config.dtype_policy()
    try:
        if dtype_policy:
            keras.config.set_dtype_policy(dtype_policy)
        copy = model_card.build(**config)
    finally:
        keras.config.set_dtype_policy(previous)
    copy.set_weights(model.get_weights())
    preset, variant = getattr(model, "zoo_preset", None), getattr(model, "zoo_variant", None)
    return attach_card(copy, card(model_card.name), config, preset, variant)


def _check_out(out: Path, resume: bool) -> None:
    if out.exists() and not resume and (is_preset_folder(out) or (out / TRAINING).exists()):
        raise ValueError(
            f"{out} already holds a training run; pass resume=True (--resume) to continue it or choose "
            "another folder."
        )
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file; the output must be a folder.")


def _windows(records, model_card, *, training, batch_size, p_position, seed, shuffle) -> tf.data.Dataset:
    if not isinstance(records, tf.data.Dataset):
        raise TypeError(f"records must be a tf.data.Dataset (see zoo.data), got {type(records).__name__}.")
    if training and shuffle:
        records = records.shuffle(shuffle, seed=seed, reshuffle_each_iteration=True)
    windows = cut_windows(
        records,
        model_card.waveform.samples,
        sampling_rate=model_card.waveform.sampling_rate,
        p_position=p_position,
        seed=seed,
        training=training,
    )
    return windows.batch(batch_size, drop_remainder=training).prefetch(tf.data.AUTOTUNE)


def fit(
    model: keras.Model,
    train: tf.data.Dataset,
    val: tf.data.Dataset | None = None,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    steps_per_epoch: int | None = None,
    labels: PhaseLabels | None = None,
    augment: Pipeline | None = None,
    p_position: PPosition = None,
    learning_rate: float = 1e-3,
    warmup_steps: int = 0,
    freeze: str | Sequence[str] | None = None,
    out: str | Path | None = None,
    patience: int | None = None,
    resume: bool = False,
    mixed_precision: bool | Literal["auto"] = "auto",
    strategy: tf.distribute.Strategy | Literal["auto"] = "auto",
    trainer: type[PickerTrainer] = PickerTrainer,
    trainer_options: Mapping[str, Any] | None = None,
    optimizer: Callable[[Any], keras.optimizers.Optimizer] | None = None,
    tolerance: float = 0.1,
    seed: int = 0,
    shuffle: int = 1000,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    metadata: Mapping[str, Any] | None = None,
    verbose: int | str = "auto",
) -> keras.callbacks.History:
    """Train or fine-tune ``model`` in place on labelled records; returns the Keras ``History``.

    Args:
        model: a sample-wise picker from :func:`zoo.load` (pretrained to fine-tune, or not).
        train, val: unbatched record datasets (see :mod:`zoo.data`); records may be longer than the
            model's window.
        epochs: passes over ``train`` (or over ``steps_per_epoch`` batches, the data repeating).
        batch_size: windows per optimizer step (global, over all devices).
        labels: label curves (default: Gaussian, sigma 0.1 s).
        augment: augmentations run inside the train step.
        p_position: where the window puts the P arrival (``None``: random shift on the fly; seconds; or a
            ``(min, max)`` range of seconds).
        learning_rate: Adam's learning rate after the warm-up.
        warmup_steps: optimizer steps of the linear warm-up.
        freeze: card layer groups (``"encoder"``) or layer-name regexes to keep fixed.
        out: output folder (see the module docstring); ``None`` keeps nothing on disk.
        patience: stop after this many epochs without a better validation pick F1.
        resume: continue the run in ``out`` from its last finished epoch.
        mixed_precision: float16 compute (``"auto"``: on GPUs only).
        strategy: ``"auto"`` or a ``tf.distribute.Strategy``.
        trainer: the training model class (:class:`PickerTrainer`, or e.g. ``ShapeAdversarial``).
        trainer_options: extra keyword arguments of ``trainer``.
        optimizer: ``optimizer(learning_rate) -> keras optimizer`` for the picker (default Adam); it
            receives the learning rate or the warm-up schedule, e.g.
            ``zoo.train.shape_adversarial.paper_adam`` (Adam with ``beta_1 = 0``).
        tolerance: seconds within which a validation pick counts as a hit.
        seed: seed of the shuffling, the windows and the augmentations (it also seeds Python's, NumPy's
            and Keras' global generators, as ``keras.utils.set_random_seed``).
        shuffle: shuffle buffer in records (0: no shuffling).
        callbacks: more Keras callbacks.
        metadata: provenance stored in the preset folder's ``metadata.json``.
        verbose: Keras ``fit`` verbosity.
    """
    model_card = card_of(model)
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}.")
    if val is None and (patience is not None or out is not None):
        raise ValueError("keeping the best model (out=...) and early stopping need validation records (val).")
    out = None if out is None else Path(out)
    if out is not None:
        _check_out(out, resume)
    keras.utils.set_random_seed(seed)
    strategy = choose_strategy(strategy)
    mixed = _use_mixed_precision(mixed_precision)
    default_scope = strategy is tf.distribute.get_strategy()
    options = dict(
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, warmup_steps=warmup_steps,
        freeze=freeze, p_position=p_position, seed=seed, tolerance=tolerance, mixed_precision=mixed,
        augment=augment.describe() if augment is not None else None,
        trainer=trainer.__name__, optimizer=getattr(optimizer, "__name__", "Adam"), devices=strategy.num_replicas_in_sync,
    )  # fmt: skip
    with strategy.scope():
        picker = model if default_scope and not mixed else _rebuild(model, "mixed_float16" if mixed else None)
    with frozen(picker, freeze) as names:
        logger.info("frozen layers: %s", ", ".join(names) or "none")
        with strategy.scope():
            fitter = trainer(
                picker,
                labels=labels,
                augment=augment,
                seed=seed,
                tolerance=tolerance,
                **dict(trainer_options or {}),
            )
            schedule = WarmUp(learning_rate, warmup_steps) if warmup_steps else learning_rate
            fitter.compile(optimizer=(optimizer or keras.optimizers.Adam)(schedule))
        train_windows = _windows(
            train,
            model_card,
            training=True,
            batch_size=batch_size,
            p_position=p_position,
            seed=seed,
            shuffle=shuffle,
        )
        if steps_per_epoch is not None:
            train_windows = train_windows.repeat()
        val_windows = None
        if val is not None:
            val_windows = _windows(
                val,
                model_card,
                training=False,
                batch_size=batch_size,
                p_position=p_position,
                seed=seed,
                shuffle=0,
            )
        all_callbacks = list(callbacks)
        if patience is not None:
            all_callbacks.append(keras.callbacks.EarlyStopping("val_pick_f1", patience=patience, mode="max"))
        if out is not None:
            logs = out / TRAINING
            logs.mkdir(parents=True, exist_ok=True)
            all_callbacks += [
                keras.callbacks.BackupAndRestore(logs / "backup", delete_checkpoint=False),
                BestPreset(out, metadata={"training": options, **dict(metadata or {})}),
                keras.callbacks.CSVLogger(logs / "history.csv", append=resume),
                keras.callbacks.TensorBoard(logs / "logs"),
            ]
        history = fitter.fit(
            train_windows,
            validation_data=val_windows,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            callbacks=all_callbacks,
            shuffle=False,
            verbose=verbose,
        )
    if picker is not model:
        model.set_weights(picker.get_weights())
    return history
