"""Column checks and conversions of ``read_ratings``: IDs, ratings and timestamps.

Each function takes one pyarrow column, returns it converted, and appends
``(row, reason)`` to ``problems`` for every row that is a bad line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..exceptions import InputError
from . import _text
from .idmap import IdMap, canonical_int_ids
from .ratings import ReadReport

if TYPE_CHECKING:
    from .readers import _Where

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _id_values(column, role: str, where: _Where, problems: list) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if _is_string_view(kind):
        column = column.cast(pa.string())
        kind = column.type
    if pa.types.is_floating(kind):
        raise InputError(
            f"{role} IDs in {where.source} are floating-point numbers ({column.type}); IDs "
            f"must be integers or strings: convert the column, for example "
            f"df['{role}'].astype('int64'), so that large IDs are not rounded",
            source=where.source,
        )
    if pa.types.is_unsigned_integer(kind) or pa.types.is_signed_integer(kind):
        if pa.types.is_uint64(kind) and len(column) and pc.max(column).as_py() > 2**63 - 1:
            column = column.cast(pa.string())
        elif pa.types.is_uint64(kind):
            column = column.cast(pa.int64())
        # Narrower integers stay as they are until _encode_ids: a cast to int64 here
        # would copy the whole column at 8 bytes per row.
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        column = pc.utf8_trim_whitespace(column.cast(pa.string())).fill_null("")
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        column = column.cast(pa.string())
    else:
        raise InputError(f"{role} IDs in {where.source} have type {kind}; use integers or strings", source=where.source)
    missing = pc.is_null(column)
    if pa.types.is_string(column.type):
        missing = pc.or_kleene(missing, pc.equal(column, ""))
    for row in np.flatnonzero(missing.to_numpy(zero_copy_only=False)):
        problems.append((int(row), f"empty {role} ID"))
    return column


def _encode_ids(column: pa.Array) -> tuple[IdMap, np.ndarray]:
    """Return ``IdMap.encode(column)``, encoding narrow integer IDs before widening them.

    Only the distinct IDs are cast to int64, so a 100M-row int32 column is never copied
    at 8 bytes per row. The map and indices equal those of the int64 column.
    """
    if not pa.types.is_integer(column.type) or column.type == pa.int64():
        return IdMap.encode(column)
    encoded = pc.dictionary_encode(column)
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return IdMap(encoded.dictionary.cast(pa.int64())), indices


def _is_string_view(kind) -> bool:
    check = getattr(pa.types, "is_string_view", None)
    return bool(check and check(kind))


def _canonical(column: pa.Array) -> pa.Array:
    if pa.types.is_string(column.type):
        as_int = canonical_int_ids(column)
        if as_int is not None:
            return as_int
    return column


def _rating_values(column, scale, problems: list, source: str) -> np.ndarray:
    """Return the ratings as float64, NaN where a row is bad, and record each bad row."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if _is_string_view(column.type):
        column = column.cast(pa.string())

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = _text_ratings(column, problems)
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        if column.null_count:
            values = np.where(pc.is_null(column).to_numpy(zero_copy_only=False), np.nan, values)
        for row in np.flatnonzero(~np.isfinite(values)):
            problems.append((int(row), f"rating {float(values[row])} is not a finite number"))
    else:
        raise InputError(f"ratings in {source} have type {kind}; expected numbers", source=source)

    # Ratings are stored as float32: a finite float64 beyond its range would become inf.
    # Comparisons, not np.abs, so no float64 temporary of the whole column is made.
    too_large = np.isfinite(values) & ((values > _FLOAT32_MAX) | (values < -_FLOAT32_MAX))
    for row in np.flatnonzero(too_large):
        problems.append((int(row), f"rating {values[row]:g} is too large to store as float32"))
    if too_large.any():
        values = np.where(too_large, np.nan, values)

    if scale is not None:
        low, high = scale
        outside = np.isfinite(values) & ((values < low) | (values > high))
        for row in np.flatnonzero(outside):
            problems.append((int(row), f"rating {values[row]:g} is outside the declared rating scale {low:g} to {high:g}"))
    return values


def _text_ratings(column: pa.Array, problems: list) -> np.ndarray:
    text = pc.utf8_trim_whitespace(column.cast(pa.string())).fill_null("")
    numeric = pc.match_substring_regex(text, _text._NUMBER.pattern).to_numpy(zero_copy_only=False)
    values = np.full(len(text), np.nan)
    if numeric.any():
        values[numeric] = _text_to_float(text.filter(pa.array(numeric)))
    for row in np.flatnonzero(~numeric):
        problems.append((int(row), f"rating {text[int(row)].as_py()!r} is not a number"))
    for row in np.flatnonzero(numeric & ~np.isfinite(values)):
        problems.append((int(row), f"rating {text[int(row)].as_py()!r} is not a finite number"))
    return values


def _text_to_float(text: pa.Array) -> np.ndarray:
    try:
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        # pyarrow rejects a few forms that the number pattern allows, such as "1e999".
        return np.array([float(value) for value in text.to_pylist()], dtype=np.float64)


def _timestamp_values(column, problems: list, explicit: bool, report: ReadReport) -> np.ndarray | None:
    """Return timestamps as int64 seconds, or None when there is no usable time column.

    A column given as ``timestamp=`` must parse: a value that does not is a bad line. A
    fourth column found without being asked for is dropped, with a note in the report,
    when some of its values are not times.
    """
    if column is None:
        return None
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if _is_string_view(column.type):
        column = column.cast(pa.string())
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        values, bad = column.cast(pa.timestamp("s")).cast(pa.int64()), pc.is_null(column)
        values = values.fill_null(0).to_numpy(zero_copy_only=False)
        bad = bad.to_numpy(zero_copy_only=False)
    elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        raw = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        bad = ~np.isfinite(raw) | (np.abs(np.nan_to_num(raw)) >= 2.0**63)
        values = np.where(bad, 0, raw).astype(np.int64)
        if pa.types.is_integer(column.type):
            values = np.where(bad, 0, column.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        values, bad = _parse_time_text(pc.utf8_trim_whitespace(column.cast(pa.string())).fill_null(""))
    else:
        bad = np.ones(len(column), dtype=bool)
        values = np.zeros(len(column), dtype=np.int64)
    if not bad.any():
        return values
    if not explicit:
        report.notes.append(
            f"the fourth column was not used as timestamps: {int(bad.sum())} of its values "
            f"are not times; pass timestamp= to name the time column"
        )
        return None
    for row in np.flatnonzero(bad):
        problems.append((int(row), f"timestamp {column[int(row)].as_py()!r} is not a time"))
    return values


def _parse_time_text(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse integer seconds, decimal seconds or ``YYYY-MM-DD[ HH:MM:SS]`` text."""
    values = np.zeros(len(text), dtype=np.int64)
    bad = np.ones(len(text), dtype=bool)
    integer = pc.match_substring_regex(text, r"^-?[0-9]{1,18}$").to_numpy(zero_copy_only=False)
    if integer.any():
        values[integer] = pc.cast(text.filter(pa.array(integer)), pa.int64()).to_numpy()
        bad[integer] = False
    decimal = bad & pc.match_substring_regex(text, r"^-?[0-9]{1,15}\.[0-9]*$").to_numpy(zero_copy_only=False)
    if decimal.any():
        values[decimal] = np.floor(pc.cast(text.filter(pa.array(decimal)), pa.float64()).to_numpy())
        bad[decimal] = False
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        if not bad.any():
            break
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True).cast(pa.int64())
        ok = bad & pc.is_valid(parsed).to_numpy(zero_copy_only=False)
        values[ok] = parsed.fill_null(0).to_numpy(zero_copy_only=False)[ok]
        bad &= ~ok
    return values, bad
