"""Train/test splitters that return two :class:`Ratings` sharing the input's ID maps."""

from __future__ import annotations

import numpy as np

from .data.ratings import Ratings

__all__ = ["random_split"]


def random_split(ratings: Ratings, *, test_fraction: float = 0.2, seed: int = 0) -> tuple[Ratings, Ratings]:
    """Hold out a seeded random ``test_fraction`` of the ratings.

    Returns
    -------
    (Ratings, Ratings)
        Train and test; every rating is in exactly one of them.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    n_test = int(round(len(ratings) * test_fraction))
    test_rows = np.zeros(len(ratings), dtype=bool)
    test_rows[rng.permutation(len(ratings))[:n_test]] = True
    return ratings.take(~test_rows), ratings.take(test_rows)
