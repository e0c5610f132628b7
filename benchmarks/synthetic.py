"""Generate a Netflix-shaped explicit rating set with known low-rank structure, as Parquet.

The shape follows the Netflix prize data: 480,189 users, 17,770 items and, by default,
100 million ratings on the 1-5 scale. User activity and item popularity follow
Zipf-like power laws, and each rating is a rounded draw of

    r = clip(round(mu + b_u + b_i + p_u . q_i + noise), 1, 5)

with rank-8 true factors, so a factorization model has real structure to find. The
output is deterministic for a given seed and numba version.

Usage::

    python benchmarks/synthetic.py --ratings 10000000 --out data/synthetic-10m

writes ``data/synthetic-10m.train.parquet`` and ``data/synthetic-10m.test.parquet``
(a seeded 2% of the ratings), with int32 ``user`` and ``item`` IDs and float32
``rating``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numba import njit

USERS = 480_189
ITEMS = 17_770
RANK = 8


def power_weights(n: int, exponent: float, offset: float, rng: np.random.Generator) -> np.ndarray:
    """Return Zipf-like weights ``(rank + offset) ** -exponent`` in a seeded random order."""
    weights = (np.arange(n) + offset) ** -exponent
    return weights[rng.permutation(n)]


def user_counts(n_ratings: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``n_ratings`` over the users in proportion to Zipf-like activity, at most half the items each."""
    weights = power_weights(USERS, 0.9, 2_000.0, rng)
    counts = np.floor(weights / weights.sum() * n_ratings).astype(np.int64)
    counts = np.minimum(np.maximum(counts, 1), ITEMS // 2)
    deficit = n_ratings - int(counts.sum())
    order = np.argsort(-weights, kind="stable")
    while deficit != 0:
        room = (counts[order] < ITEMS // 2) if deficit > 0 else (counts[order] > 1)
        take = order[room][: abs(deficit)]
        counts[take] += np.sign(deficit)
        deficit = n_ratings - int(counts.sum())
    return counts


@njit(cache=True)
def draw_items(counts, cumulative, seed):
    """Draw ``counts[u]`` distinct items for each user from the popularity CDF ``cumulative``."""
    np.random.seed(seed)
    n_items = cumulative.shape[0]
    total = counts.sum()
    user = np.empty(total, dtype=np.int32)
    item = np.empty(total, dtype=np.int32)
    last_user = np.full(n_items, -1, dtype=np.int64)
    at = 0
    for u in range(counts.shape[0]):
        chosen = 0
        while chosen < counts[u]:
            # One draw in ten is uniform, so heavy users always find unrated items.
            if np.random.random() < 0.1:
                i = np.random.randint(0, n_items)
            else:
                i = np.searchsorted(cumulative, np.random.random() * cumulative[-1], side="right")
                i = min(i, n_items - 1)
            if last_user[i] != u:
                last_user[i] = u
                user[at] = u
                item[at] = i
                at += 1
                chosen += 1
    return user, item


@njit(cache=True)
def rate(user, item, user_factors, item_factors, user_bias, item_bias, mean, noise_std, seed):
    """Return the rounded 1-5 rating of each (user, item) pair under the true model."""
    np.random.seed(seed)
    out = np.empty(user.shape[0], dtype=np.float32)
    for j in range(user.shape[0]):
        u = user[j]
        i = item[j]
        value = mean + user_bias[u] + item_bias[i] + np.random.normal() * noise_std
        for f in range(user_factors.shape[1]):
            value += user_factors[u, f] * item_factors[i, f]
        out[j] = min(5.0, max(1.0, np.floor(value + 0.5)))
    return out


def generate(n_ratings: int, seed: int) -> pa.Table:
    """Return a table of ``n_ratings`` synthetic ratings: int32 user and item, float32 rating."""
    rng = np.random.default_rng(seed)
    counts = user_counts(n_ratings, rng)
    popularity = power_weights(ITEMS, 1.0, 30.0, rng)
    user, item = draw_items(counts, np.cumsum(popularity), seed)
    user_factors = rng.normal(0.0, 0.5, (USERS, RANK)).astype(np.float32)
    item_factors = rng.normal(0.0, 0.5, (ITEMS, RANK)).astype(np.float32)
    user_bias = rng.normal(0.0, 0.4, USERS).astype(np.float32)
    item_bias = rng.normal(0.0, 0.5, ITEMS).astype(np.float32)
    rating = rate(user, item, user_factors, item_factors, user_bias, item_bias, 3.6, 0.5, seed + 1)
    return pa.table({"user": user + 1, "item": item + 1, "rating": rating})


def split_and_write(table: pa.Table, out: Path, test_fraction: float, seed: int) -> tuple[Path, Path]:
    """Write a seeded ``test_fraction`` of the rows to ``OUT.test.parquet``, the rest to ``OUT.train.parquet``."""
    rng = np.random.default_rng(seed + 2)
    is_test = rng.random(table.num_rows) < test_fraction
    out.parent.mkdir(parents=True, exist_ok=True)
    train_path = out.with_name(out.name + ".train.parquet")
    test_path = out.with_name(out.name + ".test.parquet")
    pq.write_table(table.filter(pa.array(~is_test)), train_path, row_group_size=8_000_000)
    pq.write_table(table.filter(pa.array(is_test)), test_path)
    return train_path, test_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ratings", type=int, default=100_000_000, help="number of ratings (default 100M)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--test-fraction", type=float, default=0.02, help="share held out as the test file (default 0.02)")
    parser.add_argument("--out", type=Path, required=True, help="output prefix; .train.parquet and .test.parquet are added")
    args = parser.parse_args()
    started = time.perf_counter()
    table = generate(args.ratings, args.seed)
    train_path, test_path = split_and_write(table, args.out, args.test_fraction, args.seed)
    print(f"wrote {train_path} and {test_path}: {table.num_rows} ratings in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
