"""Errors and warnings raised by mfrec.

Every error derives from :class:`MfrecError`, so callers can catch all of mfrec's
own failures with one ``except`` clause while programming errors still surface.
"""

from __future__ import annotations

__all__ = [
    "DataWarning",
    "DivergenceError",
    "InputError",
    "MfrecError",
    "ModelFileError",
    "NotFittedError",
    "UnknownIdError",
]


class MfrecError(Exception):
    """Base class of every error that mfrec raises on purpose."""


class InputError(MfrecError, ValueError):
    """Ratings input that cannot be read as given.

    Attributes
    ----------
    source : str or None
        File name or description of the input.
    line : int or None
        1-based line number in the file (or row number in a table) of the first
        problem, when one line is to blame.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        super().__init__(message)
        self.source = source
        self.line = line


class NotFittedError(MfrecError, AttributeError):
    """A model method that needs fitted state was called before ``fit``."""


class UnknownIdError(MfrecError, KeyError):
    """A user or item ID that the model never saw in training.

    Attributes
    ----------
    kind : {"user", "item"}
    ids : list
        The unknown IDs, as given by the caller.
    """

    def __init__(self, kind: str, ids: list):
        self.kind = kind
        self.ids = list(ids)
        shown = ", ".join(repr(i) for i in self.ids[:5])
        more = f" and {len(self.ids) - 5} more" if len(self.ids) > 5 else ""
        super().__init__(
            f"unknown {kind} ID {shown}{more}: the model was not trained on it; "
            f"check the ID or retrain with ratings for this {kind}"
        )

    def __str__(self) -> str:
        # KeyError quotes its argument; print the message as written instead.
        return str(self.args[0])


class DivergenceError(MfrecError, ArithmeticError):
    """Training produced non-finite or exploding values."""


class ModelFileError(MfrecError, ValueError):
    """A model file that is missing, damaged, foreign or from a newer mfrec."""


class DataWarning(UserWarning):
    """Input data was accepted but changed or interpreted in a way to check."""
