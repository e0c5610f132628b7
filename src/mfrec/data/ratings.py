"""The Ratings container: columnar int32/float32 arrays plus the two ID maps."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .idmap import IdMap

__all__ = ["ReadReport", "Ratings"]


@dataclass
class ReadReport:
    """Row accounting of one read: ``rows_read == kept + skipped + duplicates_merged``.

    Attributes
    ----------
    source : str
        File name, or a description such as ``"pandas.DataFrame"``.
    rows_read : int
        Data rows found in the input (header and empty lines excluded).
    kept : int
        Rows in the returned ratings.
    skipped : int
        Rows dropped by ``on_bad_lines="skip"``.
    duplicates_merged : int
        Rows folded into another row of the same (user, item) pair.
    skipped_lines : list of int
        Line numbers (1-based) of the first skipped rows, for messages.
    """

    source: str = "<memory>"
    rows_read: int = 0
    kept: int = 0
    skipped: int = 0
    duplicates_merged: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    separator: str | None = None
    header: bool | None = None
    duplicates: str = "last"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the counts as a JSON-ready dict."""
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "kept": self.kept,
            "skipped": self.skipped,
            "duplicates_merged": self.duplicates_merged,
        }


class Ratings:
    """Explicit ratings in columnar form, about 12 bytes per rating.

    Parameters
    ----------
    user_index, item_index : ndarray of int32, shape (n_ratings,)
        Dense indices into ``users`` and ``items``.
    rating : ndarray of float32, shape (n_ratings,)
    users, items : IdMap
        External IDs of the indices.
    timestamp : ndarray of int64, optional
    rating_scale : (float, float) or None
        Lowest and highest allowed rating; None when no scale could be inferred.
    scale_inferred : bool
        True when ``rating_scale`` was taken from the data rather than declared.
    report : ReadReport, optional
    """

    def __init__(
        self,
        user_index: np.ndarray,
        item_index: np.ndarray,
        rating: np.ndarray,
        users: IdMap,
        items: IdMap,
        *,
        timestamp: np.ndarray | None = None,
        rating_scale: tuple[float, float] | None = None,
        scale_inferred: bool = True,
        report: ReadReport | None = None,
    ):
        self.user_index = np.ascontiguousarray(user_index, dtype=np.int32)
        self.item_index = np.ascontiguousarray(item_index, dtype=np.int32)
        self.rating = np.ascontiguousarray(rating, dtype=np.float32)
        self.timestamp = None if timestamp is None else np.asarray(timestamp, dtype=np.int64)
        self.users = users
        self.items = items
        self.rating_scale = rating_scale
        self.scale_inferred = scale_inferred
        self.report = report if report is not None else ReadReport(rows_read=len(rating), kept=len(rating))

    def __len__(self) -> int:
        return len(self.rating)

    def __repr__(self) -> str:
        return (
            f"Ratings({len(self)} ratings, {self.n_users} users, {self.n_items} items, "
            f"scale={self.rating_scale})"
        )

    @property
    def n_users(self) -> int:
        """Number of users in the ID map."""
        return len(self.users)

    @property
    def n_items(self) -> int:
        """Number of items in the ID map."""
        return len(self.items)

    @property
    def global_mean(self) -> float:
        """Mean rating, computed in float64."""
        return float(self.rating.mean(dtype=np.float64)) if len(self) else float("nan")

    def summary(self) -> str:
        """Return a one-paragraph description of the counts and the rating scale."""
        rep = self.report
        parts = [f"{rep.rows_read:,} rows read from {rep.source}: {rep.kept:,} kept"]
        if rep.skipped:
            lines = ", ".join(str(n) for n in rep.skipped_lines[:5])
            parts.append(f"{rep.skipped:,} skipped (lines {lines}{'...' if rep.skipped > 5 else ''})")
        if rep.duplicates_merged:
            parts.append(f"{rep.duplicates_merged:,} duplicate (user, item) rows merged by '{rep.duplicates}'")
        text = ", ".join(parts) + f"; {self.n_users:,} users, {self.n_items:,} items"
        if self.rating_scale is None:
            text += "; no rating scale (all ratings are equal), predictions are not clipped"
        else:
            low, high = self.rating_scale
            how = "inferred from the data; declare it with rating_scale=(low, high) or --rating-scale" if self.scale_inferred else "declared"
            text += f"; rating scale {low:g} to {high:g} ({how})"
        return text

    def take(self, rows: np.ndarray) -> Ratings:
        """Return the ratings at ``rows`` (indices or a boolean mask), with the same ID maps."""
        return Ratings(
            self.user_index[rows],
            self.item_index[rows],
            self.rating[rows],
            self.users,
            self.items,
            timestamp=None if self.timestamp is None else self.timestamp[rows],
            rating_scale=self.rating_scale,
            scale_inferred=self.scale_inferred,
        )

    def compact(self) -> Ratings:
        """Return ratings whose ID maps hold only the users and items that have a rating."""
        user_ids, user_index = _compact_axis(self.user_index, self.n_users)
        item_ids, item_index = _compact_axis(self.item_index, self.n_items)
        if user_ids is None and item_ids is None:
            return self
        users = self.users if user_ids is None else IdMap(self.users.ids.take(user_ids))
        items = self.items if item_ids is None else IdMap(self.items.ids.take(item_ids))
        return Ratings(
            self.user_index if user_index is None else user_index,
            self.item_index if item_index is None else item_index,
            self.rating,
            users,
            items,
            timestamp=self.timestamp,
            rating_scale=self.rating_scale,
            scale_inferred=self.scale_inferred,
            report=self.report,
        )

    def to_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the user-by-item matrix as CSR arrays ``(indptr, item_index, rating)``.

        Items of each user are sorted by index. ``indptr`` is int64 of length
        ``n_users + 1``.
        """
        order = np.lexsort((self.item_index, self.user_index))
        counts = np.bincount(self.user_index, minlength=self.n_users)
        indptr = np.zeros(self.n_users + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return indptr, self.item_index[order], self.rating[order]


def _compact_axis(index: np.ndarray, size: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    present = np.bincount(index, minlength=size) > 0
    if present.all():
        return None, None
    kept = np.flatnonzero(present)
    new_position = np.full(size, -1, dtype=np.int32)
    new_position[kept] = np.arange(len(kept), dtype=np.int32)
    return kept, new_position[index]
