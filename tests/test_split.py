"""Splitters: disjoint parts, sizes, users kept in training, time order, determinism."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mfrec import read_ratings
from mfrec.split import Split, k_fold, last_k_split, random_split, temporal_split, user_holdout_split


@pytest.fixture
def ratings():
    # 4 users with 1, 2, 5 and 10 ratings; item j of user u has timestamp 100 * u + j.
    users, items, values, stamps = [], [], [], []
    for u, n in enumerate([1, 2, 5, 10]):
        for j in range(n):
            users.append(f"u{u}")
            items.append(f"i{j}")
            values.append(float(1 + (u + j) % 5))
            stamps.append(100 * u + j)
    table = pa.table({"user": users, "item": items, "rating": values, "timestamp": stamps})
    return read_ratings(table, rating_scale=(1, 5))


@pytest.fixture
def movielens(ml100k):
    return read_ratings(ml100k / "u.data")


def _pairs(part):
    return set(zip(part.user_index.tolist(), part.item_index.tolist()))


def _assert_partition(split, whole):
    train, test = split
    assert len(train) + len(test) == len(whole)
    assert _pairs(train).isdisjoint(_pairs(test))
    assert _pairs(train) | _pairs(test) == _pairs(whole)


def test_random_split_partitions(ratings):
    split = random_split(ratings, test_fraction=0.25, seed=1)
    _assert_partition(split, ratings)
    # round(18 * 0.25) = round(4.5) = 4 (banker's rounding of Python's round).
    assert len(split.test) == 4


def test_random_split_is_a_split_tuple(ratings):
    split = random_split(ratings, seed=1)
    train, test = split
    assert isinstance(split, Split)
    assert train is split.train
    assert test is split.test


def test_random_split_rejects_bad_fraction(ratings):
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1 \\(exclusive\\), got 1.5"):
        random_split(ratings, test_fraction=1.5)


def test_user_holdout_fraction_sizes(ratings):
    split = user_holdout_split(ratings, test_fraction=0.2, seed=3)
    _assert_partition(split, ratings)
    test_counts = np.bincount(split.test.user_index, minlength=4)
    # Per user round-half-up(0.2 * n), capped at n - 1: 1 -> 0, 2 -> 0, 5 -> 1, 10 -> 2.
    assert test_counts.tolist() == [0, 0, 1, 2]


def test_user_holdout_leave_k_out_sizes(ratings):
    split = user_holdout_split(ratings, test_count=3, seed=3)
    test_counts = np.bincount(split.test.user_index, minlength=4)
    # min(3, n - 1) for n = 1, 2, 5, 10.
    assert test_counts.tolist() == [0, 1, 3, 3]


def test_user_holdout_keeps_every_user_in_training(movielens):
    split = user_holdout_split(movielens, test_fraction=0.5, seed=0)
    assert set(np.unique(split.train.user_index)) == set(range(movielens.n_users))
    assert split.test_rows_unseen_user == 0


def test_user_holdout_needs_one_size(ratings):
    with pytest.raises(ValueError, match="give exactly one of test_fraction and test_count"):
        user_holdout_split(ratings, test_fraction=0.2, test_count=1)
    with pytest.raises(ValueError, match="test_count must be an integer >= 1, got 0"):
        user_holdout_split(ratings, test_count=0)


def test_temporal_split_respects_time(movielens):
    split = temporal_split(movielens, test_fraction=0.2)
    _assert_partition(split, movielens)
    assert split.train.timestamp.max() < split.test.timestamp.min()
    assert len(split.test) <= 0.2 * len(movielens)


def test_temporal_split_cutoff(ratings):
    # Timestamps >= 300 are user u3's 10 ratings.
    split = temporal_split(ratings, cutoff=300)
    assert len(split.test) == 10
    assert split.test_rows_unseen_user == 10
    assert split.test_rows_unseen_item == 5


def test_temporal_split_fraction_keeps_ties_together():
    table = pa.table({"user": ["a", "b", "c", "d"], "item": ["x", "x", "x", "x"], "rating": [1.0, 2, 3, 4], "t": [1, 2, 2, 2]})
    ratings = read_ratings(table, timestamp="t")
    # Half the ratings would cut through the three ratings at t = 2, so none of them move.
    split = temporal_split(ratings, test_fraction=0.5)
    assert len(split.test) == 0


def test_temporal_split_needs_timestamps():
    table = pa.table({"user": ["a"], "item": ["x"], "rating": [1.0]})
    with pytest.raises(ValueError, match="these ratings have no timestamps"):
        temporal_split(read_ratings(table, rating_scale=(1, 5)), cutoff=0)


def test_last_k_split_holds_out_latest(ratings):
    split = last_k_split(ratings, k=2)
    test_counts = np.bincount(split.test.user_index, minlength=4)
    assert test_counts.tolist() == [0, 1, 2, 2]
    # User u3's latest two ratings have timestamps 308 and 309.
    u3 = ratings.users.index_of("u3")
    assert sorted(split.test.timestamp[split.test.user_index == u3].tolist()) == [308, 309]


def test_last_k_split_respects_time_per_user(movielens):
    train, test = last_k_split(movielens, k=5)
    for user in range(0, movielens.n_users, 97):
        latest_train = train.timestamp[train.user_index == user].max()
        assert test.timestamp[test.user_index == user].min() >= latest_train


def test_k_fold_partitions(ratings):
    splits = k_fold(ratings, folds=4, seed=2)
    test_rows = [_pairs(split.test) for split in splits]
    assert len(splits) == 4
    # 18 ratings in 4 folds: sizes 5, 5, 4, 4 in some order.
    assert sorted(len(rows) for rows in test_rows) == [4, 4, 5, 5]
    assert set().union(*test_rows) == _pairs(ratings)
    for split in splits:
        _assert_partition(split, ratings)


def test_k_fold_rejects_one_fold(ratings):
    with pytest.raises(ValueError, match="folds must be an integer >= 2, got 1"):
        k_fold(ratings, folds=1)


@pytest.mark.parametrize(
    "make",
    [
        lambda r, seed: random_split(r, seed=seed),
        lambda r, seed: user_holdout_split(r, test_fraction=0.3, seed=seed),
        lambda r, seed: user_holdout_split(r, test_count=2, seed=seed),
        lambda r, seed: k_fold(r, folds=3, seed=seed)[1],
    ],
    ids=["random", "user_fraction", "user_count", "k_fold"],
)
def test_seeded_splits_are_deterministic(movielens, make):
    first = make(movielens, 7)
    again = make(movielens, 7)
    other = make(movielens, 8)
    assert np.array_equal(first.test.rating, again.test.rating)
    assert np.array_equal(first.test.item_index, again.test.item_index)
    assert not np.array_equal(first.test.item_index, other.test.item_index)


def test_summary_counts(ratings):
    split = temporal_split(ratings, cutoff=300)
    assert split.summary() == {
        "train_rows": 8,
        "test_rows": 10,
        "test_rows_unseen_user": 10,
        "test_rows_unseen_item": 5,
    }
