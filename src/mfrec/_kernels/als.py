"""ALS kernels for biased matrix factorization: ridge solves per row, and CSR building."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Rows per work chunk: each chunk allocates its scratch matrices once.
CHUNK_ROWS = 256


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def als_update_rows(
    indptr, columns, values, fixed_factors, fixed_bias, offset, reg_factor, reg_bias,
    row_factors, row_bias,
):
    """Set each row's factors and bias to the weighted-lambda ridge solution, in parallel.

    indptr: int64 (n_rows + 1,); columns: int32 and values: float32 (nnz,), the CSR
    ratings of each row; fixed_factors (n_cols, k) and fixed_bias (n_cols,): float32,
    the other side's parameters. Row ``r`` with ``n`` ratings gets ``w = (p_r, b_r)``
    solving ``(X'X + n diag(reg_factor, ..., reg_bias)) w = X'y`` with ``X = [q_c, 1]``
    and ``y = value - offset - fixed_bias[c]``; a row without ratings gets zeros.
    row_factors (n_rows, k) and row_bias (n_rows,) are float32, written in place.
    """
    n_rows = indptr.shape[0] - 1
    size = fixed_factors.shape[1] + 1
    n_chunks = (n_rows + CHUNK_ROWS - 1) // CHUNK_ROWS
    for chunk in prange(n_chunks):
        gram = np.empty((size, size))
        rhs = np.empty(size)
        x = np.empty(size)
        for r in range(chunk * CHUNK_ROWS, min(n_rows, (chunk + 1) * CHUNK_ROWS)):
            _solve_row(
                indptr[r], indptr[r + 1], columns, values, fixed_factors, fixed_bias,
                offset, reg_factor, reg_bias, gram, rhs, x,
            )
            for f in range(size - 1):
                row_factors[r, f] = rhs[f]
            row_bias[r] = rhs[size - 1]


@njit(cache=True, nogil=True, fastmath=True)
def _solve_row(start, stop, columns, values, fixed_factors, fixed_bias, offset, reg_factor, reg_bias, gram, rhs, x):
    # Build the normal equations in float64 and leave the solution in rhs.
    size = gram.shape[0]
    k = size - 1
    gram[:, :] = 0.0
    rhs[:] = 0.0
    if stop == start:
        return
    x[k] = 1.0
    for j in range(start, stop):
        c = columns[j]
        for f in range(k):
            x[f] = fixed_factors[c, f]
        target = values[j] - offset - fixed_bias[c]
        for a in range(size):
            xa = x[a]
            rhs[a] += xa * target
            for b in range(a + 1):  # lower triangle: all the Cholesky step reads
                gram[a, b] += xa * x[b]
    n = stop - start
    for f in range(k):
        gram[f, f] += reg_factor * n
    gram[k, k] += reg_bias * n
    _cholesky_solve(gram, rhs)


@njit(cache=True, nogil=True)
def _cholesky_solve(matrix, rhs):
    # Factor matrix = L L' in place (lower triangle), then solve L y = rhs, L' w = y.
    size = matrix.shape[0]
    for j in range(size):
        total = matrix[j, j]
        for p in range(j):
            total -= matrix[j, p] * matrix[j, p]
        diagonal = np.sqrt(max(total, 1e-300))
        matrix[j, j] = diagonal
        for i in range(j + 1, size):
            total = matrix[i, j]
            for p in range(j):
                total -= matrix[i, p] * matrix[j, p]
            matrix[i, j] = total / diagonal
    for i in range(size):
        total = rhs[i]
        for p in range(i):
            total -= matrix[i, p] * rhs[p]
        rhs[i] = total / matrix[i, i]
    for i in range(size - 1, -1, -1):
        total = rhs[i]
        for p in range(i + 1, size):
            total -= matrix[p, i] * rhs[p]
        rhs[i] = total / matrix[i, i]


@njit(cache=True, nogil=True)
def csr_by_row(rows, columns, values, n_rows):
    """Group ratings by row with a stable counting sort.

    rows, columns: int32 (n,); values: float32 (n,). Returns indptr int64
    (n_rows + 1,), and columns int32 and values float32 (n,) in row order.
    """
    n = rows.shape[0]
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    for j in range(n):
        indptr[rows[j] + 1] += 1
    for r in range(n_rows):
        indptr[r + 1] += indptr[r]
    fill = indptr[:-1].copy()
    out_columns = np.empty(n, dtype=np.int32)
    out_values = np.empty(n, dtype=np.float32)
    for j in range(n):
        at = fill[rows[j]]
        fill[rows[j]] = at + 1
        out_columns[at] = columns[j]
        out_values[at] = values[j]
    return indptr, out_columns, out_values


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def squared_error_sum(indptr, columns, values, row_factors, column_factors, row_bias, column_bias, offset):
    """Return the model's sum of squared errors over CSR ratings (float64), in parallel."""
    n_rows = indptr.shape[0] - 1
    k = row_factors.shape[1]
    n_chunks = (n_rows + CHUNK_ROWS - 1) // CHUNK_ROWS
    partial = np.zeros(n_chunks)
    for chunk in prange(n_chunks):
        total = 0.0
        for r in range(chunk * CHUNK_ROWS, min(n_rows, (chunk + 1) * CHUNK_ROWS)):
            for j in range(indptr[r], indptr[r + 1]):
                c = columns[j]
                prediction = offset + row_bias[r] + column_bias[c]
                for f in range(k):
                    prediction += row_factors[r, f] * column_factors[c, f]
                err = values[j] - prediction
                total += err * err
        partial[chunk] = total
    total = 0.0
    for chunk in range(n_chunks):
        total += partial[chunk]
    return total
