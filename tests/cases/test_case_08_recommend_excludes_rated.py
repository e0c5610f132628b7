"""recommend never returns an item the user rated in training, under every interface."""

from __future__ import annotations

import numpy as np
import pytest
from case_support import SOLVERS, cli_json, fit, read_quietly, run_cli, train_cli

from mfrec import load_model, read_ratings

ALL_ITEMS = {f"i{k}" for k in range(1, 7)}


@pytest.fixture
def csv_path(cases):
    return cases / "08-recommend-excludes-rated" / "ratings.csv"


def rated_items(csv_path) -> dict[str, set[str]]:
    rated: dict[str, set[str]] = {}
    for line in csv_path.read_text().splitlines()[1:]:
        user, item, _ = line.split(",")
        rated.setdefault(user, set()).add(item)
    return rated


@pytest.fixture(params=SOLVERS)
def model(request, csv_path):
    return fit(request.param, read_ratings(csv_path), factors=3, epochs=30, seed=5)


def check_lists(model, csv_path) -> None:
    ana = model.recommend("ana", n=10)
    assert sorted(ana.item) == ["i5", "i6"]
    assert ana.rank.tolist() == [1, 2]
    assert ana.score[0] >= ana.score[1]

    top = model.recommend("ana", n=1)
    assert top.item == [ana.item[0]]
    assert len(model.recommend("ana", n=0)) == 0

    dan = model.recommend("dan", n=5)
    assert len(dan) == 0
    assert dan.unknown_users == []

    assert sorted(model.recommend("ben", n=10).item) == ["i2", "i3", "i4"]

    rated = rated_items(csv_path)
    everyone = model.recommend(list(rated), n=10)
    for user, item in zip(everyone.user, everyone.item):
        assert item not in rated[user]
    for user in rated:
        assert set(everyone.for_user(user).item) == ALL_ITEMS - rated[user]


def test_lists_exclude_rated(model, csv_path):
    check_lists(model, csv_path)


def test_lists_exclude_rated_after_reload(tmp_path, model, csv_path):
    model.save(tmp_path / "m.mfrec")
    check_lists(load_model(tmp_path / "m.mfrec"), csv_path)


def test_include_rated_only_when_asked(model):
    recs = model.recommend("ana", n=10, exclude_rated=False)
    assert sorted(recs.item) == sorted(ALL_ITEMS)
    assert np.all(np.diff(recs.score) <= 0)


def test_negative_n_is_argument_error(model):
    with pytest.raises(ValueError, match="n must be 0 or more, got -1"):
        model.recommend("ana", n=-1)


@pytest.mark.parametrize("solver", SOLVERS)
def test_duplicated_training_rows_still_excluded(tmp_path, csv_path, solver):
    lines = csv_path.read_text().splitlines()
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("\n".join(lines + [line for line in lines[1:] if line.startswith("ana,")]) + "\n")
    ratings = read_quietly(doubled)
    assert ratings.report.duplicates_merged == 4
    check_lists(fit(solver, ratings, factors=3, epochs=30, seed=5), csv_path)


@pytest.mark.parametrize("solver", SOLVERS)
def test_cli_lists(tmp_path, csv_path, solver):
    model_path = train_cli(tmp_path, csv_path, solver, "--factors", "3", "--epochs", "30")
    ana = cli_json("recommend", model_path, "--user", "ana", "-n", "10")
    assert sorted(row["item"] for row in ana) == ["i5", "i6"]
    assert [row["rank"] for row in ana] == [1, 2]
    assert cli_json("recommend", model_path, "--user", "ana", "-n", "1") == ana[:1]
    assert cli_json("recommend", model_path, "--user", "ana", "-n", "0") == []
    assert cli_json("recommend", model_path, "--user", "dan", "-n", "5") == []
    assert sorted(row["item"] for row in cli_json("recommend", model_path, "--user", "ben", "-n", "10")) == ["i2", "i3", "i4"]
    assert len(cli_json("recommend", model_path, "--user", "ana", "-n", "10", "--include-rated")) == 6

    everyone = cli_json("recommend", model_path, "--all-users", "-n", "10")
    rated = rated_items(csv_path)
    assert all(row["item"] not in rated[row["user"]] for row in everyone)


def test_cli_dan_gets_a_note(tmp_path, csv_path):
    model_path = train_cli(tmp_path, csv_path, "sgd", "--factors", "3", "--epochs", "5")
    result = run_cli("recommend", model_path, "--user", "dan", "-n", "5")
    assert result.exit_code == 0
    assert result.stdout.strip() == "no items to recommend: the user has rated every item"


def test_cli_negative_n_is_usage_error(tmp_path, csv_path):
    model_path = train_cli(tmp_path, csv_path, "sgd", "--factors", "3", "--epochs", "5")
    result = run_cli("recommend", model_path, "--user", "ana", "-n", "-1")
    assert result.exit_code == 2
    assert "-n must be 0 or more, got -1" in result.output
