"""Lazy references to code, so that model cards are data and registering them imports no TensorFlow.

``lazy("zoo.models.phasenet.model", "build")`` is a callable that imports the module on its first call
and then behaves like the function it names (:func:`resolved` gives the function itself, e.g. for its
docstring); it compares equal to another reference to the same function, so cards stay comparable values. :func:`lazy_exports` gives a
model folder's ``__init__.py`` PEP 562 ``__getattr__``/``__dir__`` functions, so that ``from
zoo.models.gpd import normalize`` works without the folder importing TensorFlow up front.

Example:
    >>> from zoo.lazy import lazy
    >>> dumps = lazy("json", "dumps")
    >>> dumps([1, 2]), dumps == lazy("json", "dumps")
    ('[1, 2]', True)
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@functools.cache
def _target(module: str, name: str) -> Callable[..., Any]:
    """The function ``name`` of ``module``, imported once (also a plain call inside ``tf.function``)."""
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class LazyCallable:
    """A function named by module and attribute, imported on first use (see :func:`lazy`).

    Attributes:
        module: Dotted module path, e.g. ``"zoo.models.phasenet.model"``.
        name: The attribute of that module, e.g. ``"build"``.
    """

    module: str
    name: str

    def resolve(self) -> Callable[..., Any]:
        """The function itself (importing its module once)."""
        return _target(self.module, self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _target(self.module, self.name)(*args, **kwargs)

    @property
    def __name__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"lazy({self.module!r}, {self.name!r})"


def lazy(module: str, name: str) -> LazyCallable:
    """A callable that imports ``module`` on first call and calls its ``name``."""
    return LazyCallable(module, name)


def resolved(function: Callable[..., Any]) -> Callable[..., Any]:
    """The function behind a lazy reference (imported now); any other callable as it is.

    Example:
        >>> resolved(lazy("json", "dumps")).__name__
        'dumps'
    """
    return function.resolve() if isinstance(function, LazyCallable) else function


def lazy_exports(
    package: str, names: Mapping[str, str], eager: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """PEP 562 ``__getattr__`` and ``__dir__`` for a package whose public names live in submodules.

    Args:
        package: The package's ``__name__`` (for the error message).
        names: Public name -> module that defines it (imported when the name is first used).
        eager: Names the package defines itself (listed by ``__dir__``).

    Example:
        >>> getattr_, dir_ = lazy_exports("pkg", {"dumps": "json"})
        >>> getattr_("dumps")([1]), dir_()
        ('[1]', ['dumps'])
    """

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(names[name]), name)

    def __dir__() -> list[str]:
        return sorted({*names, *eager})

    return __getattr__, __dir__
