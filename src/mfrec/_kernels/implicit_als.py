"""Kernels of implicit-feedback ALS: the Gram matrix, one half-sweep of row solves, the loss.

Every row is solved from the other side's factors only, so a half-sweep gives the same
result with any number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Rows handed to one parallel task; each task allocates its scratch vectors once.
ROWS_PER_TASK = 64


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def gram_matrix(factors):
    """Return ``factors.T @ factors`` as float32 (k, k), summed in float64 in row order.

    factors: float32 (n, k).
    """
    n, k = factors.shape
    gram = np.empty((k, k), dtype=np.float32)
    for f in prange(k):
        # Row f of the result, accumulated over the rows of factors in order.
        row = np.zeros(k, dtype=np.float64)
        for j in range(n):
            scale = np.float64(factors[j, f])
            for g in range(k):
                row[g] += scale * np.float64(factors[j, g])
        for g in range(k):
            gram[f, g] = np.float32(row[g])
    return gram


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def als_update_rows(indptr, indices, weight, target, own, other, gram, regularization, cg_steps):
    """Re-solve every row of ``own`` against ``other``, in place.

    Row ``u`` minimises ``sum_j w_uj (x . y_j)^2 - 2 t_uj (x . y_j) + x.G.x + lam |x|^2``
    over all columns ``j``, that is, ``(G + lam I + Y_u^T W_u Y_u) x = Y_u^T t_u``.
    ``cg_steps > 0`` runs that many conjugate-gradient steps from the current row;
    ``cg_steps == 0`` solves exactly by Cholesky factorisation in float64.

    indptr: int64 (n_rows + 1,); indices: int32 (nnz,); weight (c - 1) and target (c p):
    float32 (nnz,); own: float32 (n_rows, k); other: float32 (n_cols, k); gram: float32
    (k, k), ``other.T @ other``; regularization: float32; cg_steps: int.
    """
    n_rows = own.shape[0]
    n_tasks = (n_rows + ROWS_PER_TASK - 1) // ROWS_PER_TASK
    for task in prange(n_tasks):
        start = task * ROWS_PER_TASK
        stop = min(start + ROWS_PER_TASK, n_rows)
        if cg_steps > 0:
            _solve_rows_cg(start, stop, indptr, indices, weight, target, own, other, gram, regularization, cg_steps)
        else:
            _solve_rows_cholesky(start, stop, indptr, indices, weight, target, own, other, gram, regularization)


@njit(cache=True, nogil=True, fastmath=True)
def _apply_system(u, vector, out, indptr, indices, weight, other, gram, regularization):
    """Write ``(G + lam I + Y_u^T W_u Y_u) vector`` into ``out``."""
    k = vector.shape[0]
    for f in range(k):
        total = regularization * vector[f]
        for g in range(k):
            total += gram[f, g] * vector[g]
        out[f] = total
    for position in range(indptr[u], indptr[u + 1]):
        j = indices[position]
        dot = np.float32(0.0)
        for f in range(k):
            dot += other[j, f] * vector[f]
        scale = weight[position] * dot
        for f in range(k):
            out[f] += scale * other[j, f]


@njit(cache=True, nogil=True, fastmath=True)
def _solve_rows_cg(start, stop, indptr, indices, weight, target, own, other, gram, regularization, cg_steps):
    k = own.shape[1]
    x = np.empty(k, dtype=np.float32)
    residual = np.empty(k, dtype=np.float32)
    direction = np.empty(k, dtype=np.float32)
    product = np.empty(k, dtype=np.float32)
    for u in range(start, stop):
        for f in range(k):
            x[f] = own[u, f]

        # residual = b - A x, with b = sum_j t_uj y_j
        _apply_system(u, x, product, indptr, indices, weight, other, gram, regularization)
        for f in range(k):
            residual[f] = -product[f]
        for position in range(indptr[u], indptr[u + 1]):
            j = indices[position]
            for f in range(k):
                residual[f] += target[position] * other[j, f]
        for f in range(k):
            direction[f] = residual[f]
        rs_old = np.float32(0.0)
        for f in range(k):
            rs_old += residual[f] * residual[f]

        for _ in range(cg_steps):
            if rs_old < 1e-20:
                break
            _apply_system(u, direction, product, indptr, indices, weight, other, gram, regularization)
            curvature = np.float32(0.0)
            for f in range(k):
                curvature += direction[f] * product[f]
            if curvature <= 0.0:
                break
            step = rs_old / curvature
            rs_new = np.float32(0.0)
            for f in range(k):
                x[f] += step * direction[f]
                residual[f] -= step * product[f]
                rs_new += residual[f] * residual[f]
            ratio = rs_new / rs_old
            for f in range(k):
                direction[f] = residual[f] + ratio * direction[f]
            rs_old = rs_new

        for f in range(k):
            own[u, f] = x[f]


@njit(cache=True, nogil=True, fastmath=True)
def _solve_rows_cholesky(start, stop, indptr, indices, weight, target, own, other, gram, regularization):
    k = own.shape[1]
    system = np.empty((k, k), dtype=np.float64)
    rhs = np.empty(k, dtype=np.float64)
    for u in range(start, stop):
        for f in range(k):
            rhs[f] = 0.0
            for g in range(k):
                system[f, g] = gram[f, g]
            system[f, f] += regularization
        for position in range(indptr[u], indptr[u + 1]):
            j = indices[position]
            w = np.float64(weight[position])
            t = np.float64(target[position])
            for f in range(k):
                yf = np.float64(other[j, f])
                rhs[f] += t * yf
                for g in range(k):
                    system[f, g] += w * yf * np.float64(other[j, g])
        _cholesky_solve_in_place(system, rhs)
        for f in range(k):
            own[u, f] = np.float32(rhs[f])


@njit(cache=True, nogil=True, fastmath=True)
def _cholesky_solve_in_place(system, rhs):
    """Solve ``system @ x = rhs`` for a symmetric positive definite ``system``; x replaces rhs.

    The lower triangle of ``system`` is overwritten with the Cholesky factor L.
    """
    k = rhs.shape[0]
    for f in range(k):
        for g in range(f + 1):
            total = system[f, g]
            for h in range(g):
                total -= system[f, h] * system[g, h]
            if f == g:
                system[f, f] = np.sqrt(max(total, 1e-300))
            else:
                system[f, g] = total / system[g, g]
    for f in range(k):
        total = rhs[f]
        for h in range(f):
            total -= system[f, h] * rhs[h]
        rhs[f] = total / system[f, f]
    for f in range(k - 1, -1, -1):
        total = rhs[f]
        for h in range(f + 1, k):
            total -= system[h, f] * rhs[h]
        rhs[f] = total / system[f, f]


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def implicit_loss_terms(indptr, indices, weight, target, own, other, gram, regularization):
    """Return each row's share of the weighted loss, float64 (n_rows,).

    Row ``u`` contributes ``x.G.x + sum_j (t_uj - 2 t_uj s_uj + w_uj s_uj^2) + lam |x|^2``
    with ``s_uj = x . y_j``; summed with ``lam |Y|^2`` this is
    ``sum_{u,j} c_uj (p_uj - s_uj)^2 + lam (|X|^2 + |Y|^2)``. Arrays as in
    :func:`als_update_rows`.
    """
    n_rows, k = own.shape
    terms = np.empty(n_rows, dtype=np.float64)
    for u in prange(n_rows):
        total = 0.0
        for f in range(k):
            xf = np.float64(own[u, f])
            total += regularization * xf * xf
            for g in range(k):
                total += xf * np.float64(gram[f, g]) * np.float64(own[u, g])
        for position in range(indptr[u], indptr[u + 1]):
            j = indices[position]
            score = 0.0
            for f in range(k):
                score += np.float64(own[u, f]) * np.float64(other[j, f])
            t = np.float64(target[position])
            total += t - 2.0 * t * score + np.float64(weight[position]) * score * score
        terms[u] = total
    return terms
