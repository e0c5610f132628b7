"""Result tables returned by ``predict`` and ``recommend``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Predictions", "Recommendations"]

COLD_START_REASONS = ("", "unknown_user", "unknown_item", "unknown_user_and_item")


@dataclass
class Predictions:
    """Predicted ratings for (user, item) pairs, with the cold-start reason of each.

    Attributes
    ----------
    user, item : list
        The IDs as given by the caller.
    rating : ndarray of float64, shape (n,)
        The predictions; clipped to the rating scale unless ``clip=False`` was passed.
    cold_start : ndarray of str, shape (n,)
        ``""`` when both IDs are known, else ``"unknown_user"``, ``"unknown_item"`` or
        ``"unknown_user_and_item"``: the prediction is then a fallback (see
        ``predict``).
    """

    user: list
    item: list
    rating: np.ndarray
    cold_start: np.ndarray

    def __len__(self) -> int:
        return len(self.rating)

    def __array__(self, dtype=None, copy=None):
        return self.rating if dtype is None else self.rating.astype(dtype)

    def __getitem__(self, position: int) -> float:
        return float(self.rating[position])

    @property
    def fallback(self) -> np.ndarray:
        """Boolean mask of predictions that used a fallback for an unknown ID."""
        return self.cold_start != ""

    def to_list(self) -> list[dict]:
        """Return one dict per pair: ``user``, ``item``, ``prediction``, ``fallback``, ``cold_start``."""
        return [
            {
                "user": u,
                "item": i,
                "prediction": float(r),
                "fallback": bool(c),
                "cold_start": c or None,
            }
            for u, i, r, c in zip(self.user, self.item, self.rating, self.cold_start)
        ]


@dataclass
class Recommendations:
    """Top-n lists as a long table: one row per (user, rank).

    Attributes
    ----------
    user, item : list
        External IDs.
    rank : ndarray of int64
        1 for the best item of each user.
    score : ndarray of float64
        The score that ranked the item (see the model's ``recommend``).
    rule : str
        How the items were ranked, for example ``"predicted_rating"``.
    unknown_users : list
        Requested users the model does not know; they have no rows.
    """

    user: list
    rank: np.ndarray
    item: list
    score: np.ndarray
    rule: str = "predicted_rating"
    unknown_users: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.item)

    @property
    def items(self) -> list:
        """The recommended item IDs in table order."""
        return list(self.item)

    def for_user(self, user) -> Recommendations:
        """Return the rows of one user."""
        rows = [k for k, u in enumerate(self.user) if u == user]
        return Recommendations(
            [self.user[k] for k in rows], self.rank[rows], [self.item[k] for k in rows],
            self.score[rows], self.rule,
        )

    def to_list(self) -> list[dict]:
        """Return one dict per row: ``user``, ``rank``, ``item``, ``score``."""
        return [
            {"user": u, "rank": int(r), "item": i, "score": float(s)}
            for u, r, i, s in zip(self.user, self.rank, self.item, self.score)
        ]

    def to_arrow(self):
        """Return the table as a ``pyarrow.Table`` with columns user, rank, item, score."""
        import pyarrow as pa

        return pa.table({"user": self.user, "rank": self.rank, "item": self.item, "score": self.score})

    def to_pandas(self):
        """Return the table as a ``pandas.DataFrame`` (pandas must be installed)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            raise ImportError("to_pandas needs pandas: pip install pandas, or use to_arrow()") from None
        return self.to_arrow().to_pandas()
