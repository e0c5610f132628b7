"""Checks of the arguments that estimators validate in ``fit``, with messages that name the fix."""

from __future__ import annotations

import math

import numpy as np

from .data.ratings import Ratings


def check_ratings(ratings) -> Ratings:
    """Return ``ratings`` when it is a non-empty :class:`Ratings`; raise otherwise."""
    if not isinstance(ratings, Ratings):
        raise TypeError(f"fit needs a Ratings object from mfrec.read_ratings, got {type(ratings).__name__}")
    if len(ratings) == 0:
        raise ValueError("cannot fit on 0 ratings")
    return ratings


def check_int(name: str, value, minimum: int) -> None:
    """Raise ValueError unless ``value`` is an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def check_float(name: str, value, *, positive: bool = False, allow_negative: bool = False) -> None:
    """Raise ValueError unless ``value`` is a finite number, ``>= 0`` by default.

    ``positive=True`` also rejects 0; ``allow_negative=True`` accepts any finite number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if allow_negative:
        return
    if value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
