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


def make_solver(name: str, ratings: Ratings, rng: np.random.Generator, threads: int):
    """Prepare ``ratings`` for the solver called ``name`` (one of :data:`SOLVERS`)."""
    if name == "als":
        raise NotImplementedError
    return BlockedSGD(ratings, rng)
