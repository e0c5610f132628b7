"""read_ratings on every input format, every kind of bad input, and the row accounting."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mfrec import DataWarning, IdMap, InputError, read_ratings

ROWS = [("u1", "film1", "4"), ("u1", "film2", "3"), ("u2", "film1", "5"), ("u2", "film3", "2")]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def delimited(sep: str, *, header: str | None = None, eol: str = "\n") -> str:
    lines = [sep.join(row) for row in ROWS]
    if header is not None:
        lines.insert(0, header)
    return eol.join(lines) + eol


def assert_the_four_rows(ratings) -> None:
    assert ratings.users.to_list() == ["u1", "u2"]
    assert ratings.items.to_list() == ["film1", "film2", "film3"]
    assert ratings.rating.tolist() == [4.0, 3.0, 5.0, 2.0]
    assert ratings.user_index.tolist() == [0, 0, 1, 1]
    assert ratings.item_index.tolist() == [0, 1, 0, 2]


def quiet_read(source, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return read_ratings(source, **options)


# --- formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "expected"),
    [(",", ","), ("\t", "\t"), (";", ";"), ("|", "|"), ("::", "::")],
)
def test_separator_detected_without_header(tmp_path, sep, expected):
    ratings = read_ratings(write(tmp_path, "r.txt", delimited(sep)))
    assert_the_four_rows(ratings)
    assert ratings.report.separator == expected
    assert ratings.report.header is False


@pytest.mark.parametrize("sep", [",", "\t", ";", "|", "::"])
def test_separator_detected_with_header(tmp_path, sep):
    ratings = read_ratings(write(tmp_path, "r.txt", delimited(sep, header=sep.join(["user", "item", "rating"]))))
    assert_the_four_rows(ratings)
    assert ratings.report.header is True
    assert ratings.report.rows_read == 4


def test_whitespace_runs_with_trailing_blanks(tmp_path):
    text = "  u1   film1\t4  \nu1 film2 3\n\tu2  film1   5\nu2 film3 2   \n"
    ratings = read_ratings(write(tmp_path, "r.txt", text))
    assert_the_four_rows(ratings)
    assert ratings.report.separator == "whitespace"


def test_whitespace_separator_given(tmp_path):
    ratings = read_ratings(write(tmp_path, "r.txt", delimited("   ")), sep="whitespace")
    assert_the_four_rows(ratings)


def test_movielens_1m_format_with_timestamps(tmp_path):
    text = "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n"
    ratings = read_ratings(write(tmp_path, "ratings.dat", text))
    assert ratings.users.to_list() == [1, 2]
    assert ratings.items.to_list() == [1193, 661]
    assert ratings.rating.tolist() == [5.0, 3.0, 4.0]
    assert ratings.timestamp.tolist() == [978300760, 978302109, 978298413]


def test_crlf_and_no_final_newline(tmp_path):
    text = delimited("\t", header="user\titem\trating", eol="\r\n").rstrip("\r\n")
    assert_the_four_rows(read_ratings(write(tmp_path, "r.tsv", text)))


def test_bom_without_header_not_in_first_id(tmp_path):
    ratings = read_ratings(write(tmp_path, "r.csv", "\ufeff" + delimited(",")))
    assert ratings.users.to_list() == ["u1", "u2"]


def test_blank_lines_before_header_and_between_rows(tmp_path):
    text = "\n\nuser,item,rating\nu1,film1,4\n\nu1,film2,3\nu2,film1,5\n\n\nu2,film3,2\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text))
    assert_the_four_rows(ratings)
    assert ratings.report.rows_read == 4


def test_quoted_fields_keep_separator(tmp_path):
    text = 'user,item,rating\nu1,"Movie, The",4\nu2,"say ""hi""",3\nu2,plain,5\n'
    ratings = read_ratings(write(tmp_path, "r.csv", text))
    assert ratings.items.to_list() == ["Movie, The", 'say "hi"', "plain"]


def test_columns_by_name_in_any_order(tmp_path):
    text = "stamp,movie,score,who\n100,film1,4,u1\n200,film2,3,u1\n300,film1,5,u2\n400,film3,2,u2\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text), user="who", item="movie", rating="score", timestamp="stamp")
    assert_the_four_rows(ratings)
    assert ratings.timestamp.tolist() == [100, 200, 300, 400]


def test_columns_by_position(tmp_path):
    text = "100,film1,u1,4\n200,film2,u1,3\n300,film1,u2,5\n400,film3,u2,2\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text), user=2, item=1, rating=3, timestamp=0)
    assert_the_four_rows(ratings)
    assert ratings.timestamp.tolist() == [100, 200, 300, 400]


def test_common_header_names_found(tmp_path):
    text = "movieId,userId,timestamp,rating\nfilm1,u1,1,4\nfilm2,u1,2,3\nfilm1,u2,3,5\nfilm3,u2,4,2\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text))
    assert_the_four_rows(ratings)
    assert ratings.timestamp.tolist() == [1, 2, 3, 4]


def test_datetime_text_timestamps(tmp_path):
    text = "user,item,rating,timestamp\nu1,a,4,1970-01-01 00:01:40\nu1,b,3,1970-01-02\n"
    ratings = quiet_read(write(tmp_path, "r.csv", text))
    # 1970-01-01 00:01:40 is 100 s after the epoch; 1970-01-02 is 86400 s.
    assert ratings.timestamp.tolist() == [100, 86400]


def test_unusable_fourth_column_dropped_with_note(tmp_path):
    text = "u1,film1,4,comedy\nu1,film2,3,drama\nu2,film1,5,comedy\nu2,film3,2,horror\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text))
    assert ratings.timestamp is None
    assert "not used as timestamps" in ratings.report.notes[0]


def test_named_timestamp_column_must_parse(tmp_path):
    text = "user,item,rating,when\nu1,a,4,100\nu1,b,3,soon\n"
    with pytest.raises(InputError, match=r"line 3: timestamp 'soon' is not a time") as caught:
        read_ratings(write(tmp_path, "r.csv", text), timestamp="when")
    assert caught.value.line == 3


def test_parquet_file(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"user": ["u1", "u1", "u2", "u2"], "item": ["film1", "film2", "film1", "film3"], "rating": [4.0, 3.0, 5.0, 2.0]}), path)
    assert_the_four_rows(read_ratings(path))


def test_parquet_detected_by_magic_bytes(tmp_path):
    path = tmp_path / "ratings.bin"
    pq.write_table(pa.table({"userId": [7, 8], "movieId": [1, 2], "rating": [1.0, 2.0]}), path)
    ratings = read_ratings(path)
    assert ratings.users.to_list() == [7, 8]


def test_damaged_parquet_is_input_error(tmp_path):
    path = tmp_path / "r.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"cannot read .*r\.parquet as Parquet"):
        read_ratings(path)


def test_pandas_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"user": ["u1", "u1", "u2", "u2"], "item": ["film1", "film2", "film1", "film3"], "rating": [4, 3, 5, 2]})
    assert_the_four_rows(read_ratings(frame))


def test_pandas_categorical_ids():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"user": pd.Categorical(["u1", "u1", "u2", "u2"]), "item": ["film1", "film2", "film1", "film3"], "rating": [4.0, 3.0, 5.0, 2.0]})
    assert_the_four_rows(read_ratings(frame))


def test_pandas_mixed_id_types_is_input_error():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"user": [1, "b"], "item": ["x", "y"], "rating": [1.0, 2.0]})
    with pytest.raises(InputError, match="cannot convert the DataFrame to columns"):
        read_ratings(frame)


def test_pandas_float_ids_rejected():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"user": [1.0, 2.0], "item": [1, 2], "rating": [1.0, 2.0]})
    with pytest.raises(InputError, match=r"user IDs .* are floating-point numbers"):
        read_ratings(frame)


def test_polars_frame():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"user": ["u1", "u1", "u2", "u2"], "item": ["film1", "film2", "film1", "film3"], "rating": [4.0, 3.0, 5.0, 2.0]})
    assert_the_four_rows(read_ratings(frame))


def test_pyarrow_table_and_dict():
    columns = {"user": ["u1", "u1", "u2", "u2"], "item": ["film1", "film2", "film1", "film3"], "rating": [4.0, 3.0, 5.0, 2.0]}
    assert_the_four_rows(read_ratings(pa.table(columns)))
    assert_the_four_rows(read_ratings(columns))


def test_unsupported_source_type():
    with pytest.raises(TypeError, match="cannot read ratings from list"):
        read_ratings([("u1", "i1", 4)])


def test_latin1_with_encoding(tmp_path):
    path = write(tmp_path, "r.csv", "user,item,rating\nu1,café,4\nu2,thé,5\n", "latin-1")
    assert read_ratings(path, encoding="latin-1").items.to_list() == ["café", "thé"]


def test_utf16_with_bom(tmp_path):
    path = write(tmp_path, "r.csv", delimited(",", header="user,item,rating"), "utf-16")
    assert_the_four_rows(read_ratings(path, encoding="utf-16"))


def test_file_larger_than_sniff_window(tmp_path):
    lines = [f"u{k % 97},i{k % 89},{1 + k % 5}" for k in range(20000)]
    ratings = quiet_read(write(tmp_path, "big.csv", "\n".join(lines) + "\n"))
    assert ratings.report.rows_read == 20000
    assert ratings.report.kept + ratings.report.duplicates_merged == 20000


# --- bad input ----------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="ratings file not found: .*nope.csv; check the path"):
        read_ratings(tmp_path / "nope.csv")


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory; pass a ratings file"):
        read_ratings(tmp_path)


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match=r"no ratings found in .*empty.csv: the file is empty"):
        read_ratings(write(tmp_path, "empty.csv", ""))


def test_blank_lines_only(tmp_path):
    with pytest.raises(InputError, match="the file is empty"):
        read_ratings(write(tmp_path, "blank.csv", "\n \n\r\n"))


def test_header_only(tmp_path):
    with pytest.raises(InputError, match="the file contains only the header line 'user,item,rating'") as caught:
        read_ratings(write(tmp_path, "h.csv", "user,item,rating\n"))
    assert caught.value.line == 1


def test_missing_column_by_name(tmp_path):
    path = write(tmp_path, "r.csv", delimited(",", header="user,item,rating"))
    with pytest.raises(InputError, match=r"rating column 'stars' not found in .*its columns are: user, item, rating"):
        read_ratings(path, rating="stars")


def test_column_position_out_of_range(tmp_path):
    with pytest.raises(InputError, match=r"rating column position 5 is out of range: .* has 3 columns \(0 to 2\)"):
        read_ratings(write(tmp_path, "r.csv", delimited(",")), rating=5)


def test_two_columns_only(tmp_path):
    with pytest.raises(InputError, match="cannot detect the separator"):
        read_ratings(write(tmp_path, "r.csv", "u1,i1\nu2,i2\n"))


def test_missing_rating_column_in_table():
    with pytest.raises(InputError, match=r"has 2 column\(s\) \(user, item\)"):
        read_ratings(pa.table({"user": ["a"], "item": ["b"]}))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("abc", "rating 'abc' is not a number"),
        ("", "rating '' is not a number"),
        ("nan", "rating 'nan' is not a number"),
        ("inf", "rating 'inf' is not a number"),
        ("1e999", "rating '1e999' is not a finite number"),
        ("1e300", "rating 1e\\+300 is too large to store as float32"),
    ],
)
def test_bad_rating_names_line(tmp_path, value, fragment):
    path = write(tmp_path, "r.csv", f"user,item,rating\nu1,a,4\nu1,b,3\nu2,a,{value}\nu2,b,2\n")
    with pytest.raises(InputError, match=fragment) as caught:
        read_ratings(path)
    assert caught.value.line == 4
    assert "line 4" in str(caught.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_rating_in_table_names_row(value):
    table = pa.table({"user": ["a", "b"], "item": ["x", "y"], "rating": [4.0, value]})
    with pytest.raises(InputError, match="row 1: rating .* is not a finite number") as caught:
        read_ratings(table)
    assert caught.value.line == 1


def test_empty_id_names_line(tmp_path):
    path = write(tmp_path, "r.csv", "user,item,rating\nu1,a,4\n ,b,3\nu2,,5\n")
    with pytest.raises(InputError, match="2 bad line.*line 3: empty user ID; line 4: empty item ID") as caught:
        read_ratings(path)
    assert caught.value.line == 3


def test_null_id_in_table():
    with pytest.raises(InputError, match="row 0: empty user ID"):
        read_ratings(pa.table({"user": [None, "b"], "item": ["x", "y"], "rating": [1.0, 2.0]}))


def test_wrong_field_count_line_and_preview(tmp_path):
    text = "user,item,rating\nu1,film1,4\nu1,film2,3,extra\nu2,film1,5\nu2,film3,2\n"
    with pytest.raises(InputError) as caught:
        read_ratings(write(tmp_path, "r.csv", text))
    message = str(caught.value)
    assert caught.value.line == 3
    assert "1 bad line(s)" in message
    assert "line 3: expected 3 fields, got 4: 'u1,film2,3,extra'" in message
    assert "(line 3 reads 'u1,film2,3,extra')" in message
    assert "on_bad_lines='skip'" in message


def test_wrong_field_count_on_first_line(tmp_path):
    text = "u1,film1,4,9\nu1,film2,3\nu2,film1,5\nu2,film3,2\n"
    with pytest.raises(InputError, match="line 1: expected 3 fields, got 4") as caught:
        read_ratings(write(tmp_path, "r.csv", text))
    assert caught.value.line == 1


def test_wrong_field_count_after_crlf_and_blank_lines(tmp_path):
    text = "user,item,rating\r\n\r\nu1,film1,4\r\nu1,film2,3\r\n\r\nu2,film1\r\nu2,film3,2\r\n"
    with pytest.raises(InputError, match="line 6: expected 3 fields, got 2: 'u2,film1'") as caught:
        read_ratings(write(tmp_path, "r.csv", text))
    assert caught.value.line == 6


def test_wrong_field_count_with_double_colon(tmp_path):
    text = "1::10::5\n1::20::4\n2::10\n2::30::1\n"
    with pytest.raises(InputError, match="line 3: expected 3 fields, got 2: '2::10'") as caught:
        read_ratings(write(tmp_path, "r.dat", text))
    assert caught.value.line == 3


def test_line_numbers_after_multiline_quoted_field(tmp_path):
    text = 'user,item,rating\nu1,"two\nlines",4\nu1,b,3\nu2,b,oops\n'
    with pytest.raises(InputError, match="line 5: rating 'oops' is not a number") as caught:
        read_ratings(write(tmp_path, "r.csv", text))
    assert caught.value.line == 5


def test_unclosed_quote_reported(tmp_path):
    text = 'user,item,rating\nu1,a,4\nu1,b,3\nu2,"c,5\nu2,d,2\n'
    with pytest.raises(InputError, match="line 4: expected 3 fields, got 2") as caught:
        read_ratings(write(tmp_path, "r.csv", text))
    assert caught.value.line == 4


def test_many_bad_lines_count_all_show_five(tmp_path):
    lines = ["u,i,r"] + [f"u{k},i{k},{'x' if k % 2 else 3}" for k in range(20)]
    with pytest.raises(InputError, match=r"^10 bad line\(s\)") as caught:
        read_ratings(write(tmp_path, "r.csv", "\n".join(lines)))
    assert str(caught.value).count("is not a number") == 5


def test_bad_utf8_names_line_and_encoding(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"user,item,rating\nu1,a,4\nu2,caf\xe9,5\n")
    with pytest.raises(InputError, match=r"cannot decode .* as utf-8: invalid byte 0xe9 on line 3 .*encoding='latin-1'") as caught:
        read_ratings(path)
    assert caught.value.line == 3


def test_bad_utf8_after_sniff_window(tmp_path):
    path = tmp_path / "r.csv"
    good = b"".join(b"u%d,i%d,%d\n" % (k, k, 1 + k % 5) for k in range(8000))
    path.write_bytes(good + b"u\xff,i1,3\n")
    with pytest.raises(InputError, match="invalid byte 0xff on line 8001") as caught:
        read_ratings(path)
    assert caught.value.line == 8001


def test_utf16_without_bom(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("u1,a,4\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="cannot decode .* as utf-16") as caught:
        read_ratings(path, encoding="utf-16")
    assert caught.value.line == 1


def test_unknown_encoding_name(tmp_path):
    with pytest.raises(ValueError, match="encoding 'klingon' is not a known text encoding"):
        read_ratings(write(tmp_path, "r.csv", delimited(",")), encoding="klingon")


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("on_bad_lines", "warn", "on_bad_lines must be one of 'error', 'skip', got 'warn'"),
        ("duplicates", "sum", "duplicates must be one of 'last', 'mean', 'error', got 'sum'"),
        ("header", "maybe", "header must be 'auto', True or False, got 'maybe'"),
        ("rating_scale", (5, 1), r"rating_scale must have finite low < high, got \(5, 1\)"),
        ("rating_scale", "1-5", "rating_scale must be a pair"),
        ("sep", "\n", "sep must be a non-empty field separator"),
    ],
)
def test_invalid_options(tmp_path, option, value, fragment):
    with pytest.raises(ValueError, match=fragment):
        read_ratings(write(tmp_path, "r.csv", delimited(",")), **{option: value})


# --- skipping and accounting ---------------------------------------------------------


def test_skip_counts_every_kind_of_bad_line(tmp_path):
    text = "user,item,rating\nu1,a,4\nu1,b\n,c,3\nu2,a,nan\nu2,b,5\nu3,c,2,9\nu3,d,1\n"
    with pytest.warns(DataWarning, match=r"skipped 4 bad line\(s\) of .*line 3: expected 3 fields, got 2"):
        ratings = read_ratings(write(tmp_path, "r.csv", text), on_bad_lines="skip")
    report = ratings.report
    assert report.rows_read == 7
    assert report.skipped == 4
    assert report.kept == 3
    assert report.skipped_lines == [3, 4, 5, 7]
    assert report.rows_read == report.kept + report.skipped + report.duplicates_merged
    assert ratings.rating.tolist() == [4.0, 5.0, 1.0]


def test_skip_out_of_scale(tmp_path):
    text = "user,item,rating\na,x,4\na,y,6\nb,x,0\nb,y,4.5\nc,x,3\n"
    with pytest.warns(DataWarning, match="skipped 2 bad line"):
        ratings = read_ratings(write(tmp_path, "r.csv", text), rating_scale=(1, 5), on_bad_lines="skip")
    assert ratings.report.skipped == 2
    assert ratings.report.kept == 3
    # (4 + 4.5 + 3) / 3
    assert ratings.global_mean == pytest.approx(11.5 / 3)
    assert ratings.rating_scale == (1.0, 5.0)
    assert ratings.scale_inferred is False


def test_all_lines_skipped_is_error(tmp_path):
    with pytest.raises(InputError, match="no ratings found in .*: all 2 rows were bad and skipped"):
        quiet_read(write(tmp_path, "r.csv", "u,i,r\na,b,x\nc,d,y\n"), header=True, on_bad_lines="skip")


def test_duplicates_last(tmp_path):
    text = "user,item,rating\na,x,1\na,y,2\na,x,3\nb,x,4\na,x,5\n"
    with pytest.warns(DataWarning, match=r"2 duplicate \(user, item\) rating\(s\) .* merged by duplicates='last'"):
        ratings = read_ratings(write(tmp_path, "r.csv", text))
    report = ratings.report
    assert report.duplicates_merged == 2
    assert report.kept == 3
    assert report.rows_read == 5
    assert report.rows_read == report.kept + report.skipped + report.duplicates_merged
    pairs = dict(zip(zip(ratings.users.ids_at(ratings.user_index), ratings.items.ids_at(ratings.item_index)), ratings.rating.tolist()))
    assert pairs == {("a", "x"): 5.0, ("a", "y"): 2.0, ("b", "x"): 4.0}


def test_duplicates_mean(tmp_path):
    text = "user,item,rating\na,x,1\na,y,2\na,x,3\nb,x,4\na,x,5\n"
    with pytest.warns(DataWarning, match="merged by duplicates='mean'"):
        ratings = read_ratings(write(tmp_path, "r.csv", text), duplicates="mean")
    pairs = dict(zip(zip(ratings.users.ids_at(ratings.user_index), ratings.items.ids_at(ratings.item_index)), ratings.rating.tolist()))
    # (1 + 3 + 5) / 3 = 3
    assert pairs == {("a", "x"): 3.0, ("a", "y"): 2.0, ("b", "x"): 4.0}
    assert ratings.report.duplicates_merged == 2


def test_duplicates_error_names_both_lines(tmp_path):
    text = "user,item,rating\na,x,1\na,y,2\na,x,3\n"
    with pytest.raises(InputError, match=r"1 duplicate .*: line 2 and line 4 rate the same pair; pass duplicates='last' or 'mean'") as caught:
        read_ratings(write(tmp_path, "r.csv", text), duplicates="error")
    assert caught.value.line == 4


def test_duplicates_after_skipped_lines_accounted(tmp_path):
    text = "a,x,1\nbad line\na,x,2\nb,y,3\nb,z,4\n"
    ratings = quiet_read(write(tmp_path, "r.csv", text), on_bad_lines="skip")
    report = ratings.report
    assert (report.rows_read, report.kept, report.skipped, report.duplicates_merged) == (5, 3, 1, 1)


def test_summary_states_inferred_scale(tmp_path):
    ratings = read_ratings(write(tmp_path, "r.csv", delimited(",")))
    assert ratings.rating_scale == (2.0, 5.0)
    assert ratings.scale_inferred is True
    assert "rating scale 2 to 5 (inferred from the data; declare it with rating_scale=(low, high) or --rating-scale)" in ratings.summary()


def test_all_equal_ratings_warn_no_scale(tmp_path):
    with pytest.warns(DataWarning, match="every rating in .* equals 3, so no rating scale can be inferred"):
        ratings = read_ratings(write(tmp_path, "r.csv", "a,x,3\nb,y,3\nc,z,3\n"))
    assert ratings.rating_scale is None


# --- IDs ------------------------------------------------------------------------------

HUGE = ["1", "4294967297", "2147483648", "9007199254740993", "9007199254740992", "1205640308657491975", "9223372036854775807", "-9223372036854775808"]


def test_huge_integer_ids_exact(tmp_path):
    text = "".join(f"{user},{k},3\n" for k, user in enumerate(HUGE)) + "x0,0,4\n"
    ratings = read_ratings(write(tmp_path, "r.csv", "".join(f"{user},{k},{1 + k % 5}\n" for k, user in enumerate(HUGE))))
    assert ratings.users.kind == "int"
    assert [str(u) for u in ratings.users.to_list()] == HUGE
    assert ratings.users.ids.type == pa.int64()
    mixed = read_ratings(write(tmp_path, "m.csv", text))
    assert mixed.users.kind == "str"
    assert mixed.users.to_list() == HUGE + ["x0"]


def test_ids_beyond_int64_stay_text(tmp_path):
    text = "18446744073709551616,1,3\n1,2,4\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text))
    assert ratings.users.to_list() == ["18446744073709551616", "1"]


def test_non_canonical_integers_stay_text(tmp_path):
    text = "007,1,3\n7,2,4\n-0,3,5\n+7,4,1\n"
    ratings = read_ratings(write(tmp_path, "r.csv", text))
    assert ratings.users.to_list() == ["007", "7", "-0", "+7"]
    assert ratings.n_users == 4


def test_uint64_table_ids_beyond_int64():
    table = pa.table({"user": pa.array([2**64 - 1, 1], type=pa.uint64()), "item": [1, 2], "rating": [1.0, 2.0]})
    ratings = read_ratings(table)
    assert ratings.users.to_list() == ["18446744073709551615", "1"]


def test_idmap_round_trip_huge_ints():
    values = [int(v) for v in HUGE]
    idmap, index = IdMap.encode(pa.array(values + values[:2], type=pa.int64()))
    assert idmap.to_list() == values
    assert index.dtype == np.int32
    assert index.tolist() == list(range(len(values))) + [0, 1]
    assert idmap.lookup(values).tolist() == list(range(len(values)))
    assert idmap.lookup(HUGE).tolist() == list(range(len(values)))
    assert idmap.index_of(2**64) == -1
    assert idmap.index_of("9007199254740994") == -1
    assert idmap.ids_at(np.array([3, 4])) == [9007199254740993, 9007199254740992]
    assert idmap.id_of(5) == 1205640308657491975


def test_idmap_lookup_of_many_ids_uses_same_rules():
    values = list(range(10**12, 10**12 + 100))
    idmap, _ = IdMap.encode(pa.array(values, type=pa.int64()))
    queries = [str(v) for v in values] + ["nope", 5, "007"]
    assert idmap.lookup(queries).tolist() == list(range(100)) + [-1, -1, -1]


def test_idmap_rejects_float_queries():
    idmap, _ = IdMap.encode(pa.array([1, 2], type=pa.int64()))
    with pytest.raises(TypeError, match=r"ID 1.0 is a float; pass IDs as int or str"):
        idmap.index_of(1.0)


def test_idmap_round_trip_strings():
    values = ["café", "a b", "", "x\u2028y", "日本", "🙂", "007"]
    idmap, index = IdMap.encode(pa.array(values, type=pa.string()))
    assert idmap.kind == "str"
    assert idmap.to_list() == values
    assert idmap.lookup(values).tolist() == list(range(len(values)))
    assert idmap.index_of(7) == -1
    assert idmap.index_of("007") == 6


def test_null_rating_in_text_column_names_row():
    table = pa.table({"user": ["a", "b", "c"], "item": ["x", "y", "z"], "rating": ["4", None, "3"]})
    with pytest.raises(InputError, match="row 1: rating '' is not a number") as caught:
        read_ratings(table)
    assert caught.value.line == 1


def test_bool_ratings_rejected():
    with pytest.raises(InputError, match="ratings in Table input have type bool; expected numbers"):
        read_ratings(pa.table({"user": ["a"], "item": ["x"], "rating": [True]}))


def test_empty_table():
    empty = pa.table({"user": pa.array([], pa.string()), "item": pa.array([], pa.string()), "rating": pa.array([], pa.float64())})
    with pytest.raises(InputError, match="no ratings found in Table input: it has no data rows"):
        read_ratings(empty)


def test_parquet_with_invalid_utf8_is_input_error(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"user": ["u1", "u2"], "item": ["abc", "def"], "rating": [1.0, 2.0]}), path, compression="none")
    data = path.read_bytes().replace(b"abc", b"a\xffc")
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"cannot read .*r\.parquet as Parquet"):
        read_ratings(path)


def test_idmap_minus_zero_is_not_the_integer_zero():
    from mfrec import IdMap

    ids = IdMap(pa.array([0, 5], type=pa.int64()))
    assert ids.lookup(["0", "-0", "05"]).tolist() == [0, -1, -1]
    assert ids.index_of("-0") == -1
