"""Headers, BOM, CRLF, encodings, empty and header-only files.

Chosen behaviour: the header is detected (``header="auto"``; ``header=True/False`` or
``--header yes/no`` force it). Empty and header-only files raise InputError "no
ratings found in <file>". Text is decoded strictly: a byte that is invalid in the
encoding is an InputError naming the file, the line and the ``encoding`` option.
"""

from __future__ import annotations

import pytest
from case_support import cli_json, run_cli, train_cli

from mfrec import InputError, load_model, read_ratings

SAME = ["plain.csv", "header.csv", "bom_crlf.csv", "crlf_no_final_newline.tsv"]


@pytest.fixture
def folder(cases):
    return cases / "14-header-bom-crlf-empty"


def triples(ratings) -> list[tuple]:
    users = ratings.users.ids_at(ratings.user_index)
    items = ratings.items.ids_at(ratings.item_index)
    return list(zip(users, items, ratings.rating.tolist()))


@pytest.mark.parametrize("name", SAME)
def test_four_files_same_dataset(folder, name):
    ratings = read_ratings(folder / name)
    assert ratings.users.to_list() == ["u1", "u2"]
    assert ratings.items.to_list() == ["film1", "film2", "film3"]
    assert ratings.rating.tolist() == [4.0, 3.0, 5.0, 2.0]
    assert triples(ratings) == [("u1", "film1", 4.0), ("u1", "film2", 3.0), ("u2", "film1", 5.0), ("u2", "film3", 2.0)]
    assert ratings.report.rows_read == 4


def test_header_detection_reported(folder):
    assert read_ratings(folder / "plain.csv").report.header is False
    assert read_ratings(folder / "header.csv").report.header is True
    assert read_ratings(folder / "bom_crlf.csv").report.header is True
    assert read_ratings(folder / "crlf_no_final_newline.tsv").report.separator == "\t"


def test_header_forced_off_reports_line_one(folder):
    with pytest.raises(InputError, match="line 1: rating 'rating' is not a number") as caught:
        read_ratings(folder / "header.csv", header=False)
    assert caught.value.line == 1


@pytest.mark.parametrize("name", SAME)
def test_cli_loads_same_dataset(tmp_path, folder, name):
    model_path = train_cli(tmp_path, folder / name, "sgd", "--epochs", "2", "--factors", "2")
    model = load_model(model_path)
    assert model.users_.to_list() == ["u1", "u2"]
    assert model.items_.to_list() == ["film1", "film2", "film3"]
    assert model.n_ratings_ == 4


@pytest.mark.parametrize("name", ["header_only.csv", "empty.csv"])
def test_no_ratings_is_clear_error(folder, name):
    with pytest.raises(InputError, match=f"no ratings found in .*{name}"):
        read_ratings(folder / name)


@pytest.mark.parametrize("name", ["header_only.csv", "empty.csv"])
def test_cli_no_ratings_writes_no_model(tmp_path, folder, name):
    result = run_cli("train", folder / name, "-o", tmp_path / "m.mfrec")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: no ratings found in {folder / name}")
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_utf8_item_round_trips(tmp_path, folder):
    ratings = read_ratings(folder / "utf8.csv")
    assert ratings.items.to_list() == ["café", "film2", "film3"]
    model_path = train_cli(tmp_path, folder / "utf8.csv", "sgd", "--epochs", "2", "--factors", "2")
    assert load_model(model_path).items_.to_list() == ["café", "film2", "film3"]
    rows = cli_json("recommend", model_path, "--user", "u1", "-n", "3", "--include-rated")
    assert "café" in [row["item"] for row in rows]
    text = run_cli("recommend", model_path, "--user", "u1", "-n", "3", "--include-rated").stdout
    assert "café" in text


def test_latin1_default_utf8_is_clear_error(folder):
    with pytest.raises(InputError) as caught:
        read_ratings(folder / "latin1.csv")
    message = str(caught.value)
    assert caught.value.line == 2
    assert "latin1.csv as utf-8: invalid byte 0xe9 on line 2" in message
    assert "encoding='latin-1'" in message


def test_latin1_with_encoding_matches_utf8(folder):
    latin = read_ratings(folder / "latin1.csv", encoding="latin-1")
    utf8 = read_ratings(folder / "utf8.csv")
    assert latin.items.to_list() == ["café", "film2", "film3"]
    assert triples(latin) == triples(utf8)
    assert all("\ufffd" not in item for item in latin.items.to_list())


def test_cli_latin1(tmp_path, folder):
    failed = run_cli("train", folder / "latin1.csv", "-o", tmp_path / "m.mfrec")
    assert failed.exit_code == 1
    assert "invalid byte 0xe9 on line 2" in failed.stderr
    assert "--encoding latin-1" in failed.stderr
    model_path = train_cli(tmp_path, folder / "latin1.csv", "sgd", "--encoding", "latin-1", "--epochs", "2", "--factors", "2")
    assert load_model(model_path).items_.to_list() == ["café", "film2", "film3"]


def test_cli_unknown_encoding_is_error(tmp_path, folder):
    result = run_cli("train", folder / "plain.csv", "-o", tmp_path / "m.mfrec", "--encoding", "klingon")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: encoding 'klingon' is not a known text encoding")
