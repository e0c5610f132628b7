"""Delimited-text input: separator and header detection, parsing, line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pa_csv

from ..exceptions import InputError

SNIFF_BYTES = 1 << 16
SNIFF_LINES = 50
_CANDIDATE_SEPARATORS = ("::", "\t", ",", ";", "|")
_QUOTED_SEPARATORS = (",", ";", "|")
WHITESPACE = "whitespace"
# ASCII digits only, the same rule as the RE2 engine that checks the ratings column.
_NUMBER = re.compile(r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$")
# Control characters that stand in for a multi-character or whitespace separator.
_STAND_INS = ("\x1f", "\x1e", "\x1d", "\x1c", "\x01", "\x02")
# Line breaks as pyarrow and the csv module see them. str.splitlines would also split
# on U+0085 and U+2028, which are ordinary characters inside a field.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Field breaks of sep="whitespace": runs of spaces and tabs, not other Unicode spaces.
_BLANKS = re.compile(r"[ \t]+")


@dataclass
class ParsedText:
    """Every column of a text file as strings, with what is needed to name lines later."""

    table: pa.Table
    names: list[str]
    separator: str
    header: bool
    n_columns: int
    invalid_rows: list[str] = field(default_factory=list)
    locator: LineLocator | None = None


def check_encoding(encoding: str) -> None:
    """Raise ValueError for an encoding name that Python does not know."""
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ValueError(
            f"encoding {encoding!r} is not a known text encoding; use a name such as "
            f"'utf-8', 'latin-1' or 'cp1252'"
        ) from None


def read_text(
    path: str, *, sep: str | None, header: bool | str, encoding: str, rating_field: int | None = None
) -> ParsedText:
    """Parse a delimited text file into a table of string columns."""
    head = _head_lines(path, encoding)
    if not head:
        raise InputError(f"no ratings found in {path}: the file is empty", source=path)
    lines = [text for _, text in head]
    separator = sep if sep is not None else detect_separator(lines, path)
    records = head_records(lines, separator)
    first = records[0]
    second = records[1] if len(records) > 1 else None
    if header == "auto":
        usual = _usual_field_count(records[1:] or records, prefer=len(first))
        # A header names every column: a first line with another field count is data.
        has_header = len(first) == usual and detect_header(first, second, rating_field)
    else:
        has_header = bool(header)
    if has_header and len(records) == 1:
        raise InputError(
            f"no ratings found in {path}: the file contains only the header line {lines[0]!r}",
            source=path,
            line=head[0][0],
        )
    n_columns = _usual_field_count(records[1:] if has_header else records, prefer=len(first))
    names = [_clean_name(n) for n in first] if has_header else []
    names = (names + [f"column {k}" for k in range(len(names), n_columns)])[:n_columns]
    skip = head[0][0] if has_header else 0
    source, delimiter = _arrow_source(path, separator, encoding)
    table, invalid = _parse(path, source, delimiter, skip, n_columns)
    locator = LineLocator(path, source, delimiter, skip, n_columns, encoding)
    return ParsedText(table, names, separator, has_header, n_columns, invalid, locator)


def _head_lines(path: str, encoding: str) -> list[tuple[int, str]]:
    """Return up to SNIFF_LINES non-blank (line number, text) pairs from the start of the file."""
    with open(path, "rb") as handle:
        raw = handle.read(SNIFF_BYTES)
        complete = len(raw) < SNIFF_BYTES or not handle.read(1)
    if not complete:
        cut = raw.rfind(b"\n")
        raw = raw[: cut + 1] if cut > 0 else raw
    text = decode_or_raise(raw, encoding, path, final=complete)
    numbered = enumerate(_LINE_BREAK.split(text), start=1)
    return [(number, line) for number, line in numbered if line.strip()][:SNIFF_LINES]


def _codec(encoding: str) -> str:
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def decode_or_raise(raw: bytes, encoding: str, path: str, *, final: bool = True) -> str:
    """Decode bytes strictly; a failure names the line and suggests an encoding.

    With ``final=False`` an incomplete character at the end of ``raw`` is left out
    instead of being reported, for reading the start of a longer file.
    """
    decoder = codecs.getincrementaldecoder(_codec(encoding))(errors="strict")
    try:
        return decoder.decode(raw, final=final)
    except UnicodeDecodeError as exc:
        start = exc.start + (len(raw) - len(exc.object))
        line = raw.count(b"\n", 0, start) + 1
        raise InputError(
            f"cannot decode {path} as {encoding}: invalid byte 0x{raw[start]:02x} on "
            f"line {line} (byte offset {start}); pass the file's encoding, for example "
            f"encoding='latin-1' (CLI: --encoding latin-1)",
            source=path,
            line=line,
        ) from None
    except UnicodeError as exc:
        # Raised without a position, for example by UTF-16 when the BOM is missing.
        raise InputError(
            f"cannot decode {path} as {encoding}: {exc}; pass the file's encoding, for "
            f"example encoding='utf-16-le' (CLI: --encoding utf-16-le)",
            source=path,
            line=1,
        ) from None


def detect_separator(lines: list[str], path: str) -> str:
    """Return the separator that splits the most sampled lines into the same number (>= 3) of fields.

    Candidates are ``::``, tab, ``,``, ``;`` and ``|``, earlier ones winning ties; the
    odd lines are reported as bad lines later. Runs of spaces are the last resort.
    """
    best, best_seen = None, 0
    for candidate in _CANDIDATE_SEPARATORS:
        counts = Counter(len(split_line(line, candidate)) for line in lines)
        usual, seen = counts.most_common(1)[0]
        if usual >= 3 and seen > best_seen:
            best, best_seen = candidate, seen
    if best is not None:
        return best
    counts = Counter(len(split_line(line, WHITESPACE)) for line in lines)
    usual, seen = counts.most_common(1)[0]
    if usual >= 3:
        return WHITESPACE
    raise InputError(
        f"cannot detect the separator of {path}: line 1 is {lines[0][:80]!r}; expected at "
        f"least 3 fields (user, item, rating) separated by ',', tab, ';', '|', '::' or "
        f"spaces; pass sep= (CLI: --sep)",
        source=path,
        line=1,
    )


def _usual_field_count(records: list[list[str]], prefer: int | None = None) -> int:
    """Return the most common number of fields; ties go to ``prefer``, else to the count seen first."""
    counts = Counter(len(record) for record in records)
    top = max(counts.values())
    if prefer is not None and counts.get(prefer) == top:
        return prefer
    return max(counts, key=counts.__getitem__)


def head_records(lines: list[str], separator: str) -> list[list[str]]:
    """Split sampled lines into records, letting a quoted line break join two lines.

    An unclosed quote would swallow the rest of the sample into one record, so the
    records are used only when at least as many of them as of the plain lines agree
    on a field count of 3 or more.
    """
    by_line = [split_line(line, separator) for line in lines]
    if separator not in _QUOTED_SEPARATORS:
        return by_line
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=separator, strict=False)
    try:
        by_record = [record for record in reader if record]
    except csv.Error:
        return by_line
    return by_record if _support(by_record) >= _support(by_line) else by_line


def _support(records: list[list[str]]) -> int:
    """Return how many records have the most common field count, or 0 when it is below 3."""
    if not records:
        return 0
    usual = _usual_field_count(records)
    return sum(len(record) == usual for record in records) if usual >= 3 else 0


def split_line(line: str, separator: str) -> list[str]:
    """Split one line the way the parser will, honouring double quotes for ``,``, ``;`` and ``|``."""
    if separator == WHITESPACE:
        return _BLANKS.split(line.strip(" \t")) if line.strip(" \t") else [""]
    if separator in _QUOTED_SEPARATORS:
        return next(csv.reader([line], delimiter=separator, strict=False), [""])
    if len(separator) == 1:
        return next(csv.reader([line], delimiter=separator, quoting=csv.QUOTE_NONE), [""])
    return line.split(separator)


def detect_header(first: list[str], second: list[str] | None, rating_field: int | None = None) -> bool:
    """Return True when the first line looks like column names rather than a rating.

    The first line is a header when its rating field is not a number and either the
    second line's rating field is a number or no field of the first line is a number.
    """
    position = rating_field if rating_field is not None else 2
    rating = first[position] if len(first) > position else first[-1]
    if _NUMBER.match(rating):
        return False
    if second is None:
        return True
    second_rating = second[position] if len(second) > position else second[-1]
    # A non-number over a number is a header; two non-numbers are bad data, reported later.
    return bool(_NUMBER.match(second_rating)) or not any(_NUMBER.match(f) for f in first)


def _clean_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip('"')


def _parse(path: str, source, delimiter: str, skip: int, n_columns: int) -> tuple[pa.Table, list[str]]:
    invalid: list[str] = []

    def on_invalid(row) -> str:
        invalid.append(row.text)
        return "skip"

    read_options = pa_csv.ReadOptions(
        skip_rows=skip,
        # Fixed names fix the number of fields, so a bad first line cannot set it.
        column_names=[f"f{k}" for k in range(n_columns)],
        encoding="utf8",
        block_size=1 << 24,
        use_threads=True,
    )
    parse_options = pa_csv.ParseOptions(
        delimiter=delimiter,
        quote_char='"' if delimiter in _QUOTED_SEPARATORS else False,
        invalid_row_handler=on_invalid,
    )
    convert_options = pa_csv.ConvertOptions(
        # Every column as string, so IDs never pass through a number type.
        column_types={f"f{k}": pa.string() for k in range(n_columns)},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pa_csv.read_csv(_reopen(source), read_options, parse_options, convert_options)
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower():
            with open(path, "rb") as handle:
                decode_or_raise(handle.read(), "utf-8", path)
        raise InputError(
            f"cannot parse {path}: {exc}; check the separator (--sep) and quoting",
            source=path,
            line=skip + 1,
        ) from None
    return table, invalid


def _reopen(source):
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source


def _arrow_source(path: str, separator: str, encoding: str) -> tuple[str | bytes, str]:
    """Return what pyarrow reads (the path, or UTF-8 bytes) and its one-character delimiter.

    UTF-8 files with a one-character separator are read by pyarrow directly. Other
    encodings are decoded here, strictly, and multi-character or whitespace separators
    are replaced by a control character that does not occur in the file.
    """
    direct = len(separator) == 1 and separator != WHITESPACE
    if direct and codecs.lookup(encoding).name == "utf-8":
        return path, separator
    with open(path, "rb") as handle:
        text = decode_or_raise(handle.read(), encoding, path)
    if direct:
        return text.encode("utf-8"), separator
    stand_in = next((c for c in _STAND_INS if c not in text), None)
    if stand_in is None:
        raise InputError(
            f"cannot read {path} with separator {separator!r}: the file contains every "
            f"control character used in its place",
            source=path,
        )
    if separator == WHITESPACE:
        text = re.sub(r"(?m)^[ \t]+", "", text)
        text = re.sub(r"(?m)[ \t]+(?=\r?$)", "", text)
        text = re.sub(r"[ \t]+", stand_in, text)
    else:
        text = text.replace(separator, stand_in)
    return text.encode("utf-8"), stand_in


class LineLocator:
    """Find the physical line numbers of parsed rows; used only when reporting problems.

    The parser drops the header, empty lines and malformed rows, so row ``k`` of the
    table is not line ``k + 1``. This rescans the text once, in Python, on demand, with
    the csv module set up like the parser: a row whose quoted field spans several lines
    is numbered by the line it starts on.
    """

    def __init__(self, path: str, source, delimiter: str, skip: int, n_columns: int, encoding: str):
        self.path = path
        self._source = source
        self._delimiter = delimiter
        self._skip = skip
        self._n_columns = n_columns
        self.encoding = encoding
        self._row_lines: list[int] | None = None
        self._invalid: list[tuple[int, int]] = []
        self._lines: list[str] | None = None

    def line_of_row(self, row: int) -> int:
        """Return the 1-based line number of table row ``row``."""
        self._scan()
        if row < len(self._row_lines):
            return self._row_lines[row]
        # NOTE: reached only if the csv module and pyarrow split the file differently.
        return row + 1 + self._skip

    def invalid_rows(self) -> list[tuple[int, int]]:
        """Return (line number, number of fields) of each malformed row, in file order."""
        self._scan()
        return self._invalid

    def line_text(self, line: int) -> str:
        """Return the text of one physical line, without its line ending."""
        if self._lines is None:
            with open(self.path, "rb") as handle:
                self._lines = _LINE_BREAK.split(decode_or_raise(handle.read(), self.encoding, self.path))
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def _scan(self) -> None:
        if self._row_lines is not None:
            return
        if isinstance(self._source, bytes):
            text = self._source.decode("utf-8")
        else:
            with open(self.path, "rb") as handle:
                text = decode_or_raise(handle.read(), self.encoding, self.path)
        if self._delimiter in _QUOTED_SEPARATORS:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=self._delimiter, strict=False)
        else:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=self._delimiter, quoting=csv.QUOTE_NONE)
        rows: list[int] = []
        start = 1
        try:
            for record in reader:
                if start > self._skip and record:
                    if len(record) == self._n_columns:
                        rows.append(start)
                    else:
                        self._invalid.append((start, len(record)))
                start = reader.line_num + 1
        except csv.Error:
            self._invalid.append((start, 1))
        self._row_lines = rows


def is_parquet(path: str) -> bool:
    """Return True for a Parquet file, judged by its magic bytes or its suffix."""
    if os.path.splitext(path)[1].lower() in (".parquet", ".pq"):
        return True
    with open(path, "rb") as handle:
        return handle.read(4) == b"PAR1"
