"""The evaluation commands of the CLI: evaluate with metrics, cv, tune, datasets."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mfrec import MatrixFactorization, read_ratings
from mfrec.cli import app
from mfrec.models import GlobalMean

runner = CliRunner()

# Ranking objectives fit a second model that these tests never use; skip it where it exists.
RATING_ONLY = ["--objective", "rating"] if "objective" in MatrixFactorization().get_params() else []


@pytest.fixture
def train_file(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("user,item,rating\nana,i1,5\nana,i2,3\nben,i1,4\nben,i3,2\ncai,i2,1\n")
    return path


@pytest.fixture
def tied_model_file(train_file, tmp_path):
    # GlobalMean predicts mu = 15/5 = 3 everywhere and ranks candidates in training
    # order: i1, i2, i3.
    path = tmp_path / "mean.mfrec"
    GlobalMean().fit(read_ratings(train_file)).save(path)
    return path


@pytest.fixture
def test_file(tmp_path):
    path = tmp_path / "test.csv"
    path.write_text("user,item,rating\nana,i3,4\nben,i2,5\ncai,i1,2\n")
    return path


def test_evaluate_json_keys_as_written(tied_model_file, test_file):
    metrics = "RMSE,mae,fcp,precision@1,Recall@2,ndcg@2,map@2,mrr@2,hit@1,coverage@2"
    done = runner.invoke(app, ["evaluate", str(tied_model_file), str(test_file), "--metrics", metrics, "--format", "json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    expected_keys = [name.lower() for name in metrics.split(",")]
    assert list(result)[: len(expected_keys)] == expected_keys


def test_evaluate_json_values(tied_model_file, test_file):
    metrics = "rmse,precision@1,recall@2,mrr@2,coverage@2"
    done = runner.invoke(app, ["evaluate", str(tied_model_file), str(test_file), "--metrics", metrics, "--format", "json"])
    result = json.loads(done.output)
    # Errors 4-3, 5-3, 2-3: RMSE = sqrt((1 + 4 + 1) / 3) = sqrt(2).
    assert result["rmse"] == pytest.approx(2**0.5)
    # Relevant (>= 4): ana's i3 and ben's i2; cai has none and is left out.
    # ana's candidates [i3]: i3 at rank 1. ben's candidates [i2]: i2 at rank 1.
    assert result["precision@1"] == pytest.approx(1.0)
    assert result["recall@2"] == pytest.approx(1.0)
    assert result["mrr@2"] == pytest.approx(1.0)
    # Items shown: i3 and i2 of 3.
    assert result["coverage@2"] == pytest.approx(2 / 3)
    assert result["users_without_relevant"] == 1


def test_evaluate_threshold_changes_relevance(tied_model_file, test_file):
    done = runner.invoke(
        app, ["evaluate", str(tied_model_file), str(test_file), "--metrics", "hit@1", "--threshold", "5", "--format", "json"]
    )
    result = json.loads(done.output)
    # Only ben's 5 is relevant at threshold 5.
    assert result["users_evaluated"] == 1
    assert result["users_without_relevant"] == 2


def test_evaluate_unknown_metric_is_usage_error(tied_model_file, test_file):
    done = runner.invoke(app, ["evaluate", str(tied_model_file), str(test_file), "--metrics", "rmse,auc"])
    assert done.exit_code == 2
    assert "unknown metric 'auc'" in done.output


def test_evaluate_text_output(tied_model_file, test_file):
    done = runner.invoke(app, ["evaluate", str(tied_model_file), str(test_file), "--metrics", "rmse,ndcg@2"])
    assert done.exit_code == 0, done.output
    assert "RMSE 1.4142" in done.output
    assert "ndcg@2 1.0000" in done.output


@pytest.fixture
def ratings_file(tmp_path):
    # 20 users x 15 items, about half rated, ratings from a user and an item effect.
    lines = ["user,item,rating,timestamp"]
    for u in range(20):
        for i in range(15):
            if (u * 7 + i * 3) % 2 == 0:
                lines.append(f"u{u},i{i},{1 + (u + 2 * i) % 5},{1000 + u * 15 + i}")
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cv_json_has_mean_std_and_folds(ratings_file):
    done = runner.invoke(
        app, ["cv", str(ratings_file), "--folds", "3", "--model", "biases", "--metrics", "rmse,NDCG@5", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["metrics"] == ["rmse", "ndcg@5"]
    assert len(result["folds"]) == 3
    rmse = [fold["rmse"] for fold in result["folds"]]
    assert result["mean"]["rmse"] == pytest.approx(sum(rmse) / 3)


def test_cv_text_table(ratings_file):
    done = runner.invoke(app, ["cv", str(ratings_file), "--folds", "2", "--model", "global-mean", "--quiet"])
    assert done.exit_code == 0, done.output
    assert "mean" in done.output
    assert "std" in done.output


def test_cv_plot_draws_learning_curves(ratings_file, tmp_path):
    pytest.importorskip("matplotlib")
    image = tmp_path / "curves.png"
    done = runner.invoke(
        app, ["cv", str(ratings_file), "--folds", "2", "--epochs", "5", "--factors", "4", "--plot", str(image), "--quiet"]
    )
    assert done.exit_code == 0, done.output
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cv_hyperparameter_needs_mf(ratings_file):
    done = runner.invoke(app, ["cv", str(ratings_file), "--model", "biases", "--factors", "5"])
    assert done.exit_code == 2
    assert "--factors applies to --model mf only" in done.output


def test_tune_writes_best_model(ratings_file, tmp_path):
    output = tmp_path / "best.mfrec"
    done = runner.invoke(
        app, ["tune", str(ratings_file), "--trials", "2", "--method", "random", "-o", str(output), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert len(result["trials"]) == 2
    assert result["best_score"] == min(trial["score"] for trial in result["trials"])
    from mfrec import load_model

    model = load_model(output)
    assert model.factors == result["best_params"]["factors"]
    assert model.epochs == result["best_params"]["epochs"]


def test_train_validation_and_plot(ratings_file, tmp_path):
    pytest.importorskip("matplotlib")
    model, image = tmp_path / "m.mfrec", tmp_path / "curves.png"
    done = runner.invoke(
        app,
        ["train", str(ratings_file), "-o", str(model), "--validation", str(ratings_file), "--epochs", "6",
         "--factors", "4", "--early-stopping-rounds", "2", "--plot", str(image), "--format", "json", *RATING_ONLY],
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output)
    assert 1 <= summary["best_epoch"] <= 6
    assert summary["validation_rmse"] > 0
    assert image.read_bytes()[:4] == b"\x89PNG"


def test_train_early_stopping_needs_validation(ratings_file, tmp_path):
    arguments = ["train", str(ratings_file), "-o", str(tmp_path / "m.mfrec"), "--early-stopping-rounds", "3"]
    done = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert done.exit_code == 2
    assert "--early-stopping-rounds needs --validation FILE" in done.output


def test_datasets_list_json(monkeypatch, tmp_path):
    monkeypatch.setenv("MFREC_DATA", str(tmp_path))
    done = runner.invoke(app, ["datasets", "list", "--format", "json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert [d["name"] for d in result["datasets"]][:2] == ["ml-100k", "ml-1m"]
    assert result["cache"] == str(tmp_path)
    embedded = [d["name"] for d in result["datasets"] if d["embedded"]]
    assert embedded == ["ml-latest-small"]


def test_datasets_download_from_mirror(monkeypatch, tmp_path, ml100k):
    monkeypatch.setenv("MFREC_DATA", str(tmp_path))
    monkeypatch.setenv("MFREC_DATASET_MIRROR", str(ml100k.parent))
    done = runner.invoke(app, ["datasets", "download", "ml-100k", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["path"] == str(ml100k)


def test_datasets_download_unknown(monkeypatch, tmp_path):
    monkeypatch.setenv("MFREC_DATA", str(tmp_path))
    done = runner.invoke(app, ["datasets", "download", "ml-5k"])
    assert done.exit_code == 1
    assert "unknown dataset 'ml-5k'" in done.output
