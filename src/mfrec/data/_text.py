"""Delimited-text input: separator and header detection, parsing, line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pa_csv

from ..exceptions import InputError

SNIFF_BYTES = 1 << 16
SNIFF_LINES = 50
_CANDIDATE_SEPARATORS = ("::", "\t", ",", ";", "|")
WHITESPACE = "whitespace"
_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_UNIT_SEPARATOR = "\x1f"


@dataclass
class ParsedText:
    """Every column of a text file as strings, with what is needed to name lines later."""

    table: pa.Table
    names: list[str]
    separator: str
    header: bool
    invalid_rows: list[str] = field(default_factory=list)
    locator: LineLocator | None = None


def read_text(path: str, *, sep: str | None, header: bool | str, encoding: str) -> ParsedText:
    """Parse a delimited text file into a table of string columns."""
    head_lines = _head_lines(path, encoding)
    if not head_lines:
        raise InputError(f"no ratings found in {path}: the file is empty", source=path)
    separator = sep if sep is not None else detect_separator(head_lines, path)
    first = split_line(head_lines[0], separator)
    second = split_line(head_lines[1], separator) if len(head_lines) > 1 else None
    has_header = detect_header(first, second) if header == "auto" else bool(header)
    if has_header and len(head_lines) == 1:
        raise InputError(
            f"no ratings found in {path}: the file holds only the header line {head_lines[0]!r}",
            source=path,
            line=1,
        )
    names = [_clean_name(n) for n in first] if has_header else [f"column {k}" for k in range(len(first))]
    n_columns = len(second) if has_header and second is not None else len(first)
    table, invalid = _parse(path, separator, has_header, encoding, n_columns)
    locator = LineLocator(path, separator, has_header, encoding, invalid)
    return ParsedText(table, names, separator, has_header, invalid, locator)


def _head_lines(path: str, encoding: str) -> list[str]:
    with open(path, "rb") as handle:
        raw = handle.read(SNIFF_BYTES)
        complete = len(raw) < SNIFF_BYTES or not handle.read(1)
    if not complete:
        cut = raw.rfind(b"\n")
        raw = raw[: cut + 1] if cut > 0 else raw
    text = decode_or_raise(raw, encoding, path)
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[:SNIFF_LINES]


def decode_or_raise(raw: bytes, encoding: str, path: str) -> str:
    """Decode bytes strictly; a failure names the line and suggests an encoding."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"cannot decode {path} as {encoding}: invalid byte 0x{raw[exc.start]:02x} on "
            f"line {line} (byte offset {exc.start}); pass the file's encoding, for example "
            f"encoding='latin-1' (CLI: --encoding latin-1)",
            source=path,
            line=line,
        ) from None


def detect_separator(lines: list[str], path: str) -> str:
    """Return the separator that splits every sampled line into the same number (>= 3) of fields."""
    for candidate in _CANDIDATE_SEPARATORS:
        counts = {len(split_line(line, candidate)) for line in lines}
        if len(counts) == 1 and min(counts) >= 3:
            return candidate
    for candidate in _CANDIDATE_SEPARATORS:
        counts = [len(split_line(line, candidate)) for line in lines]
        if min(counts) >= 3:
            return candidate  # consistent enough: the odd lines are reported as bad
    if all(len(line.split()) >= 3 for line in lines):
        return WHITESPACE
    raise InputError(
        f"cannot detect the separator of {path}: line 1 is {lines[0][:80]!r}; expected at "
        f"least 3 fields (user, item, rating) separated by ',', tab, ';', '|', '::' or "
        f"spaces; pass sep= (CLI: --sep)",
        source=path,
        line=1,
    )


def split_line(line: str, separator: str) -> list[str]:
    """Split one line the way the parser will, honouring double quotes for one-character separators."""
    if separator == WHITESPACE:
        return line.split()
    if len(separator) == 1:
        return next(csv.reader([line], delimiter=separator))
    return line.split(separator)


def detect_header(first: list[str], second: list[str] | None) -> bool:
    """Return True when the first line looks like column names rather than a rating."""
    rating_field = first[2] if len(first) > 2 else first[-1]
    if _NUMBER.match(rating_field):
        return False
    if second is None:
        return True
    second_rating = second[2] if len(second) > 2 else second[-1]
    # A non-number over a number is a header; two non-numbers are bad data, reported later.
    return bool(_NUMBER.match(second_rating)) or not any(_NUMBER.match(f) for f in first)


def _clean_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip('"')


def _parse(
    path: str, separator: str, has_header: bool, encoding: str, n_columns: int
) -> tuple[pa.Table, list[str]]:
    invalid: list[str] = []

    def on_invalid(row) -> str:
        invalid.append(row.text)
        return "skip"

    delimiter, source = _arrow_source(path, separator, encoding)
    read_options = pa_csv.ReadOptions(
        skip_rows=1 if has_header else 0,
        autogenerate_column_names=True,
        encoding="utf8" if delimiter != separator or _is_utf8(encoding) else encoding,
        block_size=1 << 24,
    )
    parse_options = pa_csv.ParseOptions(
        delimiter=delimiter, quote_char='"' if delimiter in ",;|" else False, invalid_row_handler=on_invalid
    )
    convert_options = pa_csv.ConvertOptions(
        # Every column as string, so IDs never pass through a number type.
        column_types={f"f{k}": pa.string() for k in range(n_columns)},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pa_csv.read_csv(source, read_options, parse_options, convert_options)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            with open(path, "rb") as handle:
                decode_or_raise(handle.read(), encoding, path)
        raise InputError(f"cannot parse {path}: {exc}; check the separator (--sep) and quoting", source=path) from None
    return table, invalid


def _arrow_source(path: str, separator: str, encoding: str):
    """Return the one-character delimiter and a readable source for pyarrow."""
    if len(separator) == 1 and separator != WHITESPACE:
        return separator, path
    with open(path, "rb") as handle:
        raw = handle.read()
    text = decode_or_raise(raw, encoding, path)
    if separator == WHITESPACE:
        text = re.sub(r"(?m)^[ \t]+", "", text)
        text = re.sub(r"[ \t]+", _UNIT_SEPARATOR, text)
    else:
        text = text.replace(separator, _UNIT_SEPARATOR)
    return _UNIT_SEPARATOR, io.BytesIO(text.encode("utf-8"))


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


class LineLocator:
    """Find the physical line number of parsed rows; used only when reporting problems.

    The parser drops the header, empty lines and malformed rows, so row ``k`` of the
    table is not line ``k + 1``. This rescans the file once, in Python, on demand.
    Lines of a quoted field that spans several lines are counted as one row.
    """

    def __init__(self, path: str, separator: str, header: bool, encoding: str, invalid: list[str]):
        self.path = path
        self.separator = separator
        self.header = header
        self.encoding = encoding
        self.invalid = invalid
        self._row_lines: list[int] | None = None
        self._invalid_lines: list[int] | None = None

    def line_of_row(self, row: int) -> int:
        """Return the 1-based line number of table row ``row``."""
        self._scan()
        return self._row_lines[row]

    def invalid_lines(self) -> list[int]:
        """Return the 1-based line numbers of the malformed rows, in file order."""
        self._scan()
        return self._invalid_lines

    def line_text(self, line: int) -> str:
        """Return the text of one line, without its line ending."""
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == line:
                    return raw.decode(self.encoding if not _is_utf8(self.encoding) else "utf-8-sig", errors="replace").rstrip("\r\n")
        return ""

    def _scan(self) -> None:
        if self._row_lines is not None:
            return
        with open(self.path, "rb") as handle:
            text = decode_or_raise(handle.read(), self.encoding, self.path)
        pending = list(self.invalid)
        rows: list[int] = []
        invalid_lines: list[int] = []
        started = not self.header
        for number, line in enumerate(text.split("\n"), start=1):
            line = line.rstrip("\r")
            if not started:
                started = bool(line)
                continue
            if not line:
                continue
            if pending and _normalise(line, self.separator) == pending[0]:
                pending.pop(0)
                invalid_lines.append(number)
                continue
            rows.append(number)
        self._row_lines = rows
        self._invalid_lines = invalid_lines


def _normalise(line: str, separator: str) -> str:
    if separator == WHITESPACE:
        return re.sub(r"[ \t]+", _UNIT_SEPARATOR, line.lstrip(" \t"))
    if len(separator) > 1:
        return line.replace(separator, _UNIT_SEPARATOR)
    return line


def is_parquet(path: str) -> bool:
    """Return True for a Parquet file, judged by its magic bytes or its suffix."""
    if os.path.splitext(path)[1].lower() in (".parquet", ".pq"):
        return True
    with open(path, "rb") as handle:
        return handle.read(4) == b"PAR1"
