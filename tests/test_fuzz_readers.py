"""Property tests of read_ratings on generated and mutated files.

Every input either loads, with row accounting that adds up
(``rows_read == kept + skipped + duplicates_merged``), or raises InputError with a
line number. No other exception type escapes, and IDs come back string-exact.
The seed is fixed (``derandomize=True``) and the number of examples bounded, so a run
takes a few seconds and fails the same way every time.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mfrec import DataWarning, InputError, read_ratings  # noqa: E402

FUZZ = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SEPARATORS = [",", "\t", ";", "|", "::", " "]
ENCODINGS = ["utf-8", "latin-1", "utf-16", "cp1252"]
# ID characters: no separator, quote, line break or blank, so every ID survives every format.
ID_CHARS = "abcxyzAZ019_-.é" + "ß" + "日🙂"
RATINGS = ["1", "2", "3", "4", "5", "0.5", "-1", "-10", "10", "3.25", "1e2", "+4", ".5", "4."]
BAD_RATINGS = ["", "x", "nan", "inf", "-inf", "1e999", "4,5", "five", "1e400"]


def integer_ids():
    return st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from([2**32 + 1, 2**31, 2**53, 2**53 + 1, 1205640308657491975, 2**64, 2**70]),
    ).map(str)


def text_ids():
    return st.text(alphabet=ID_CHARS, min_size=1, max_size=6)


@st.composite
def rating_files(draw):
    """Draw rows and a way of writing them: separator, encoding, header, BOM, line ends."""
    ids = draw(st.sampled_from([integer_ids(), text_ids(), st.one_of(integer_ids(), text_ids())]))
    n = draw(st.integers(1, 12))
    rows = [(draw(ids), draw(ids), draw(st.sampled_from(RATINGS))) for _ in range(n)]
    encoding = draw(st.sampled_from(ENCODINGS))
    if encoding in ("latin-1", "cp1252"):
        rows = [tuple(_latin(f) for f in row) for row in rows]
    return {
        "rows": rows,
        "sep": draw(st.sampled_from(SEPARATORS)),
        "encoding": encoding,
        "header": draw(st.booleans()),
        "bom": encoding == "utf-8" and draw(st.booleans()),
        "eol": draw(st.sampled_from(["\n", "\r\n"])),
        "final_eol": draw(st.booleans()),
        "quote": draw(st.booleans()),
        "blank_lines": draw(st.booleans()),
    }


def _latin(field: str) -> str:
    kept = "".join(c for c in field if ord(c) < 256)
    return kept or "x"


def render(spec: dict) -> bytes:
    sep = spec["sep"]
    joiner = "  " if sep == " " else sep
    lines = []
    if spec["header"]:
        lines.append(joiner.join(["user", "item", "rating"]))
    for user, item, rating in spec["rows"]:
        if spec["quote"] and sep in ",;|":
            user, item = f'"{user}"', f'"{item}"'
        lines.append(joiner.join([user, item, rating]))
        if spec["blank_lines"]:
            lines.append("")
    text = spec["eol"].join(lines) + (spec["eol"] if spec["final_eol"] else "")
    if spec["bom"]:
        text = "\ufeff" + text
    return text.encode(spec["encoding"])


def read_quietly(path: Path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return read_ratings(path, **options)


def assert_accounting(ratings) -> None:
    report = ratings.report
    assert report.rows_read == report.kept + report.skipped + report.duplicates_merged
    assert report.kept == len(ratings)
    assert len(ratings) > 0
    assert np.isfinite(ratings.rating).all()


def assert_input_error(error: InputError) -> None:
    message = str(error)
    if message.startswith("no ratings found") or "as Parquet" in message:
        return  # an empty input or a Parquet file has no line to name
    assert isinstance(error.line, int), message
    assert error.line >= 0


def expected_pairs(rows) -> dict:
    pairs = {}
    for user, item, rating in rows:
        pairs[(user, item)] = np.float32(float(rating))
    return pairs


@FUZZ
@given(spec=rating_files())
def test_generated_files_load_exactly(tmp_path_factory, spec):
    path = tmp_path_factory.mktemp("fuzz") / "ratings.txt"
    path.write_bytes(render(spec))
    ratings = read_quietly(path, encoding=spec["encoding"])
    assert_accounting(ratings)
    assert ratings.report.skipped == 0
    assert ratings.report.header == spec["header"]
    users = [str(u) for u in ratings.users.to_list()]
    items = [str(i) for i in ratings.items.to_list()]
    assert users == list(dict.fromkeys(row[0] for row in spec["rows"]))
    assert items == list(dict.fromkeys(row[1] for row in spec["rows"]))
    got = {
        (users[u], items[i]): r
        for u, i, r in zip(ratings.user_index.tolist(), ratings.item_index.tolist(), ratings.rating.tolist())
    }
    assert got == expected_pairs(spec["rows"])


@FUZZ
@given(spec=rating_files(), bad=st.sampled_from(BAD_RATINGS), where=st.integers(0, 12))
def test_one_bad_rating_named_by_line(tmp_path_factory, spec, bad, where):
    spec = dict(spec, blank_lines=False, quote=False)
    rows = list(spec["rows"])
    position = min(where, len(rows))
    if position == 0 and not spec["header"]:
        position = 1  # a bad first line would be taken for a header
    rows.insert(position, ("bad", "row", bad))
    spec["rows"] = rows
    path = tmp_path_factory.mktemp("fuzz") / "ratings.txt"
    path.write_bytes(render(spec))
    expected_line = position + 1 + int(spec["header"])
    with pytest.raises(InputError) as caught:
        read_quietly(path, encoding=spec["encoding"])
    assert caught.value.line == expected_line, str(caught.value)
    assert f"line {expected_line}" in str(caught.value)

    skipped = read_quietly(path, encoding=spec["encoding"], on_bad_lines="skip")
    assert_accounting(skipped)
    assert skipped.report.skipped == 1
    assert skipped.report.skipped_lines == [expected_line]


@st.composite
def mutations(draw):
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate"]),
                st.integers(0, 10_000),
                st.sampled_from(
                    [b",", b"\t", b"::", b"\n", b"\r", b"\r\n", b'"', b" ", b"\xff", b"\xe9", b"\x00",
                     b"\xef\xbb\xbf", b"nan", b"-", b"99999999999999999999", b"1e999", b"\x1f", b"\xc3"]
                ),
            ),
            min_size=1,
            max_size=6,
        )
    )


def mutate(data: bytes, steps) -> bytes:
    for kind, position, chunk in steps:
        at = position % (len(data) + 1)
        if kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + len(chunk):]
        elif kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk):]
        elif kind == "truncate":
            data = data[:at]
        else:
            data = data[:at] + data[at:] + data[at:]
    return data


@FUZZ
@given(
    spec=rating_files(),
    steps=mutations(),
    on_bad_lines=st.sampled_from(["error", "skip"]),
    duplicates=st.sampled_from(["last", "mean", "error"]),
    encoding=st.sampled_from(ENCODINGS + [None]),
)
def test_mutated_files_load_or_raise_input_error(tmp_path_factory, spec, steps, on_bad_lines, duplicates, encoding):
    path = tmp_path_factory.mktemp("fuzz") / "ratings.txt"
    path.write_bytes(mutate(render(spec), steps))
    options = {"on_bad_lines": on_bad_lines, "duplicates": duplicates, "encoding": encoding or spec["encoding"]}
    try:
        ratings = read_quietly(path, **options)
    except InputError as error:
        assert_input_error(error)
    else:
        assert_accounting(ratings)


@FUZZ
@given(spec=rating_files(), steps=mutations())
def test_mutated_parquet_loads_or_raises_input_error(tmp_path_factory, spec, steps):
    rows = spec["rows"]
    table = pa.table({"user": [r[0] for r in rows], "item": [r[1] for r in rows], "rating": [float(r[2]) for r in rows]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    path = tmp_path_factory.mktemp("fuzz") / "ratings.parquet"
    path.write_bytes(mutate(buffer.getvalue(), steps))
    try:
        ratings = read_quietly(path)
    except InputError as error:
        assert_input_error(error)
    else:
        assert_accounting(ratings)


@FUZZ
@given(
    users=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=20),
    ratings=st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=20, max_size=20),
)
def test_tables_with_int64_ids_and_any_floats(users, ratings):
    n = len(users)
    table = pa.table(
        {"user": pa.array(users, pa.int64()), "item": pa.array(range(n), pa.int64()), "rating": pa.array(ratings[:n], pa.float64())}
    )
    try:
        loaded = read_quietly(table, on_bad_lines="skip")
    except InputError as error:
        assert str(error).startswith("no ratings found")
        return
    assert_accounting(loaded)
    kept = [u for u, r in zip(users, ratings) if np.isfinite(r) and abs(r) <= float(np.finfo(np.float32).max)]
    assert loaded.users.to_list() == list(dict.fromkeys(kept))


QUOTED_ID = st.text(alphabet='ab,;|" \n\t:é', min_size=1, max_size=6).map(lambda s: f"x{s}x")


@FUZZ
@given(
    rows=st.lists(st.tuples(QUOTED_ID, QUOTED_ID, st.sampled_from(RATINGS)), min_size=1, max_size=8),
    sep=st.sampled_from([",", ";", "|"]),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    header=st.booleans(),
)
def test_quoted_ids_with_separators_and_line_breaks(tmp_path_factory, rows, sep, eol, header):
    def quote(field: str) -> str:
        return '"' + field.replace('"', '""') + '"'

    lines = [sep.join(["user", "item", "rating"])] if header else []
    lines += [sep.join([quote(user), quote(item), rating]) for user, item, rating in rows]
    path = tmp_path_factory.mktemp("fuzz") / "ratings.csv"
    path.write_bytes((eol.join(lines) + eol).encode("utf-8"))
    ratings = read_quietly(path, sep=sep, header=header)
    assert_accounting(ratings)
    assert ratings.users.to_list() == list(dict.fromkeys(row[0] for row in rows))
    assert ratings.items.to_list() == list(dict.fromkeys(row[1] for row in rows))
