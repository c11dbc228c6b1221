"""Checking the ``model_args`` of a SeisBench weight file (its JSON) before building a Keras network.

SeisBench stores a model's constructor arguments as ``model_args`` in ``NAME.json[.vN]``; a key that is
missing takes the constructor's default. Each model's ``seisbench.py`` lists the keys it understands;
any other key is refused (its meaning is unknown here, so the converted network might silently differ),
and so is a value outside what the converter supports. Every error is a ``ValueError`` that names the
key and the value.

Example:
    >>> args = ModelArgs({"in_channels": 3, "phases": "PSN"}, "PhaseNet", {"in_channels", "phases"})
    >>> args.positive_int("in_channels", 3), args.text("phases", "NPS")
    (3, 'PSN')
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

# Arguments of SeisBench's WaveformModel base class that any model's JSON may carry.
GENERIC_ARGS = frozenset(
    {"sampling_rate", "component_order", "filter_args", "filter_kwargs", "grouping", "allow_padding"}
)


class ModelArgs:
    """Typed, checked access to one file's ``model_args``.

    Args:
        model_args: the JSON's ``model_args`` (``None`` is read as ``{}``).
        model: SeisBench's class name, for messages (``"PhaseNet"``).
        known: the model-specific keys the converter understands (the generic keys are always allowed).
    """

    def __init__(self, model_args: Mapping[str, Any] | None, model: str, known: Collection[str]) -> None:
        if model_args is None:
            model_args = {}
        if not isinstance(model_args, Mapping):
            raise ValueError(f"model_args of a {model} file must be a JSON object, got {model_args!r}.")
        self.args = dict(model_args)
        self.model = model
        unknown = sorted(set(self.args) - set(known) - GENERIC_ARGS)
        if unknown:
            raise ValueError(
                f"{model} model_args {unknown} are not supported by geozoo's converter (known: "
                f"{sorted(set(known) | GENERIC_ARGS)}); the weights may belong to another architecture."
            )
        grouping = self.args.get("grouping", "instrument")
        if grouping != "instrument":
            raise ValueError(
                f"{model} model_args grouping={grouping!r} is not supported: geozoo groups the traces of "
                "one instrument into multi-component windows ('instrument')."
            )

    def _bad(self, key: str, value: Any, expected: str) -> ValueError:
        return ValueError(f"{self.model} model_args {key}={value!r} is not supported; expected {expected}.")

    def positive_int(self, key: str, default: int) -> int:
        value = self.args.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self._bad(key, value, "a positive integer")
        return value

    def number(
        self, key: str, default: float, low: float = 0.0, high: float = float("inf"), zero: bool = False
    ) -> float:
        """A number strictly between ``low`` and ``high`` (or exactly 0 when ``zero``)."""
        value = self.args.get(key, default)
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not numeric or not (low < value < high or (zero and value == 0)):
            raise self._bad(key, value, f"a number in ({low}, {high})" + (" or 0" if zero else ""))
        return float(value)

    def positive_number(self, key: str, default: float) -> float:
        return self.number(key, default)

    def text(self, key: str, default: str | None) -> str | None:
        value = self.args.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self._bad(key, value, "a string")
        return value

    def choice(self, key: str, default: Any, allowed: Collection[Any]) -> Any:
        value = self.args.get(key, default)
        if not any(
            value is option or (type(value) is type(option) and value == option) for option in allowed
        ):
            raise self._bad(key, value, f"one of {list(allowed)}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        return bool(self.choice(key, default, (False, True)))

    def components(self, channels: int) -> str:
        """``component_order`` (SeisBench's default ``"ZNE"``), one letter per input channel."""
        order = self.text("component_order", "ZNE")
        if order is None or len(order) != channels or len(set(order)) != channels:
            raise self._bad(
                "component_order", order, f"{channels} distinct component letters (in_channels={channels})"
            )
        return order

    def labels(self, key: str, default: str | None, classes: int) -> tuple[str, ...]:
        """Output labels from ``phases`` (one letter each, or a list); ``None`` gives ``"0"``, ``"1"``, ..."""
        value = self.args.get(key, default)
        if value is None:
            return tuple(str(i) for i in range(classes))
        if not isinstance(value, (str, list)) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, value, "a string of phase letters or a list of names")
        if len(value) != classes:
            raise self._bad(key, value, f"{classes} labels (classes={classes})")
        return tuple(value)
