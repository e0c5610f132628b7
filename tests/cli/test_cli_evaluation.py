"""The evaluation commands of the CLI: evaluate with metrics, cv, tune, datasets."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from mfrec import read_ratings
from mfrec.cli import app
from mfrec.models import GlobalMean

runner = CliRunner()


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
