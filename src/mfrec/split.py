"""Train/test splitters that return two :class:`Ratings` sharing the input's ID maps.

Every splitter returns :class:`Split` objects: ``(train, test)`` tuples that also
count the test rows whose user or item has no rating in ``train``. Seeded splitters
give the same split for the same seed and input.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .data.ratings import Ratings

__all__ = [
    "Split",
    "k_fold",
    "last_k_split",
    "random_split",
    "temporal_split",
    "user_holdout_split",
]


class Split(NamedTuple):
    """Train and test ratings; unpacks as ``train, test = split``.

    Both share the ID maps of the ratings they came from, so an index means the same
    user or item in each.
    """

    train: Ratings
    test: Ratings

    @property
    def test_rows_unseen_user(self) -> int:
        """Number of test rows whose user has no rating in ``train``."""
        return _unseen_rows(self.train.user_index, self.train.users, self.test.user_index, self.test.users)

    @property
    def test_rows_unseen_item(self) -> int:
        """Number of test rows whose item has no rating in ``train``."""
        return _unseen_rows(self.train.item_index, self.train.items, self.test.item_index, self.test.items)

    def summary(self) -> dict:
        """Return the row counts as a dict: train and test sizes and the unseen rows."""
        return {
            "train_rows": len(self.train),
            "test_rows": len(self.test),
            "test_rows_unseen_user": self.test_rows_unseen_user,
            "test_rows_unseen_item": self.test_rows_unseen_item,
        }


def random_split(ratings: Ratings, *, test_fraction: float = 0.2, seed: int = 0) -> Split:
    """Hold out a seeded random ``test_fraction`` of the ratings.

    Returns
    -------
    Split
        Train and test; every rating is in exactly one of them. Users and items whose
        ratings all land in the test part are unseen in training.
    """
    _check_fraction(test_fraction)
    rng = np.random.default_rng(seed)
    n_test = int(round(len(ratings) * test_fraction))
    test_rows = np.zeros(len(ratings), dtype=bool)
    test_rows[rng.permutation(len(ratings))[:n_test]] = True
    return _split(ratings, test_rows)


def user_holdout_split(
    ratings: Ratings,
    *,
    test_fraction: float | None = None,
    test_count: int | None = None,
    seed: int = 0,
) -> Split:
    """Hold out, for each user, a random fraction or a fixed number of their ratings.

    Give exactly one of ``test_fraction`` and ``test_count``. Each user keeps at least
    one rating in training, so no test row has an unseen user: a user with ``n``
    ratings gives ``min(round(test_fraction * n), n - 1)`` or ``min(test_count, n - 1)``
    ratings to the test part. ``test_count=1`` is leave-one-out.

    Parameters
    ----------
    ratings : Ratings
    test_fraction : float, optional
        Share of each user's ratings to hold out, strictly between 0 and 1.
    test_count : int, optional
        Number of each user's ratings to hold out (leave-k-out), at least 1.
    seed : int
        Seed of the choice of held-out ratings.

    Returns
    -------
    Split
    """
    if (test_fraction is None) == (test_count is None):
        raise ValueError("give exactly one of test_fraction and test_count")
    if test_fraction is not None:
        _check_fraction(test_fraction)
    else:
        _check_count("test_count", test_count)

    counts = np.bincount(ratings.user_index, minlength=ratings.n_users)
    if test_fraction is not None:
        # Round half up so that a user with 5 ratings and fraction 0.1 gives 1, not 0.
        requested = np.floor(counts * test_fraction + 0.5).astype(np.int64)
    else:
        requested = np.full(len(counts), test_count, dtype=np.int64)
    per_user = np.minimum(requested, np.maximum(counts - 1, 0))

    rng = np.random.default_rng(seed)
    rank = _rank_within_user(ratings.user_index, (rng.random(len(ratings)),))
    return _split(ratings, rank < per_user[ratings.user_index])


def temporal_split(
    ratings: Ratings,
    *,
    cutoff: int | None = None,
    test_fraction: float | None = None,
) -> Split:
    """Split at one point in time: ratings at or after the cut-off form the test part.

    Give exactly one of ``cutoff`` and ``test_fraction``. With ``test_fraction`` the
    cut-off is the earliest timestamp such that at most that share of the ratings is at
    or after it, so ratings with equal timestamps always land on the same side.

    Parameters
    ----------
    ratings : Ratings
        Must have timestamps.
    cutoff : int, optional
        Timestamp, in the units of the data (seconds since 1970 for MovieLens).
    test_fraction : float, optional
        Share of the latest ratings to hold out, strictly between 0 and 1.

    Returns
    -------
    Split
        Every training rating is older than every test rating. Users and items that
        appear only after the cut-off are unseen in training.
    """
    timestamp = _timestamps(ratings)
    if (cutoff is None) == (test_fraction is None):
        raise ValueError("give exactly one of cutoff and test_fraction")
    if test_fraction is not None:
        _check_fraction(test_fraction)
        cutoff = _fraction_cutoff(timestamp, test_fraction)
    return _split(ratings, timestamp >= cutoff)


def last_k_split(ratings: Ratings, *, k: int = 1) -> Split:
    """Hold out each user's ``k`` most recent ratings.

    A user keeps at least one rating in training: a user with ``n <= k`` ratings gives
    ``n - 1``. Ratings with equal timestamps are ordered by their position in the
    input, later rows counting as more recent.

    Parameters
    ----------
    ratings : Ratings
        Must have timestamps.
    k : int
        Ratings per user to hold out, at least 1.

    Returns
    -------
    Split
        For each user, every test rating is at least as recent as every training one.
    """
    timestamp = _timestamps(ratings)
    _check_count("k", k)
    counts = np.bincount(ratings.user_index, minlength=ratings.n_users)
    per_user = np.minimum(k, np.maximum(counts - 1, 0))

    # Rank 0 is the most recent rating of each user; later rows win ties.
    rank = _rank_within_user(ratings.user_index, (-np.arange(len(ratings)), -timestamp))
    return _split(ratings, rank < per_user[ratings.user_index])


def k_fold(ratings: Ratings, *, folds: int = 5, seed: int = 0) -> list[Split]:
    """Partition the ratings into ``folds`` seeded random parts; each is the test part once.

    Parameters
    ----------
    ratings : Ratings
    folds : int
        Number of folds, at least 2 and at most the number of ratings.
    seed : int
        Seed of the assignment of ratings to folds.

    Returns
    -------
    list of Split
        ``folds`` splits; fold sizes differ by at most one rating, and every rating is
        in exactly one test part.
    """
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 2:
        raise ValueError(f"folds must be an integer >= 2, got {folds!r}")
    if folds > len(ratings):
        raise ValueError(f"folds must be at most the number of ratings ({len(ratings)}), got {folds}")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(ratings), dtype=np.int64)
    fold_of[rng.permutation(len(ratings))] = np.arange(len(ratings)) % folds
    return [_split(ratings, fold_of == fold) for fold in range(folds)]


def _split(ratings: Ratings, test_rows: np.ndarray) -> Split:
    return Split(ratings.take(~test_rows), ratings.take(test_rows))


def _unseen_rows(train_index: np.ndarray, train_ids, test_index: np.ndarray, test_ids) -> int:
    """Count test rows whose ID has no training rating; ID maps may be shared or separate."""
    present = np.bincount(train_index, minlength=len(train_ids)) > 0
    if test_ids is train_ids:
        return int((~present[test_index]).sum())
    # Separately read files have separate ID maps, so match IDs by value.
    position = train_ids.lookup(test_ids.ids)
    known = np.where(position >= 0, present[np.maximum(position, 0)], False)
    return int((~known[test_index]).sum())


def _rank_within_user(user_index: np.ndarray, keys: tuple) -> np.ndarray:
    """Return each rating's 0-based position among its user's ratings, sorted by ``keys``.

    ``keys`` are sort keys as for ``np.lexsort``: the last one is the primary key.
    """
    order = np.lexsort((*keys, user_index))
    sorted_users = user_index[order]
    starts = np.searchsorted(sorted_users, sorted_users)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - starts
    return rank


def _fraction_cutoff(timestamp: np.ndarray, test_fraction: float) -> int:
    """Return the earliest timestamp with at most ``test_fraction`` of the ratings at or after it."""
    ordered = np.sort(timestamp)
    n_test = int(math.floor(len(ordered) * test_fraction))
    distinct = np.unique(ordered)
    at_or_after = len(ordered) - np.searchsorted(ordered, distinct, side="left")
    fits = np.flatnonzero(at_or_after <= n_test)
    return int(distinct[fits[0]]) if len(fits) else int(ordered[-1]) + 1


def _timestamps(ratings: Ratings) -> np.ndarray:
    if ratings.timestamp is None:
        raise ValueError(
            "these ratings have no timestamps; read them with a timestamp column "
            "(read_ratings(..., timestamp=...)) for a temporal split"
        )
    return ratings.timestamp


def _check_fraction(test_fraction: float) -> None:
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float, np.number)) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction!r}")


def _check_count(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
