"""The block grid of parallel SGD: relabelling, block layout and the stratum schedule.

Users and items are relabelled by seeded random permutations, then cut into ``B``
contiguous label ranges each, giving a ``B x B`` grid of rating blocks. A stratum is a
set of ``B`` blocks that share no user range and no item range, so its blocks can be
updated at the same time. Everything here depends on the data and the seed only, never
on the thread count, which is what makes parallel training deterministic.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Upper bound on the blocks per side, so at most 16 threads share one stratum.
MAX_BLOCKS = 16


def grid_size(n_ratings: int, n_users: int, n_items: int) -> int:
    """Return the blocks per side ``B`` for a data set: a function of its size alone.

    ``B = 2 ** floor(log2(n_ratings / 1M) / 3 + 1)``: 1 below 1M ratings, 2 from 1M, 4
    from 8M, 8 from 64M and 16 from 512M, never more than the users or items.
    Fewer, larger blocks keep more of each user's ratings in one block, so the user's
    factor row is loaded from memory fewer times per epoch; more blocks let more threads
    work at once. Powers of two split a stratum evenly over 2, 4, 8 or 16 threads.
    """
    if n_ratings < 1_000_000:
        return 1
    exponent = int(math.floor(math.log2(n_ratings / 1_000_000) / 3 + 1))
    wanted = 2 ** max(0, exponent)
    return max(1, min(MAX_BLOCKS, wanted, n_users, n_items))


def block_schedule(n_blocks: int, rng: np.random.Generator) -> np.ndarray:
    """Draw one epoch's schedule: int32 array ``(n_blocks, n_blocks, 2)`` of block coordinates.

    ``schedule[s, k] = (user_block, item_block)`` is the ``k``-th block of stratum ``s``.
    Strata run one after another. Each stratum is a row of a random Latin square,
    ``item_block = columns[(k + shift[s]) % n_blocks]``, so its blocks use every user
    block once and every item block once, and the epoch visits all ``n_blocks**2``
    blocks exactly once.
    """
    shift = rng.permutation(n_blocks)
    columns = rng.permutation(n_blocks)
    k = np.arange(n_blocks)
    schedule = np.empty((n_blocks, n_blocks, 2), dtype=np.int32)
    schedule[:, :, 0] = k[None, :]
    schedule[:, :, 1] = columns[(k[None, :] + shift[:, None]) % n_blocks]
    return schedule


def relabel(n: int, rng: np.random.Generator) -> np.ndarray:
    """Return a seeded random permutation: ``new_label[old_index]``, int32."""
    return rng.permutation(n).astype(np.int32)


@njit(cache=True, nogil=True)
def layout_blocks(user_index, item_index, rating, user_label, item_label, n_users, n_items, n_blocks):
    """Copy the ratings into block order: by block, then user label, then item index.

    user_index, item_index: int32 (n,); rating: float32 (n,); user_label (n_users,),
    item_label (n_items,): int32 permutations that decide the blocks. Returns the user
    and item indices (int32, unchanged values) and ratings (float32), all (n,), in block
    order, and int64 block starts ``(n_blocks**2 + 1,)``: block ``ub * n_blocks + ib``
    holds the users of label range ``ub`` and the items of label range ``ib``.
    """
    n = user_index.shape[0]
    # Counting sort on the key (user block, item block, user label): one bucket per
    # (user, item block) pair, so each user's ratings of a block end up together.
    user_base, user_size = _user_keys(user_label, n_users, n_blocks)
    item_block = np.empty(n_items, dtype=np.int64)
    for i in range(n_items):
        item_block[i] = _block_of(item_label[i], n_items, n_blocks)
    n_keys = np.int64(n_users) * n_blocks
    counts = np.zeros(n_keys + 1, dtype=np.int64)
    for j in range(n):
        u = user_index[j]
        counts[user_base[u] + item_block[item_index[j]] * user_size[u] + 1] += 1
    for k in range(n_keys):
        counts[k + 1] += counts[k]
    out_user = np.empty(n, dtype=np.int32)
    out_item = np.empty(n, dtype=np.int32)
    out_rating = np.empty(n, dtype=np.float32)
    fill = counts[:-1].copy()
    for j in range(n):
        u = user_index[j]
        key = user_base[u] + item_block[item_index[j]] * user_size[u]
        at = fill[key]
        fill[key] = at + 1
        out_user[at] = u
        out_item[at] = item_index[j]
        out_rating[at] = rating[j]
    for k in range(n_keys):
        _sort_segment(out_item, out_rating, counts[k], counts[k + 1])
    starts = np.empty(n_blocks * n_blocks + 1, dtype=np.int64)
    for block in range(n_blocks * n_blocks):
        first_user = (np.int64(block // n_blocks) * n_users) // n_blocks
        size = (np.int64(block // n_blocks + 1) * n_users) // n_blocks - first_user
        starts[block] = counts[first_user * n_blocks + (block % n_blocks) * size]
    starts[n_blocks * n_blocks] = n
    return out_user, out_item, out_rating, starts


@njit(cache=True, nogil=True)
def _user_keys(user_label, n_users, n_blocks):
    # Key of (user u, item block ib) = base[u] + ib * size[u]: users of block ub hold
    # keys first*B .. next_first*B, laid out item block by item block.
    base = np.empty(n_users, dtype=np.int64)
    size = np.empty(n_users, dtype=np.int64)
    for u in range(n_users):
        label = user_label[u]
        ub = _block_of(label, n_users, n_blocks)
        first = (np.int64(ub) * n_users) // n_blocks
        size[u] = (np.int64(ub + 1) * n_users) // n_blocks - first
        base[u] = first * n_blocks + (label - first)
    return base, size


@njit(cache=True, nogil=True, inline="always")
def _block_of(label, n, n_blocks):
    # The block b with floor(b * n / B) <= label < floor((b + 1) * n / B).
    return ((np.int64(label) + 1) * n_blocks - 1) // n


@njit(cache=True, nogil=True)
def _sort_segment(item, rating, start, stop):
    # Insertion sort by item: segments are one user's ratings in one item block.
    for a in range(start + 1, stop):
        key_item = item[a]
        key_rating = rating[a]
        b = a - 1
        while b >= start and item[b] > key_item:
            item[b + 1] = item[b]
            rating[b + 1] = rating[b]
            b -= 1
        item[b + 1] = key_item
        rating[b + 1] = key_rating
