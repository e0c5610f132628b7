"""Solvers behind :class:`MatrixFactorization`: prepared training data plus one epoch step.

Each solver converts the ratings once, then ``epoch(model)`` runs one sweep of its
numba kernel on the model's fitted arrays, with the model's thread count, and returns
the training sum of squared errors.
"""

from __future__ import annotations

import contextlib
import logging
import warnings

import numpy as np

from ..data.ratings import Ratings

logger = logging.getLogger(__name__)

SOLVERS = ("sgd", "als")


def available_threads() -> int:
    """Return the most threads the numba kernels can use (all cores by default)."""
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


def resolve_threads(threads: int | None) -> int:
    """Return the thread count to run with: ``None`` means all cores; more than that is capped."""
    most = available_threads()
    if threads is None:
        return most
    if threads > most:
        warnings.warn(
            f"threads={threads} is more than the {most} threads numba can start on this "
            f"machine; using {most}",
            RuntimeWarning,
            stacklevel=4,
        )
        return most
    return int(threads)


@contextlib.contextmanager
def numba_threads(count: int):
    """Run the body with numba's thread count set to ``count``, then restore the old one."""
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


class BlockedSGD:
    """Ratings laid out in a seeded ``B x B`` block grid for the parallel SGD kernel.

    The grid size depends on the data alone (:func:`grid_size`), and every epoch draws
    its block schedule from the model's random generator, so the same seed gives the
    same model with any thread count.
    """

    def __init__(self, ratings: Ratings, rng: np.random.Generator):
        from .._kernels.blocks import grid_size, layout_blocks, relabel

        self.n_blocks = grid_size(len(ratings), ratings.n_users, ratings.n_items)
        user_label = relabel(ratings.n_users, rng)
        item_label = relabel(ratings.n_items, rng)
        self.user_index, self.item_index, self.rating, self.block_starts = layout_blocks(
            ratings.user_index, ratings.item_index, ratings.rating, user_label, item_label,
            ratings.n_users, ratings.n_items, self.n_blocks,
        )
        logger.debug("SGD grid: %d x %d blocks", self.n_blocks, self.n_blocks)

    def epoch(self, model, rng: np.random.Generator, threads: int) -> float:
        """Run one SGD sweep on ``model``'s arrays; return the training squared-error sum."""
        from .._kernels.blocks import block_schedule
        from .._kernels.sgd import sgd_epoch

        schedule = block_schedule(self.n_blocks, rng)
        reg = model.regularization
        reg_bias = reg if model.bias_regularization is None else model.bias_regularization
        with numba_threads(threads):
            return sgd_epoch(
                self.user_index, self.item_index, self.rating, self.block_starts, schedule,
                model.user_factors_, model.item_factors_, model.user_bias_, model.item_bias_,
                np.float32(model.global_mean_), np.float32(model.learning_rate),
                np.float32(reg_bias), np.float32(reg),
            )


def make_solver(name: str, ratings: Ratings, rng: np.random.Generator):
    """Prepare ``ratings`` for the solver called ``name`` (one of :data:`SOLVERS`)."""
    if name == "als":
        return AlternatingLeastSquares(ratings)
    return BlockedSGD(ratings, rng)


class AlternatingLeastSquares:
    """Ratings grouped by user and by item (CSR) for the parallel ALS kernels.

    Each row is solved on its own from its own ratings, so the result does not depend
    on the thread count.
    """

    def __init__(self, ratings: Ratings):
        from .._kernels.als import csr_by_row

        self.by_user = csr_by_row(ratings.user_index, ratings.item_index, ratings.rating, ratings.n_users)
        self.by_item = csr_by_row(ratings.item_index, ratings.user_index, ratings.rating, ratings.n_items)

    def epoch(self, model, rng: np.random.Generator, threads: int) -> float:
        """Solve all users, then all items; return the training squared-error sum after both."""
        from .._kernels.als import als_update_rows, squared_error_sum

        reg = np.float64(model.regularization)
        reg_bias = reg if model.bias_regularization is None else np.float64(model.bias_regularization)
        mean = np.float32(model.global_mean_)
        with numba_threads(threads):
            als_update_rows(
                *self.by_user, model.item_factors_, model.item_bias_, mean, reg, reg_bias,
                model.user_factors_, model.user_bias_,
            )
            als_update_rows(
                *self.by_item, model.user_factors_, model.user_bias_, mean, reg, reg_bias,
                model.item_factors_, model.item_bias_,
            )
            return squared_error_sum(
                *self.by_user, model.user_factors_, model.item_factors_, model.user_bias_,
                model.item_bias_, mean,
            )
