"""The version of geozoo: the one place it is written (setup.cfg reads it with ``attr:``).

Example:
    >>> from zoo._version import __version__
    >>> __version__.count(".")
    2
"""

__version__ = "0.1.0"
