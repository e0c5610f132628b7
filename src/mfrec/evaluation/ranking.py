r"""Top-k ranking metrics over arrays of ranked lists.

Every metric takes a relevance matrix. Row ``u`` contains the gain of each item of
user ``u``'s ranked list, in rank order. The gain is 0 for an item that is not
relevant. A relevant item has gain 1 with binary gains, or a graded gain such as its
test rating. Lists shorter than ``k`` are padded with zeros, so a position beyond the end
of a list counts as a miss. :func:`relevance_matrix` builds the matrix from ranked
item indices and each user's relevant items.

The functions return one value per user. Means over users, the relevance threshold
and the choice of candidate items belong to :func:`mfrec.evaluation.evaluate_ranking`.

For user :math:`u` with ranked list :math:`L_u`, hits :math:`h_u(r) \in \{0, 1\}` at
rank :math:`r` (1-based) and :math:`R_u` relevant items in the test data:

- precision@k :math:`= \frac{1}{k}\sum_{r \le k} h_u(r)`, divided by ``k`` even when
  the list is shorter than ``k``;
- recall@k :math:`= \frac{1}{|R_u|}\sum_{r \le k} h_u(r)`;
- hit rate@k :math:`= 1` when some :math:`h_u(r) = 1` with :math:`r \le k`, else 0;
- reciprocal rank@k :math:`= 1 / r^*` for the first hit :math:`r^* \le k`, else 0;
- average precision@k :math:`= \frac{1}{\min(k, |R_u|)}\sum_{r \le k} h_u(r)\,
  \mathrm{precision@r}`;
- NDCG@k :math:`= \mathrm{DCG@k} / \mathrm{IDCG@k}` with
  :math:`\mathrm{DCG@k} = \sum_{r \le k} g_u(r) / \log_2(r + 1)` and IDCG the DCG of
  the user's relevant items sorted by gain, cut at ``k``.

A user with no relevant item gets 0 from every metric that divides by
:math:`|R_u|`, never NaN; the evaluator leaves such users out of its means and
counts them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "average_precision_at_k",
    "catalog_coverage",
    "hit_rate_at_k",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
    "reciprocal_rank_at_k",
    "relevance_matrix",
]


def precision_at_k(relevance: np.ndarray, *, k: int) -> np.ndarray:
    r"""Compute precision@k: the share of the first ``k`` ranks that contain a relevant item.

    .. math:: \mathrm{P@k}(u) = \frac{1}{k} \sum_{r=1}^{k} h_u(r)

    The denominator is ``k`` even when a list is shorter than ``k``, so precision falls
    as ``k`` grows past the number of relevant items and never exceeds 1.

    Parameters
    ----------
    relevance : array_like, shape (n_users, list_length)
        Gain of the item at each rank; any value above 0 is a hit.
    k : int
        Cut-off rank, at least 1.

    Returns
    -------
    ndarray of float64, shape (n_users,)
    """
    hits = _hits(relevance, k)
    return hits.sum(axis=1) / k


def recall_at_k(relevance: np.ndarray, n_relevant: np.ndarray, *, k: int) -> np.ndarray:
    r"""Compute recall@k: the share of a user's relevant items found in the first ``k`` ranks.

    .. math:: \mathrm{R@k}(u) = \frac{1}{|R_u|} \sum_{r=1}^{k} h_u(r)

    Parameters
    ----------
    relevance : array_like, shape (n_users, list_length)
        Gain of the item at each rank; any value above 0 is a hit.
    n_relevant : array_like of int, shape (n_users,)
        Number of relevant items of each user, :math:`|R_u|`, including relevant items
        that could not be ranked.
    k : int
        Cut-off rank, at least 1.

    Returns
    -------
    ndarray of float64, shape (n_users,)
        0 for a user with no relevant item.
    """
    hits = _hits(relevance, k)
    n_relevant = _counts(n_relevant, len(hits))
    return _ratio(hits.sum(axis=1), n_relevant)


def hit_rate_at_k(relevance: np.ndarray, *, k: int) -> np.ndarray:
    """Compute hit rate@k: 1 when at least one of the first ``k`` items is relevant, else 0.

    Parameters
    ----------
    relevance : array_like, shape (n_users, list_length)
        Gain of the item at each rank; any value above 0 is a hit.
    k : int
        Cut-off rank, at least 1.

    Returns
    -------
    ndarray of float64, shape (n_users,)
    """
    return _hits(relevance, k).any(axis=1).astype(np.float64)


def reciprocal_rank_at_k(relevance: np.ndarray, *, k: int) -> np.ndarray:
    r"""Compute the reciprocal rank of the first relevant item within the first ``k`` ranks.

    .. math:: \mathrm{RR@k}(u) = 1 / \min\{r \le k : h_u(r) = 1\}

    and 0 when none of the first ``k`` items is relevant. Its mean over users is MRR@k.

    Parameters
    ----------
    relevance : array_like, shape (n_users, list_length)
        Gain of the item at each rank; any value above 0 is a hit.
    k : int
        Cut-off rank, at least 1.

    Returns
    -------
    ndarray of float64, shape (n_users,)
    """
    hits = _hits(relevance, k)
    found = hits.any(axis=1)
    first = np.argmax(hits, axis=1) + 1
    return np.where(found, 1.0 / first, 0.0)


def average_precision_at_k(relevance: np.ndarray, n_relevant: np.ndarray, *, k: int) -> np.ndarray:
    r"""Compute average precision@k; its mean over users is MAP@k.

    .. math::
        \mathrm{AP@k}(u) = \frac{1}{\min(k, |R_u|)}
                           \sum_{r=1}^{k} h_u(r)\, \mathrm{P@r}(u)

    Precision is averaged over the ranks that contain a hit, and the sum is divided by the
    number of hits a perfect list could have within ``k``.

    Parameters
    ----------
    relevance : array_like, shape (n_users, list_length)
        Gain of the item at each rank; any value above 0 is a hit.
    n_relevant : array_like of int, shape (n_users,)
        Number of relevant items of each user, :math:`|R_u|`.
    k : int
        Cut-off rank, at least 1.

    Returns
    -------
    ndarray of float64, shape (n_users,)
        0 for a user with no relevant item.
    """
    hits = _hits(relevance, k).astype(np.float64)
    n_relevant = _counts(n_relevant, len(hits))
    ranks = np.arange(1, hits.shape[1] + 1)
    precision_at_rank = np.cumsum(hits, axis=1) / ranks
    summed = (precision_at_rank * hits).sum(axis=1)
    return _ratio(summed, np.minimum(n_relevant, k))


def ndcg_at_k(
    relevance: np.ndarray,
    n_relevant: np.ndarray,
    *,
    k: int,
    ideal_gains: np.ndarray | None = None,
) -> np.ndarray:
    r"""Compute normalised discounted cumulative gain at ``k``.

    .. math::
        \mathrm{DCG@k}(u) = \sum_{r=1}^{k} \frac{g_u(r)}{\log_2(r + 1)}, \qquad
        \mathrm{NDCG@k}(u) = \frac{\mathrm{DCG@k}(u)}{\mathrm{IDCG@k}(u)}

    IDCG@k is the DCG of the ideal list: the user's relevant items sorted by gain,
    cut at ``k``. With binary gains (the default) it is
    :math:`\sum_{r=1}^{\min(k, |R_u|)} 1/\log_2(r+1)`.

    Parameters
    ----------
    relevance : array_like, shape (n_users, list_length)
        Gain :math:`g_u(r)` of the item at each rank: 0 or 1 for binary gains, or
        graded gains such as the test rating.
    n_relevant : array_like of int, shape (n_users,)
        Number of relevant items of each user, :math:`|R_u|`; sets the ideal list for
        binary gains.
    k : int
        Cut-off rank, at least 1.
    ideal_gains : array_like, shape (n_users, m), optional
        Gains of each user's relevant items, in any order, padded with zeros. Give it
        with graded gains; ``n_relevant`` is then not used for the ideal list.

    Returns
    -------
    ndarray of float64, shape (n_users,)
        In [0, 1] when the gains of ``relevance`` are those of relevant items; 0 for a
        user with no relevant item.
    """
    gains = _top_columns(relevance, k).astype(np.float64)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = gains @ discount[: gains.shape[1]]
    if ideal_gains is None:
        n_relevant = _counts(n_relevant, len(gains))
        cumulative = np.concatenate([[0.0], np.cumsum(discount)])
        idcg = cumulative[np.minimum(n_relevant, k)]
    else:
        ideal = -np.sort(-np.asarray(ideal_gains, dtype=np.float64), axis=1)[:, :k]
        idcg = ideal @ discount[: ideal.shape[1]]
    return _ratio(dcg, idcg)


def catalog_coverage(ranked: np.ndarray, n_items: int, *, k: int) -> float:
    r"""Compute catalogue coverage@k: the share of all items that appear in some top-k list.

    .. math:: \mathrm{coverage@k} = \frac{|\bigcup_u L_u[1..k]|}{|I|}

    Parameters
    ----------
    ranked : array_like of int, shape (n_users, list_length)
        Item indices in rank order; -1 pads lists shorter than the matrix.
    n_items : int
        Size of the catalogue :math:`|I|`, the items the model can recommend.
    k : int
        Cut-off rank, at least 1.

    Returns
    -------
    float
        In [0, 1]; 0 when there are no lists or no items.
    """
    top = _top_columns(ranked, k)
    recommended = np.unique(top[top >= 0])
    return len(recommended) / n_items if n_items > 0 else 0.0


def relevance_matrix(
    ranked: np.ndarray,
    relevant_indptr: np.ndarray,
    relevant_items: np.ndarray,
    *,
    gains: np.ndarray | None = None,
) -> np.ndarray:
    """Build the relevance matrix of ranked lists against each user's relevant items.

    Parameters
    ----------
    ranked : array_like of int, shape (n_users, list_length)
        Item indices in rank order; -1 pads a short list. An item repeated within a
        list counts at its first rank only.
    relevant_indptr : array_like of int, shape (n_users + 1,)
    relevant_items : array_like of int, shape (n_pairs,)
        Relevant items of each user in CSR form: user ``u`` has
        ``relevant_items[relevant_indptr[u]:relevant_indptr[u + 1]]``. A repeated pair
        counts once.
    gains : array_like, shape (n_pairs,), optional
        Gain of each relevant pair; 1.0 for all pairs when omitted.

    Returns
    -------
    ndarray of float64, shape (n_users, list_length)
        Gain of the item at each rank, 0 where the item is not relevant.
    """
    ranked = np.asarray(ranked, dtype=np.int64)
    n_users, length = ranked.shape
    indptr = np.asarray(relevant_indptr, dtype=np.int64)
    if len(indptr) != n_users + 1:
        raise ValueError(f"relevant_indptr must have n_users + 1 = {n_users + 1} entries, got {len(indptr)}")
    items = np.asarray(relevant_items, dtype=np.int64)
    pair_gains = np.ones(len(items)) if gains is None else np.asarray(gains, dtype=np.float64)
    width = int(max(items.max(initial=-1), ranked.max(initial=-1))) + 1

    # Encode (user, item) as one integer so one sorted search finds every hit.
    pair_user = np.repeat(np.arange(n_users), np.diff(indptr))
    keys, first = np.unique(pair_user * width + items, return_index=True)
    pair_gains = pair_gains[first]
    if len(keys) == 0:
        return np.zeros((n_users, length))
    cell_keys = np.arange(n_users)[:, None] * width + ranked
    position = np.minimum(np.searchsorted(keys, cell_keys), len(keys) - 1)
    found = (ranked >= 0) & (keys[position] == cell_keys)
    relevance = np.where(found, pair_gains[position], 0.0)
    relevance[~_first_occurrence(cell_keys.reshape(-1)).reshape(n_users, length)] = 0.0
    return relevance


def _first_occurrence(values: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(values), dtype=bool)
    mask[np.unique(values, return_index=True)[1]] = True
    return mask


def _top_columns(matrix: np.ndarray, k: int) -> np.ndarray:
    k = check_k(k)
    matrix = np.asarray(matrix)
    if matrix.ndim != 2:
        raise ValueError(f"expected a 2-D array of shape (n_users, list_length), got shape {matrix.shape}")
    return matrix[:, :k]


def _hits(relevance: np.ndarray, k: int) -> np.ndarray:
    return _top_columns(relevance, k) > 0


def _counts(n_relevant: np.ndarray, n_users: int) -> np.ndarray:
    counts = np.asarray(n_relevant, dtype=np.int64)
    if counts.shape != (n_users,):
        raise ValueError(f"n_relevant must have shape ({n_users},), one count per user, got {counts.shape}")
    return counts


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros(len(numerator), dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def check_k(k: int) -> int:
    """Return ``k`` as an int after checking that it is an integer of at least 1."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    return int(k)
