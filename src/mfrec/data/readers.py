"""``read_ratings``: files and data frames in, a validated :class:`Ratings` out."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..exceptions import DataWarning, InputError
from . import _text
from .idmap import IdMap, canonical_int_ids
from .ratings import Ratings, ReadReport

__all__ = ["read_ratings"]

USER_NAMES = ("user", "user_id", "userid", "uid", "user id", "users", "customer_id", "reviewer_id", "reviewerid", "visitor_id")
ITEM_NAMES = ("item", "item_id", "itemid", "iid", "item id", "items", "movie", "movie_id", "movieid", "product", "product_id", "productid", "asin", "book", "isbn", "film", "drama")
RATING_NAMES = ("rating", "ratings", "score", "stars", "value", "rate", "book-rating", "book_rating", "overall")
TIME_NAMES = ("timestamp", "time", "ts", "date", "datetime", "unixreviewtime", "unix_time")
_MAX_REPORTED = 5
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class _Columns:
    user: pa.Array
    item: pa.Array
    rating: pa.Array
    timestamp: pa.Array | None
    explicit_time: bool = False


def read_ratings(
    source: Any,
    *,
    user: str | int | None = None,
    item: str | int | None = None,
    rating: str | int | None = None,
    timestamp: str | int | None = None,
    sep: str | None = None,
    header: bool | str = "auto",
    encoding: str = "utf-8",
    on_bad_lines: str = "error",
    duplicates: str = "last",
    rating_scale: tuple[float, float] | None = None,
) -> Ratings:
    """Read explicit ratings from a file or a table into a :class:`Ratings` object.

    Parameters
    ----------
    source : str, os.PathLike, pandas.DataFrame, polars.DataFrame or pyarrow.Table
        A delimited text file (CSV, TSV, ``;``, ``|``, ``::`` as in MovieLens 1M, or runs
        of spaces), a Parquet file, or an in-memory table.
    user, item, rating, timestamp : str or int, optional
        Column name or 0-based position. By default the columns are found by common
        names (``userId``, ``item_id``, ``movieId``, ``rating``...) when there is a
        header, else taken as positions 0, 1, 2 and, when present, 3.
    sep : str, optional
        Field separator; detected from the first lines when omitted. ``"whitespace"``
        splits on runs of spaces and tabs.
    header : {"auto", True, False}
        Whether the first line contains column names. ``"auto"`` treats the first line as
        a header when its rating field is not a number.
    encoding : str
        Text encoding, decoded strictly: a byte that is invalid in it is an error.
    on_bad_lines : {"error", "skip"}
        ``"error"`` raises :class:`InputError` naming the first bad lines; ``"skip"``
        drops them and counts them in ``ratings.report.skipped``. Bad lines are lines
        with the wrong number of fields, an empty ID, a rating that is not a finite
        number, or a rating outside a declared ``rating_scale``.
    duplicates : {"last", "mean", "error"}
        Policy for several ratings of one (user, item) pair: keep the last one in input
        order, average them, or raise. Merged rows are counted in
        ``ratings.report.duplicates_merged``.
    rating_scale : (float, float), optional
        Lowest and highest allowed rating. Inferred from the data when omitted.

    Returns
    -------
    Ratings
        ``ratings.report`` holds the row accounting:
        ``rows_read == kept + skipped + duplicates_merged``.

    Raises
    ------
    InputError
        The file is missing, empty or unreadable, a column is missing, or a bad line
        was found with ``on_bad_lines="error"``. The message names the line.
    """
    _check_choice("on_bad_lines", on_bad_lines, ("error", "skip"))
    _check_choice("duplicates", duplicates, ("last", "mean", "error"))
    _check_header(header)
    _text.check_encoding(encoding)
    scale = _check_scale(rating_scale)
    if isinstance(source, (str, os.PathLike)):
        if header == "auto" and any(isinstance(c, str) for c in (user, item, rating, timestamp)):
            header = True  # a column given by name needs a header line
        loaded = _load_path(os.fspath(source), user, item, rating, timestamp, sep, header, encoding)
    else:
        loaded = _load_table(_to_arrow(source), user, item, rating, timestamp)
    columns, report, where = loaded
    ratings = _build(columns, report, where, on_bad_lines, duplicates, scale)
    # pyarrow's memory pool keeps freed buffers for reuse; hand them back, or a large
    # file's worth of memory stays held while the model trains.
    pa.default_memory_pool().release_unused()
    return ratings


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _check_header(header) -> None:
    if header != "auto" and not isinstance(header, bool):
        raise ValueError(f"header must be 'auto', True or False, got {header!r}")


def _check_scale(scale) -> tuple[float, float] | None:
    if scale is None:
        return None
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ValueError(f"rating_scale must be a pair (low, high), got {scale!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"rating_scale must have finite low < high, got {scale!r}")
    return low, high


class _Where:
    """Turns table row positions into 'line N' (files) or 'row N' (tables) for messages."""

    def __init__(self, source: str, locator: _text.LineLocator | None = None):
        self.source = source
        self.locator = locator

    def number(self, row: int) -> int:
        return self.locator.line_of_row(row) if self.locator else row

    def label(self, row: int) -> str:
        return f"line {self.number(row)}" if self.locator else f"row {row}"


def _load_path(path, user, item, rating, timestamp, sep, header, encoding):
    if not os.path.exists(path):
        raise InputError(f"ratings file not found: {path}; check the path", source=path)
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; pass a ratings file", source=path)
    if _text.is_parquet(path):
        return _load_parquet(path, user, item, rating, timestamp)
    _check_sep(sep)
    rating_field = rating if isinstance(rating, int) and not isinstance(rating, bool) else None
    parsed = _text.read_text(path, sep=sep, header=header, encoding=encoding, rating_field=rating_field)
    names = dict(zip(parsed.table.column_names, parsed.names))
    table = parsed.table.rename_columns([names.get(c, c) for c in parsed.table.column_names])
    where = _Where(path, parsed.locator)
    try:
        picked = _pick_columns(table, user, item, rating, timestamp, parsed.header, path)
    except InputError as exc:
        if exc.line is None:
            exc.line = 1  # the column names, or the first line when there is no header
        raise
    report = ReadReport(
        source=path, rows_read=table.num_rows + len(parsed.invalid_rows),
        separator=parsed.separator, header=parsed.header,
    )
    report.invalid_rows = parsed.invalid_rows  # type: ignore[attr-defined]
    report.n_columns = parsed.n_columns  # type: ignore[attr-defined]
    return picked, report, where


def _check_sep(sep: str | None) -> None:
    if sep is None or sep == _text.WHITESPACE:
        return
    if not sep or sep in ("\n", "\r", '"'):
        raise ValueError(f"sep must be a non-empty field separator, got {sep!r}")


def _load_parquet(path, user, item, rating, timestamp):
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        table.validate(full=True)  # a damaged page can hold invalid UTF-8 text
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read {path} as Parquet: {exc}", source=path) from None
    picked, report, where = _load_table(table, user, item, rating, timestamp, source=path)
    return picked, report, where


def _to_arrow(source: Any) -> pa.Table:
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    module = type(source).__module__.split(".")[0]
    try:
        if module == "pandas":
            return pa.Table.from_pandas(source, preserve_index=False)
        if module == "polars":
            return source.to_arrow()
        if isinstance(source, Mapping):
            return pa.table(dict(source))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise InputError(
            f"cannot convert the {type(source).__name__} to columns: {exc}; give each column "
            f"a single type (IDs all int or all str, ratings numbers)",
            source=type(source).__name__,
        ) from None
    raise TypeError(
        f"cannot read ratings from {type(source).__name__}; pass a file path, a pandas or "
        f"polars DataFrame, a pyarrow Table or a dict of columns"
    )


def _load_table(table: pa.Table, user, item, rating, timestamp, source: str | None = None):
    name = source or f"{type(table).__name__} input"
    picked = _pick_columns(table, user, item, rating, timestamp, True, name)
    report = ReadReport(source=name, rows_read=table.num_rows)
    report.invalid_rows = []  # type: ignore[attr-defined]
    return picked, report, _Where(name)


def _pick_columns(table, user, item, rating, timestamp, has_header, source) -> _Columns:
    names = table.column_names
    n = len(names)
    if n < 3 and (user is None or item is None or rating is None):
        raise InputError(
            f"{source} has {n} column(s) ({', '.join(names)}); ratings need user, item and "
            f"rating columns; check the separator (--sep)",
            source=source,
        )
    user_pos = _resolve(names, user, USER_NAMES, 0, "user", has_header, source)
    item_pos = _resolve(names, item, ITEM_NAMES, 1, "item", has_header, source)
    rating_pos = _resolve(names, rating, RATING_NAMES, 2, "rating", has_header, source)
    time_pos = None
    explicit_time = timestamp is not None
    if timestamp is not None:
        time_pos = _resolve(names, timestamp, TIME_NAMES, 3, "timestamp", has_header, source)
    elif n >= 4:
        time_pos = _find_name(names, TIME_NAMES)
        if time_pos is None and not has_header:
            time_pos = 3
    used = {user_pos, item_pos, rating_pos}
    if len(used) < 3:
        raise InputError(f"user, item and rating must be three different columns of {source}", source=source)
    return _Columns(
        table.column(user_pos), table.column(item_pos), table.column(rating_pos),
        None if time_pos is None or time_pos in used else table.column(time_pos),
        explicit_time,
    )


def _find_name(names: list[str], aliases: tuple[str, ...]) -> int | None:
    lowered = [n.strip().lower() for n in names]
    for alias in aliases:
        if alias in lowered:
            return lowered.index(alias)
    return None


def _resolve(names, wanted, aliases, default, role, has_header, source) -> int:
    if isinstance(wanted, bool):
        raise TypeError(f"{role} must be a column name or position, got {wanted!r}")
    if isinstance(wanted, (int, np.integer)):
        if not 0 <= wanted < len(names):
            raise InputError(
                f"{role} column position {wanted} is out of range: {source} has "
                f"{len(names)} columns (0 to {len(names) - 1})",
                source=source,
            )
        return int(wanted)
    if wanted is not None:
        if not has_header:
            raise InputError(
                f"{role} column {wanted!r} is given by name but {source} has no header line; "
                f"pass a position ({role}=0, 1, ...) or header=True",
                source=source,
            )
        if wanted in names:
            return names.index(wanted)
        found = _find_name(names, (wanted.strip().lower(),))
        if found is None:
            raise InputError(
                f"{role} column {wanted!r} not found in {source}; its columns are: "
                f"{', '.join(names)}",
                source=source,
            )
        return found
    if has_header:
        found = _find_name(names, aliases)
        if found is not None:
            return found
    return default


def _build(columns: _Columns, report: ReadReport, where: _Where, on_bad_lines, duplicates, scale) -> Ratings:
    problems: list[tuple[int, str]] = []
    # Each input column is released once converted, so a large file is not held twice.
    users = _id_values(columns.user, "user", where, problems)
    columns.user = None
    items = _id_values(columns.item, "item", where, problems)
    columns.item = None
    ratings = _rating_values(columns.rating, scale, problems, where.source)
    columns.rating = None
    stamps = _timestamp_values(columns.timestamp, problems, columns.explicit_time, report)
    invalid_rows = getattr(report, "invalid_rows", [])

    _raise_or_skip(problems, invalid_rows, report, where, on_bad_lines, len(ratings))
    keep = np.ones(len(ratings), dtype=bool)
    if problems:
        keep[[row for row, _ in problems]] = False
    report.skipped = len(invalid_rows) + int((~keep).sum())
    if not keep.any():
        raise InputError(_no_ratings_message(report), source=report.source)

    if keep.all():
        # Nothing was dropped: skip the row copies, which double the memory of large inputs.
        user_map, user_index = _encode_ids(_canonical(users))
        item_map, item_index = _encode_ids(_canonical(items))
        rating, stamp, kept_rows = ratings, stamps, None
    else:
        keep_rows = pa.array(np.flatnonzero(keep))
        user_map, user_index = _encode_ids(_canonical(users.take(keep_rows)))
        item_map, item_index = _encode_ids(_canonical(items.take(keep_rows)))
        rating = ratings[keep]
        stamp = None if stamps is None else stamps[keep]
        kept_rows = np.flatnonzero(keep)
    user_index, item_index, rating, stamp = _merge_duplicates(
        user_index, item_index, rating, stamp, len(item_map), duplicates, report, where, kept_rows
    )
    report.kept = len(rating)
    rating_scale, inferred = _final_scale(scale, rating, report)
    return Ratings(
        user_index, item_index, rating, user_map, item_map, timestamp=stamp,
        rating_scale=rating_scale, scale_inferred=inferred, report=report,
    )


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


def _raise_or_skip(problems, invalid_rows, report, where: _Where, on_bad_lines, n_rows) -> None:
    if not problems and not invalid_rows:
        return
    problems.sort()
    entries = _field_count_entries(invalid_rows, report, where)
    entries += [(where.number(row), reason) for row, reason in problems[: 4 * _MAX_REPORTED]]
    entries.sort(key=lambda entry: entry[0])
    total = len(invalid_rows) + len({row for row, _ in problems})
    shown = "; ".join(f"{_unit(where)} {n}: {why}" for n, why in entries[:_MAX_REPORTED])
    if on_bad_lines == "skip":
        report.skipped_lines = [line for line, _ in entries[:_MAX_REPORTED]]
        warnings.warn(f"skipped {total} bad line(s) of {where.source}: {shown}", DataWarning, stacklevel=4)
        return
    first_line = entries[0][0]
    preview = ""
    if where.locator is not None:
        preview = f" (line {first_line} reads {where.locator.line_text(first_line)[:80]!r})"
    raise InputError(
        f"{total} bad line(s) in {where.source}: {shown}{preview}; fix the data, or pass "
        f"on_bad_lines='skip' (CLI: --on-bad-lines skip) to drop and count them",
        source=where.source,
        line=first_line,
    )


def _field_count_entries(invalid_rows: list[str], report: ReadReport, where: _Where) -> list[tuple[int, str]]:
    """Return (line, reason) for rows whose number of fields differs from the usual one."""
    locator = where.locator
    if not invalid_rows or locator is None:
        return []
    found = locator.invalid_rows()[: len(invalid_rows)]
    # NOTE: the rescan finds every malformed row unless the csv module splits the file
    # differently from pyarrow. Rows it misses get the line of the last one found.
    last = found[-1][0] if found else 1
    found += [(last, None)] * (len(invalid_rows) - len(found))
    expected = getattr(report, "n_columns", None)
    entries = []
    for line, got in found[: 4 * _MAX_REPORTED]:
        shown = locator.line_text(line)[:80]
        entries.append((line, f"expected {expected} fields, got {got}: {shown!r}"))
    return entries


def _unit(where: _Where) -> str:
    return "line" if where.locator else "row"


def _merge_duplicates(user_index, item_index, rating, stamp, n_items, policy, report, where, kept_rows):
    from .._kernels.duplicates import has_duplicate_pairs

    report.duplicates = policy
    # A linear-time check first: the sort below needs three 8-byte arrays per rating.
    n_users = int(user_index.max()) + 1 if len(user_index) else 0
    if not has_duplicate_pairs(user_index, item_index, n_users, n_items):
        report.duplicates_merged = 0
        return user_index, item_index, rating, stamp
    if kept_rows is None:
        kept_rows = np.arange(len(user_index))
    key = user_index.astype(np.int64) * n_items + item_index
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts_group = np.empty(len(key), dtype=bool)
    starts_group[:1] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=starts_group[1:])
    is_repeat = ~starts_group
    merged = int(is_repeat.sum())
    report.duplicates = policy
    report.duplicates_merged = merged
    if merged == 0:
        return user_index, item_index, rating, stamp
    if policy == "error":
        second = order[np.flatnonzero(is_repeat)[0]]
        first = order[np.flatnonzero(is_repeat)[0] - 1]
        raise InputError(
            f"{merged} duplicate (user, item) rating(s) in {where.source}: {where.label(int(kept_rows[first]))} "
            f"and {where.label(int(kept_rows[second]))} rate the same pair; pass duplicates='last' or "
            f"'mean' (CLI: --duplicates) to merge them",
            source=where.source,
            line=where.number(int(kept_rows[second])),
        )
    group_start = np.flatnonzero(~is_repeat)
    group_end = np.append(group_start[1:], len(key)) - 1
    survivors = np.sort(order[group_end])  # last occurrence of each pair, input order kept
    if policy == "mean":
        sums = np.add.reduceat(rating[order].astype(np.float64), group_start)
        counts = np.diff(np.append(group_start, len(key)))
        means = np.empty(len(key), dtype=np.float64)
        means[order[group_end]] = sums / counts
        rating = means
    warnings.warn(
        f"{merged} duplicate (user, item) rating(s) in {where.source} merged by "
        f"duplicates={policy!r}",
        DataWarning,
        stacklevel=4,
    )
    new_stamp = None if stamp is None else stamp[survivors]
    return user_index[survivors], item_index[survivors], rating[survivors], new_stamp


def _final_scale(scale, rating, report):
    if scale is not None:
        return scale, False
    low, high = float(rating.min()), float(rating.max())
    if low == high:
        warnings.warn(
            f"every rating in {report.source} equals {low:g}, so no rating scale can be "
            f"inferred; predictions are not clipped. Pass rating_scale=(low, high) to declare it",
            DataWarning,
            stacklevel=4,
        )
        return None, True
    return (low, high), True


def _no_ratings_message(report: ReadReport) -> str:
    if report.rows_read == 0:
        return f"no ratings found in {report.source}: it has no data rows"
    return (
        f"no ratings found in {report.source}: all {report.rows_read} rows were bad and "
        f"skipped; check the separator, the columns and the rating scale"
    )
