"""Ratings input: readers, the ID maps and the columnar ratings container."""

from .idmap import IdMap
from .ratings import Ratings, ReadReport
from .readers import read_ratings

__all__ = ["IdMap", "Ratings", "ReadReport", "read_ratings"]
