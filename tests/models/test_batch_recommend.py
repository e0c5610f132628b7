"""Batch recommendation: many users at once give the same lists as one user at a time."""

from __future__ import annotations

import numpy as np
import pytest

from mfrec import MatrixFactorization, read_ratings
from mfrec.models import _base


@pytest.fixture(scope="module")
def u1_model():
    from conftest import DATA, need

    path = need(DATA / "ml-100k" / "u1.base")
    return MatrixFactorization(factors=16, epochs=5, objective="rating", seed=0).fit(read_ratings(path))


def lists_by_user(recs):
    lists = {}
    for row in recs.to_list():
        lists.setdefault(row["user"], []).append((row["item"], row["score"]))
    return lists


@pytest.mark.slow
@pytest.mark.parametrize("exclude_rated", [True, False])
def test_batch_equals_per_user(u1_model, exclude_rated):
    users = u1_model.users_.to_list()
    batch = lists_by_user(u1_model.recommend(users, n=10, exclude_rated=exclude_rated))
    for user in users:
        single = lists_by_user(u1_model.recommend(user, n=10, exclude_rated=exclude_rated))
        assert batch[user] == single[user], user


@pytest.mark.slow
def test_batch_equals_full_sort_of_predictions(u1_model):
    users = u1_model.users_.to_list()[:50]
    batch = lists_by_user(u1_model.recommend(users, n=5))
    all_items = u1_model.items_.to_list()
    for user in users:
        u = u1_model.users_.index_of(user)
        rated = set(u1_model.rated_items_[u1_model.rated_indptr_[u] : u1_model.rated_indptr_[u + 1]].tolist())
        raw = u1_model.predict(user, all_items, clip=False).rating
        pool = sorted((i for i in range(len(all_items)) if i not in rated), key=lambda i: (-raw[i], i))
        assert [item for item, _ in batch[user]] == [all_items[i] for i in pool[:5]]
        np.testing.assert_allclose([s for _, s in batch[user]], [raw[i] for i in pool[:5]], rtol=1e-5)


@pytest.mark.slow
def test_batch_spans_several_blocks(u1_model, monkeypatch):
    users = u1_model.users_.to_list()
    whole = lists_by_user(u1_model.recommend(users, n=3))
    # 1,650 training items and room for 5,000 scores: blocks of 3 users, and the
    # 943rd user alone in the last block.
    monkeypatch.setattr(_base, "SCORE_BLOCK_CELLS", 5_000)
    blocked = lists_by_user(u1_model.recommend(users, n=3))
    assert blocked == whole
