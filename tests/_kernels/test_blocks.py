"""The SGD block grid: layout against its NumPy twin, and the schedule's independence."""

from __future__ import annotations

import numpy as np
import pytest
import reference

from mfrec._kernels.blocks import block_schedule, grid_size, layout_blocks, relabel
from mfrec._kernels.sgd import sgd_epoch


def random_ratings(rng, n, n_users, n_items):
    user = rng.integers(0, n_users, n).astype(np.int32)
    item = rng.integers(0, n_items, n).astype(np.int32)
    rating = rng.integers(1, 6, n).astype(np.float32)
    return user, item, rating


@pytest.mark.parametrize("n_blocks", [1, 2, 3, 7, 32])
def test_schedule_strata_share_no_user_or_item_block(n_blocks):
    schedule = block_schedule(n_blocks, np.random.default_rng(5))
    assert schedule.shape == (n_blocks, n_blocks, 2)
    for stratum in schedule:
        # Blocks of one stratum run at the same time: their user blocks must all
        # differ, and so must their item blocks.
        assert len(set(stratum[:, 0].tolist())) == n_blocks
        assert len(set(stratum[:, 1].tolist())) == n_blocks


@pytest.mark.parametrize("n_blocks", [1, 4, 9])
def test_schedule_visits_every_block_once(n_blocks):
    schedule = block_schedule(n_blocks, np.random.default_rng(0))
    visited = sorted(map(tuple, schedule.reshape(-1, 2).tolist()))
    assert visited == [(a, b) for a in range(n_blocks) for b in range(n_blocks)]


def test_schedule_depends_on_seed():
    first = block_schedule(8, np.random.default_rng(1))
    again = block_schedule(8, np.random.default_rng(1))
    other = block_schedule(8, np.random.default_rng(2))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_grid_size_follows_the_data_only():
    # B = 2 ** floor(log2(n / 1M) / 3 + 1): log2(10) / 3 + 1 = 2.1 -> 4 at 10M, and
    # log2(100) / 3 + 1 = 3.2 -> 8 at 100M.
    assert grid_size(80_000, 943, 1682) == 1
    assert grid_size(600_000, 6000, 400) == 1
    assert grid_size(1_000_000, 480_189, 17_770) == 2
    assert grid_size(10_000_000, 480_189, 17_770) == 4
    assert grid_size(100_000_000, 480_189, 17_770) == 8
    assert grid_size(2**40, 10**9, 10**9) == 16
    assert grid_size(100_000_000, 5, 1000) == 5


@pytest.mark.parametrize("n_blocks", [1, 3, 5])
def test_layout_matches_reference(n_blocks):
    rng = np.random.default_rng(3)
    user, item, rating = random_ratings(rng, 500, 23, 17)
    user_label, item_label = relabel(23, rng), relabel(17, rng)
    got = layout_blocks(user, item, rating, user_label, item_label, 23, 17, n_blocks)
    want = reference.layout_blocks(user, item, rating, user_label, item_label, 23, 17, n_blocks)
    for got_array, want_array in zip(got, want):
        np.testing.assert_array_equal(got_array, want_array)


def test_layout_blocks_hold_only_their_users_and_items():
    rng = np.random.default_rng(4)
    user, item, rating = random_ratings(rng, 2000, 40, 30)
    user_label, item_label = relabel(40, rng), relabel(30, rng)
    out_user, out_item, _, starts = layout_blocks(user, item, rating, user_label, item_label, 40, 30, 4)
    # Label bounds of 4 blocks over 40 users: 0, 10, 20, 30, 40; over 30 items: 0, 7, 15, 22, 30.
    user_bounds, item_bounds = [0, 10, 20, 30, 40], [0, 7, 15, 22, 30]
    for block in range(16):
        rows = slice(starts[block], starts[block + 1])
        ub, ib = divmod(block, 4)
        assert np.all((user_label[out_user[rows]] >= user_bounds[ub]) & (user_label[out_user[rows]] < user_bounds[ub + 1]))
        assert np.all((item_label[out_item[rows]] >= item_bounds[ib]) & (item_label[out_item[rows]] < item_bounds[ib + 1]))
    assert starts[-1] == 2000


def test_sgd_epoch_matches_reference():
    rng = np.random.default_rng(6)
    user, item, rating = random_ratings(rng, 400, 20, 15)
    layout = layout_blocks(user, item, rating, relabel(20, rng), relabel(15, rng), 20, 15, 3)
    schedule = block_schedule(3, rng)
    user_factors = rng.normal(0, 0.1, (20, 4)).astype(np.float32)
    item_factors = rng.normal(0, 0.1, (15, 4)).astype(np.float32)
    arrays = [user_factors, item_factors, np.zeros(20, np.float32), np.zeros(15, np.float32)]
    twins = [a.astype(np.float64) for a in arrays]
    scalars = (3.0, 0.01, 0.02, 0.1)
    sse = sgd_epoch(*layout, schedule, *arrays, *map(np.float32, scalars))
    want = reference.sgd_epoch(*layout, schedule, *twins, *scalars)
    assert sse == pytest.approx(want, rel=1e-4)
    for got_array, want_array in zip(arrays, twins):
        np.testing.assert_allclose(got_array, want_array, rtol=1e-4, atol=1e-6)
