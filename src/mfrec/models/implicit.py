"""Implicit-feedback matrix factorization by alternating least squares with confidence weights."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from ..data.ratings import Ratings
from ..exceptions import DivergenceError
from .._validation import check_float, check_int, check_ratings
from ._base import FactorizationModel, rated_structure
from ._progress import progress_bar

logger = logging.getLogger(__name__)

CONFIDENCE_RULES = ("linear", "constant")


class ImplicitALS(FactorizationModel):
    r"""Model of which items a user chooses to rate: implicit-feedback ALS (Hu, Koren, Volinsky).

    Every training rating :math:`r_{ui}` is an observation that user :math:`u` chose
    item :math:`i`. The preference :math:`p_{ui}` is 1 for an observed pair and 0 for
    every other pair, and the confidence in it is

    .. math:: c_{ui} = 1 + \alpha\, w(r_{ui}) \text{ when observed}, \qquad c_{ui} = 1 \text{ otherwise}

    with ``confidence="linear"``: :math:`w(r) = \max(r, 0) / r_{max}` (higher stars,
    higher confidence; :math:`r_{max}` is the top of the training rating scale, and
    on a scale with negative ratings those get :math:`w = 0`, confidence 1), or
    ``confidence="constant"``: :math:`w(r) = 1`. With ``min_rating`` set, a rating
    below it is a confident zero: :math:`p_{ui} = 0` with the confidence above, so
    the model learns that the user saw the item and did not like it.

    The factors minimise, over all users and items (rated or not),

    .. math:: \sum_{u,i} c_{ui} (p_{ui} - x_u^\top y_i)^2
              + \lambda \Big(\sum_u \|x_u\|^2 + \sum_i \|y_i\|^2\Big)

    by alternating exact minimisation over the user rows and the item rows. With the
    item factors :math:`Y` fixed, each user row solves the normal equations

    .. math:: (Y^\top Y + Y^\top (C_u - I) Y + \lambda I)\, x_u = Y^\top C_u p_u,

    where :math:`Y^\top Y` is computed once per half-sweep and the correction term
    touches only the user's observed items, so a sweep costs
    :math:`O(n_{obs} k + (n_u + n_i) k^2)` with conjugate gradient. The score that
    ranks item :math:`i` for user :math:`u` is :math:`x_u^\top y_i`, an estimate of
    the preference, not of a rating.

    Parameters
    ----------
    factors : int
        Length :math:`k` of each latent vector, 1 or more.
    iterations : int
        Alternating sweeps (users, then items), 0 or more.
    regularization : float
        L2 weight :math:`\lambda`, 0 or more.
    alpha : float
        Confidence scale :math:`\alpha`, 0 or more.
    confidence : {"linear", "constant"}
        The weight :math:`w(r)` of a rating.
    min_rating : float, optional
        Ratings below it are confident zeros instead of positives; None (default)
        makes every rating a positive.
    cg_steps : int
        Conjugate-gradient steps per row and half-sweep, started from the row's
        previous value; 0 solves each row exactly by Cholesky factorisation instead
        (slower: :math:`O(n_{obs} k^2 + n k^3)` per sweep).
    init_std : float
        Standard deviation of the normal distribution the factors start from.
    seed : int
        Seed of the initial factors.
    threads : int, optional
        Numba threads for training; None uses Numba's default (all cores). The result
        does not depend on it.

    Attributes
    ----------
    user_factors_ : ndarray of float32, shape (n_users, factors)
    item_factors_ : ndarray of float32, shape (n_items, factors)
    user_bias_, item_bias_ : ndarray of float32
        All zero, so that the shared ``predict`` rule returns :math:`x_u^\top y_i`.
    global_mean_ : float
        0.0, for the same reason.
    rating_scale_ : None
        Scores are never clipped.
    history_ : list of dict
        One entry per sweep: ``iteration`` and ``loss`` (the objective above, divided
        by the number of users times items).

    Notes
    -----
    The defaults (64 factors, :math:`\lambda = 20`, :math:`\alpha = 5`, linear
    confidence, 15 sweeps of 3 CG steps) come from a grid over factors, regularisation
    and :math:`\alpha` scored by NDCG@10 on 10% validation splits of the MovieLens
    100K ``u1`` and ML-latest-small training sets (``benchmarks/ranking.py --sweep``);
    docs/ranking.md gives the grid and the rule. On data of another size or density
    they are a starting point, not a tuned value.

    Determinism: each row is solved from the other side's factors alone, in a fixed
    order, so the same seed gives the same factors bit for bit with any ``threads`` (on
    the same machine and library versions).

    Memory: two CSR copies of the ratings (12 bytes per rating each) and the factors;
    nothing is sized by users times items.

    ``predict`` returns :math:`x_u^\top y_i` (roughly 0 to 1) for known pairs and 0
    for unknown users or items. ``recommend`` ranks by the same score and reports the
    rule ``"implicit"``.

    References
    ----------
    Y. Hu, Y. Koren and C. Volinsky, "Collaborative Filtering for Implicit Feedback
    Datasets", Proceedings of the 8th IEEE International Conference on Data Mining
    (ICDM), 2008, pp. 263-272.
    """

    recommend_rule = "implicit"

    def __init__(
        self,
        *,
        factors: int = 64,
        iterations: int = 15,
        regularization: float = 20.0,
        alpha: float = 5.0,
        confidence: str = "linear",
        min_rating: float | None = None,
        cg_steps: int = 3,
        init_std: float = 0.01,
        seed: int = 42,
        threads: int | None = None,
    ):
        self.factors = factors
        self.iterations = iterations
        self.regularization = regularization
        self.alpha = alpha
        self.confidence = confidence
        self.min_rating = min_rating
        self.cg_steps = cg_steps
        self.init_std = init_std
        self.seed = seed
        self.threads = threads

    def fit(
        self,
        ratings: Ratings,
        *,
        progress: bool = False,
        callback: Callable[[int, float], None] | None = None,
    ) -> ImplicitALS:
        """Fit the factors to which items each user rated, weighted by the ratings.

        Parameters
        ----------
        ratings : Ratings
            Training ratings, as returned by :func:`mfrec.read_ratings`.
        progress : bool
            Show a progress bar (rich) on standard error.
        callback : callable, optional
            Called as ``callback(iteration, loss)`` after each sweep.

        Returns
        -------
        ImplicitALS
            The fitted model itself.

        Raises
        ------
        DivergenceError
            If the factors become non-finite; raise ``regularization``.
        """
        self._validate()
        ratings = check_ratings(ratings).compact()
        started = time.perf_counter()
        self._initialise(ratings)
        by_user, by_item = _confidence_csr(ratings, self)
        logger.info(
            "fitting %s on %d ratings, %d users, %d items",
            self, len(ratings), ratings.n_users, ratings.n_items,
        )
        with _threads(self.threads), progress_bar(progress, self.iterations, "implicit ALS", _describe_sweep) as bar:
            for iteration in range(1, self.iterations + 1):
                loss = self._run_sweep(by_user, by_item)
                self._check_finite(iteration)
                entry = {"iteration": iteration, "loss": loss}
                logger.debug("sweep %d: loss %.6g", iteration, loss)
                self.history_.append(entry)
                bar(entry)
                if callback is not None:
                    callback(iteration, loss)
        self.fit_seconds_ = time.perf_counter() - started
        logger.info("fitted in %.2f s", self.fit_seconds_)
        return self

    def _validate(self) -> None:
        check_int("factors", self.factors, 1)
        check_int("iterations", self.iterations, 0)
        check_float("regularization", self.regularization)
        check_float("alpha", self.alpha)
        if self.confidence not in CONFIDENCE_RULES:
            raise ValueError(f"confidence must be one of {', '.join(CONFIDENCE_RULES)}, got {self.confidence!r}")
        if self.min_rating is not None:
            check_float("min_rating", self.min_rating, allow_negative=True)
        check_int("cg_steps", self.cg_steps, 0)
        check_float("init_std", self.init_std)
        check_int("seed", self.seed, 0)
        if self.threads is not None:
            check_int("threads", self.threads, 1)

    def _initialise(self, ratings: Ratings) -> None:
        rng = np.random.default_rng(self.seed)
        std = np.float32(self.init_std)
        self.user_factors_ = rng.standard_normal((ratings.n_users, self.factors), dtype=np.float32) * std
        self.item_factors_ = rng.standard_normal((ratings.n_items, self.factors), dtype=np.float32) * std
        self.user_bias_ = np.zeros(ratings.n_users, dtype=np.float32)
        self.item_bias_ = np.zeros(ratings.n_items, dtype=np.float32)
        self.global_mean_ = 0.0
        self.users_ = ratings.users
        self.items_ = ratings.items
        self.rating_scale_ = None
        self.rated_indptr_, self.rated_items_ = rated_structure(
            ratings.user_index, ratings.item_index, ratings.n_users
        )
        self.n_ratings_ = len(ratings)
        self.history_: list[dict] = []

    def _run_sweep(self, by_user: _Csr, by_item: _Csr) -> float:
        from .._kernels.implicit_als import als_update_rows, gram_matrix, implicit_loss_terms

        reg = np.float32(self.regularization)
        steps = int(self.cg_steps)
        gram = gram_matrix(self.item_factors_)
        als_update_rows(*by_user.arrays(), self.user_factors_, self.item_factors_, gram, reg, steps)
        gram = gram_matrix(self.user_factors_)
        als_update_rows(*by_item.arrays(), self.item_factors_, self.user_factors_, gram, reg, steps)

        terms = implicit_loss_terms(*by_item.arrays(), self.item_factors_, self.user_factors_, gram, reg)
        total = float(terms.sum()) + self.regularization * float(
            np.square(self.user_factors_, dtype=np.float64).sum()
        )
        return total / (self.user_factors_.shape[0] * self.item_factors_.shape[0])

    def _check_finite(self, iteration: int) -> None:
        if np.isfinite(self.user_factors_).all() and np.isfinite(self.item_factors_).all():
            return
        raise DivergenceError(
            f"implicit ALS produced non-finite factors at sweep {iteration}; raise "
            f"regularization (now {self.regularization:g}) or lower alpha (now {self.alpha:g})"
        )

    def _item_scores(self, u: int) -> np.ndarray:
        return (self.item_factors_ @ self.user_factors_[u]).astype(np.float64)


class _Csr:
    """One side of the training data: rows, their columns, and each entry's weight and target."""

    def __init__(self, rows: np.ndarray, columns: np.ndarray, weight: np.ndarray, target: np.ndarray, n_rows: int):
        order = np.lexsort((columns, rows))
        counts = np.bincount(rows, minlength=n_rows)
        self.indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(counts, out=self.indptr[1:])
        self.indices = np.ascontiguousarray(columns[order], dtype=np.int32)
        self.weight = np.ascontiguousarray(weight[order], dtype=np.float32)
        self.target = np.ascontiguousarray(target[order], dtype=np.float32)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.indptr, self.indices, self.weight, self.target


def confidence_weights(rating: np.ndarray, model: ImplicitALS, top: float) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(c - 1, c * p)`` per rating, float32, for the model's confidence rule."""
    rating = rating.astype(np.float64)
    if model.confidence == "linear":
        strength = np.maximum(rating, 0.0) / top if top > 0 else np.ones_like(rating)
    else:
        strength = np.ones_like(rating)
    weight = model.alpha * strength
    positive = np.ones(len(rating), dtype=bool) if model.min_rating is None else rating >= model.min_rating
    target = np.where(positive, 1.0 + weight, 0.0)
    return weight.astype(np.float32), target.astype(np.float32)


def _confidence_csr(ratings: Ratings, model: ImplicitALS) -> tuple[_Csr, _Csr]:
    top = ratings.rating_scale[1] if ratings.rating_scale is not None else float(ratings.rating.max())
    weight, target = confidence_weights(ratings.rating, model, float(top))
    by_user = _Csr(ratings.user_index, ratings.item_index, weight, target, ratings.n_users)
    by_item = _Csr(ratings.item_index, ratings.user_index, weight, target, ratings.n_items)
    return by_user, by_item


class _threads:
    """Context manager that sets Numba's thread count and restores the previous one."""

    def __init__(self, threads: int | None):
        self.threads = threads

    def __enter__(self) -> None:
        import numba

        self.previous = numba.get_num_threads()
        if self.threads is not None:
            numba.set_num_threads(min(self.threads, numba.config.NUMBA_NUM_THREADS))

    def __exit__(self, *exc_info) -> None:
        import numba

        numba.set_num_threads(self.previous)


def _describe_sweep(entry: dict) -> str:
    return f"loss {entry['loss']:.5f}"
