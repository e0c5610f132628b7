"""``read_ratings``: files and data frames in, a validated :class:`Ratings` out."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..exceptions import DataWarning, InputError
from . import _text
from .ratings import Ratings, ReadReport
from ._columns import _id_values, _encode_ids, _canonical, _rating_values, _timestamp_values
from ._duplicates import _merge_duplicates

__all__ = ["read_ratings"]

USER_NAMES = ("user", "user_id", "userid", "uid", "user id", "users", "customer_id", "reviewer_id", "reviewerid", "visitor_id")
ITEM_NAMES = ("item", "item_id", "itemid", "iid", "item id", "items", "movie", "movie_id", "movieid", "product", "product_id", "productid", "asin", "book", "isbn", "film", "drama")
RATING_NAMES = ("rating", "ratings", "score", "stars", "value", "rate", "book-rating", "book_rating", "overall")
TIME_NAMES = ("timestamp", "time", "ts", "date", "datetime", "unixreviewtime", "unix_time")
_MAX_REPORTED = 5


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
        ``ratings.report`` contains the row accounting:
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
        picked = f"user={names[user_pos]!r}, item={names[item_pos]!r}, rating={names[rating_pos]!r}"
        raise InputError(
            f"user, item and rating must be three different columns of {source}, got "
            f"{picked} from its columns {', '.join(names)}; name them with user=, item= and "
            f"rating= (CLI: --user-column, --item-column, --rating-column)",
            source=source,
        )
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
