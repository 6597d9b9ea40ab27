"""The one error every loader raises for a file it cannot load."""

from __future__ import annotations


class LoadError(ValueError):
    """A file that cannot be loaded.

    The message names the file (and the line, row or column where there is one) and says
    what to do about it. Nothing of the file was loaded.
    """
