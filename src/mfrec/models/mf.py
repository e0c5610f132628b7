"""Biased matrix factorization of explicit ratings, trained by stochastic gradient descent."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable

import numpy as np

from ..data.ratings import Ratings
from ..exceptions import DivergenceError
from .._validation import check_float, check_int, check_ratings
from ._base import FactorizationModel, rated_structure
from ._objective import RankingObjective
from ._progress import progress_bar
from ._solvers import SOLVERS, make_solver, resolve_threads

logger = logging.getLogger(__name__)

#: Training RMSE above this multiple of the rating range means the run has diverged.
DIVERGENCE_FACTOR = 1e3


class MatrixFactorization(RankingObjective, FactorizationModel):
    r"""Biased matrix factorization (the "SVD" model of the Netflix prize), fitted by SGD or ALS.

    Prediction rule, for user :math:`u` and item :math:`i`:

    .. math:: \hat r_{ui} = \mu + b_u + b_i + p_u^\top q_i

    Loss over the observed ratings :math:`K`, with L2 regularisation:

    .. math:: \sum_{(u,i) \in K} (r_{ui} - \hat r_{ui})^2
              + \lambda_b (b_u^2 + b_i^2) + \lambda_f (\|p_u\|^2 + \|q_i\|^2)

    With ``solver="sgd"`` (default), each epoch visits every rating once; for each
    rating with error :math:`e = r_{ui} - \hat r_{ui}` and learning rate :math:`\gamma`:

    .. math::
        b_u &\leftarrow b_u + \gamma (e - \lambda_b b_u) \\
        b_i &\leftarrow b_i + \gamma (e - \lambda_b b_i) \\
        p_u &\leftarrow p_u + \gamma (e q_i - \lambda_f p_u) \\
        q_i &\leftarrow q_i + \gamma (e p_u - \lambda_f q_i)

    The visiting order is blocked: users and items are relabelled by seeded random
    permutations and cut into a ``B x B`` grid, ``B`` set by the number of ratings
    alone. Each epoch runs the grid as ``B`` strata of ``B`` blocks that share no user
    and no item, in a seeded order; the blocks of a stratum run on parallel threads,
    and inside a block ratings go by user, then item.

    With ``solver="als"``, each epoch first fixes the items and sets every user's
    :math:`(p_u, b_u)` to the exact minimiser of

    .. math:: \sum_{i \in K_u} (r_{ui} - \mu - b_i - b_u - p_u^\top q_i)^2
              + n_u (\lambda_f \|p_u\|^2 + \lambda_b b_u^2),

    where :math:`n_u` is the number of ratings of :math:`u` (weighted-:math:`\lambda`
    regularisation), a ridge regression solved by Cholesky factorisation; then it does
    the same for every item with the users fixed. ``learning_rate`` is not used.

    Parameters
    ----------
    factors : int
        Length of each latent vector, 0 or more (0 gives the bias-only baseline).
    epochs : int
        Passes over the training ratings, 0 or more.
    learning_rate : float
        SGD step size :math:`\gamma`, positive.
    regularization : float
        L2 weight :math:`\lambda_f` of the factors, 0 or more.
    bias_regularization : float, optional
        L2 weight :math:`\lambda_b` of the biases; defaults to ``regularization``.
    init_std : float
        Standard deviation of the normal distribution the factors start from.
    seed : int
        Seed of the initial factors and of the visiting order. The same seed gives the
        same model, bit for bit, on the same machine and library versions, whatever
        the thread count.
    early_stopping_rounds : int, optional
        Stop when the validation RMSE has not improved for this many epochs, and keep
        the factors and biases of the best epoch (``best_epoch_``). Needs
        ``fit(ratings, validation=...)`` (without it a warning is issued and all
        epochs run); ``epochs`` is then the maximum. None (default) trains all
        ``epochs``.
    solver : {"sgd", "als"}
        Stochastic gradient descent or alternating least squares; see the Notes.
    threads : int, optional
        Threads for training, 1 or more; None (default) uses all cores. More threads
        than numba can start are capped with a warning.
    objective : {"both", "rating", "ranking"}
        What ``recommend`` ranks by; ``predict`` always uses the rating model above.
        ``"rating"``: the predicted rating. ``"ranking"``: the preference score of an
        :class:`ImplicitALS` fitted on the same ratings (``ranker_``). ``"both"``
        (default): that score re-weighted by the predicted rating,
        :math:`\max(x_u^\top y_i, 0) \cdot q_{ui}^{\beta}` with :math:`q_{ui}` the
        clipped prediction rescaled to [0, 1]. See docs/ranking.md for the
        measurements behind the default.
    ranking_weight : float, optional
        The exponent :math:`\beta` of the ``"both"`` rule, 0 or more. None (default)
        chooses it from 0, 0.25, 0.5, 1, 1.5, 2 and 3 by NDCG@10 on a seeded 10%
        validation split of the training ratings (relevant: a held-out rating in the
        top quarter of the rating scale, 4 or more on 1 to 5), then refits on all
        ratings; this doubles the training time.
    ranker_params : dict, optional
        Arguments of the :class:`ImplicitALS` ranker; ``seed`` and ``threads`` default
        to this model's.

    Notes
    -----
    The defaults (200 factors, 120 epochs, learning rate 0.005, regularisation 0.1 for
    factors and 0.02 for biases, initial factors N(0, 0.05)) were chosen by validation
    RMSE on 10% of each MovieLens 100K training fold and of the ML-latest-small training
    split. On the test parts they reach a mean RMSE of 0.909 over MovieLens 100K's
    ``u1`` to ``u5`` (0.920 on ``u1``) and 0.846 on the ML-latest-small split
    (``benchmarks/accuracy.py``). Regularisation much stronger than the 0.02 of
    Surprise's SVD is what helps on data of this size, and the smaller learning rate
    with more epochs helps the sparser ML-latest-small most.

    Choosing a solver: SGD costs :math:`O(k)` per rating and epoch and is the faster
    choice for large data and many factors. ALS costs :math:`O(k^2)` per rating plus
    :math:`O(k^3)` per user and item, but needs no learning rate and converges in
    fewer epochs (about 10 to 20).

    Fitted attributes added by the objective: ``ranker_`` (:class:`ImplicitALS` or
    None for ``"rating"``) and ``ranking_weight_`` (the :math:`\beta` in use, 0.0 for
    ``"ranking"``).

    Memory: the input ratings plus one block-ordered copy (12 bytes per rating each),
    and the factors; nothing is sized by users times items.

    ALS reference: Y. Zhou, D. Wilkinson, R. Schreiber and R. Pan, "Large-Scale
    Parallel Collaborative Filtering for the Netflix Prize", Algorithmic Aspects in
    Information and Management (AAIM), LNCS 5034, 2008, pp. 337-348.

    References
    ----------
    Y. Koren, R. Bell and C. Volinsky, "Matrix Factorization Techniques for Recommender
    Systems", IEEE Computer 42(8), 2009, pp. 30-37.
    """

    def __init__(
        self,
        *,
        factors: int = 200,
        epochs: int = 120,
        learning_rate: float = 0.005,
        regularization: float = 0.1,
        bias_regularization: float | None = 0.02,
        init_std: float = 0.05,
        seed: int = 42,
        early_stopping_rounds: int | None = None,
        solver: str = "sgd",
        threads: int | None = None,
        objective: str = "both",
        ranking_weight: float | None = None,
        ranker_params: dict | None = None,
    ):
        self.factors = factors
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.bias_regularization = bias_regularization
        self.init_std = init_std
        self.seed = seed
        self.early_stopping_rounds = early_stopping_rounds
        self.solver = solver
        self.threads = threads
        self.objective = objective
        self.ranking_weight = ranking_weight
        self.ranker_params = ranker_params

    def fit(
        self,
        ratings: Ratings,
        *,
        validation: Ratings | None = None,
        progress: bool = False,
        callback: Callable[[int, float], None] | None = None,
    ) -> MatrixFactorization:
        """Fit the model to explicit ratings.

        Parameters
        ----------
        ratings : Ratings
            Training ratings, as returned by :func:`mfrec.read_ratings`.
        validation : Ratings, optional
            Held-out ratings; their RMSE is recorded in ``history_`` after each epoch.
        progress : bool
            Show a progress bar with the training RMSE (rich) on standard error.
        callback : callable, optional
            Called as ``callback(epoch, train_rmse)`` after each epoch.

        Returns
        -------
        MatrixFactorization
            The fitted model itself.

        Raises
        ------
        DivergenceError
            If the training error becomes non-finite or explodes; lower
            ``learning_rate`` or raise ``regularization``.
        """
        self._validate()
        ratings = check_ratings(ratings).compact()
        started = time.perf_counter()
        self._initialise(ratings)
        arrays = _KernelInputs(ratings, self)
        val = _ValidationSet(validation, self) if validation is not None else None
        stopper = _EarlyStopping(self.early_stopping_rounds, val)
        logger.info(
            "fitting %s on %d ratings, %d users, %d items",
            self, len(ratings), ratings.n_users, ratings.n_items,
        )
        with progress_bar(progress, self.epochs, "training", _describe_epoch) as bar:
            for epoch in range(1, self.epochs + 1):
                entry = self._run_epoch(arrays, epoch, val)
                self.history_.append(entry)
                bar(entry)
                if callback is not None:
                    callback(epoch, entry["train_rmse"])
                if stopper.should_stop(self, entry):
                    break
        stopper.restore(self)
        self.factorization_seconds_ = time.perf_counter() - started
        self.threads_ = arrays.threads
        self._fit_ranker(ratings, progress)
        self.fit_seconds_ = time.perf_counter() - started
        logger.info("fitted in %.2f s", self.fit_seconds_)
        return self

    def _validate(self) -> None:
        check_int("factors", self.factors, 0)
        check_int("epochs", self.epochs, 0)
        check_float("learning_rate", self.learning_rate, positive=True)
        check_float("regularization", self.regularization)
        if self.bias_regularization is not None:
            check_float("bias_regularization", self.bias_regularization)
        check_float("init_std", self.init_std)
        check_int("seed", self.seed, 0)
        if self.early_stopping_rounds is not None:
            check_int("early_stopping_rounds", self.early_stopping_rounds, 1)
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}, got {self.solver!r}")
        if self.threads is not None:
            check_int("threads", self.threads, 1)
        self._check_objective()

    def _initialise(self, ratings: Ratings) -> None:
        self._rng = np.random.default_rng(self.seed)
        shape_u = (ratings.n_users, self.factors)
        shape_i = (ratings.n_items, self.factors)
        with np.errstate(over="ignore"):  # an overflow is reported just below
            scale = np.float32(self.init_std)
            # In place: a second factor-sized array would double the memory touched.
            user_factors = self._rng.standard_normal(shape_u, dtype=np.float32)
            user_factors *= scale
            item_factors = self._rng.standard_normal(shape_i, dtype=np.float32)
            item_factors *= scale
        from .._kernels.sgd import all_finite

        if not (all_finite(user_factors) and all_finite(item_factors)):
            raise ValueError(
                f"init_std={self.init_std!r} makes the initial factors overflow float32; "
                f"use a small value such as 0.1"
            )
        self.user_factors_, self.item_factors_ = user_factors, item_factors
        self.user_bias_ = np.zeros(ratings.n_users, dtype=np.float32)
        self.item_bias_ = np.zeros(ratings.n_items, dtype=np.float32)
        self.global_mean_ = float(np.float32(ratings.global_mean))
        self.users_ = ratings.users
        self.items_ = ratings.items
        self.rating_scale_ = ratings.rating_scale
        self.rated_indptr_, self.rated_items_ = rated_structure(
            ratings.user_index, ratings.item_index, ratings.n_users
        )
        self.n_ratings_ = len(ratings)
        self.history_: list[dict] = []

    def _run_epoch(self, arrays: _KernelInputs, epoch: int, val: _ValidationSet | None) -> dict:
        sse = arrays.solver.epoch(self, self._rng, arrays.threads)
        train_rmse = math.sqrt(sse / max(arrays.n_ratings, 1))
        self._check_divergence(epoch, train_rmse, arrays.spread)
        entry = {"epoch": epoch, "train_rmse": train_rmse}
        if val is not None:
            entry["validation_rmse"] = val.rmse(self)
        logger.debug("epoch %d: %s", epoch, entry)
        return entry

    def _check_divergence(self, epoch: int, train_rmse: float, spread: float) -> None:
        finite = math.isfinite(train_rmse) and np.isfinite(self.user_bias_).all() and np.isfinite(self.item_bias_).all()
        # Every user and item takes part in every epoch, so a factor that became inf or
        # NaN makes the next epoch's error sum NaN: a full scan is needed only at the end.
        if finite and self.factors and epoch == self.epochs:
            from .._kernels.sgd import all_finite

            finite = all_finite(self.user_factors_) and all_finite(self.item_factors_)
        if finite and train_rmse <= DIVERGENCE_FACTOR * max(spread, 1.0):
            return
        # Drop the broken factors, so a caller that catches the error cannot predict NaN.
        self.user_factors_ = None
        if self.solver == "als":
            fix = f"raise regularization (now {self.regularization:g})"
        else:
            fix = (
                f"lower learning_rate (now {self.learning_rate:g}) or raise regularization "
                f"(now {self.regularization:g})"
            )
        raise DivergenceError(
            f"training diverged at epoch {epoch} (training RMSE {train_rmse:.4g}); {fix}"
        )


class _KernelInputs:
    """The training data as the chosen solver lays it out, and the thread count."""

    def __init__(self, ratings: Ratings, model: MatrixFactorization):
        self.threads = resolve_threads(model.threads)
        self.solver = make_solver(model.solver, ratings, model._rng)
        self.n_ratings = len(ratings)
        self.spread = float(ratings.rating.max() - ratings.rating.min())


class _ValidationSet:
    """Validation ratings mapped onto the model's indices; unknown IDs use the fallback rule."""

    def __init__(self, validation: Ratings, model: MatrixFactorization):
        validation = check_ratings(validation)
        user_map = model.users_.lookup(validation.users.ids)
        item_map = model.items_.lookup(validation.items.ids)
        self.user_index = user_map[validation.user_index]
        self.item_index = item_map[validation.item_index]
        self.rating = validation.rating.astype(np.float64)

    def rmse(self, model: MatrixFactorization) -> float:
        predicted = model.predict_indices(self.user_index, self.item_index)
        return float(np.sqrt(np.mean((predicted - self.rating) ** 2)))


class _EarlyStopping:
    """The best validation RMSE so far and a copy of the model's parameters at that epoch."""

    STATE = ("user_factors_", "item_factors_", "user_bias_", "item_bias_")

    def __init__(self, rounds: int | None, validation: _ValidationSet | None):
        if rounds is not None and validation is None:
            warnings.warn(
                f"early_stopping_rounds={rounds} is ignored because fit got no validation "
                f"ratings, so all epochs run; call fit(ratings, validation=held_out) to stop early",
                UserWarning,
                stacklevel=3,
            )
            rounds = None
        self.rounds = rounds
        self.best_rmse = math.inf
        self.best_epoch: int | None = None
        self.saved: dict | None = None

    def should_stop(self, model: MatrixFactorization, entry: dict) -> bool:
        if self.rounds is None:
            return False
        if self.best_epoch is None or entry["validation_rmse"] < self.best_rmse:
            self.best_rmse = entry["validation_rmse"]
            self.best_epoch = entry["epoch"]
            self.saved = {name: getattr(model, name).copy() for name in self.STATE}
            return False
        return entry["epoch"] - self.best_epoch >= self.rounds

    def restore(self, model: MatrixFactorization) -> None:
        model.best_epoch_ = self.best_epoch
        if self.saved is None:
            return
        for name, value in self.saved.items():
            setattr(model, name, value)
        logger.info("early stopping: kept epoch %d (validation RMSE %.4f)", self.best_epoch, self.best_rmse)


def _describe_epoch(entry: dict) -> str:
    text = f"train RMSE {entry['train_rmse']:.4f}"
    if "validation_rmse" in entry:
        text += f", validation RMSE {entry['validation_rmse']:.4f}"
    return text
