"""Merging of duplicate (user, item) ratings by the ``duplicates`` policy of ``read_ratings``."""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import DataWarning, InputError


def _merge_duplicates(user_index, item_index, rating, stamp, n_items, policy, report, where, kept_rows):
    from .._kernels.duplicates import has_duplicate_pairs

    report.duplicates = policy
    # A linear-time check first: the sort below needs three 8-byte arrays per rating.
    n_users = int(user_index.max()) + 1 if len(user_index) else 0
    if not has_duplicate_pairs(user_index, item_index, n_users, n_items):
        report.duplicates_merged = 0
        return user_index, item_index, rating, stamp
    if kept_rows is None:
        kept_rows = np.arange(len(user_index))
    key = user_index.astype(np.int64) * n_items + item_index
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts_group = np.empty(len(key), dtype=bool)
    starts_group[:1] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=starts_group[1:])
    is_repeat = ~starts_group
    merged = int(is_repeat.sum())
    report.duplicates = policy
    report.duplicates_merged = merged
    if merged == 0:
        return user_index, item_index, rating, stamp
    if policy == "error":
        second = order[np.flatnonzero(is_repeat)[0]]
        first = order[np.flatnonzero(is_repeat)[0] - 1]
        raise InputError(
            f"{merged} duplicate (user, item) rating(s) in {where.source}: {where.label(int(kept_rows[first]))} "
            f"and {where.label(int(kept_rows[second]))} rate the same pair; pass duplicates='last' or "
            f"'mean' (CLI: --duplicates) to merge them",
            source=where.source,
            line=where.number(int(kept_rows[second])),
        )
    group_start = np.flatnonzero(~is_repeat)
    group_end = np.append(group_start[1:], len(key)) - 1
    survivors = np.sort(order[group_end])  # last occurrence of each pair, input order kept
    if policy == "mean":
        sums = np.add.reduceat(rating[order].astype(np.float64), group_start)
        counts = np.diff(np.append(group_start, len(key)))
        means = np.empty(len(key), dtype=np.float64)
        means[order[group_end]] = sums / counts
        rating = means
    warnings.warn(
        f"{merged} duplicate (user, item) rating(s) in {where.source} merged by "
        f"duplicates={policy!r}",
        DataWarning,
        stacklevel=4,
    )
    new_stamp = None if stamp is None else stamp[survivors]
    return user_index[survivors], item_index[survivors], rating[survivors], new_stamp
