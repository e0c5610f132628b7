"""The mfrec command line, run as a real process on small real files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def mfrec(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "mfrec", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture
def ratings_file(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text(
        "user,item,rating\n"
        "ana,i1,5\nana,i2,3\nana,i3,4\n"
        "ben,i1,4\nben,i4,5\n"
        "cai,i2,2\ncai,i4,4\ncai,i5,1\n"
    )
    return path


@pytest.fixture
def model_file(ratings_file, tmp_path):
    path = tmp_path / "m.mfrec"
    done = mfrec("train", ratings_file, "-o", path, "--factors", "4", "--epochs", "20", "--quiet")
    assert done.returncode == 0, done.stderr
    return path


def test_train_writes_model_and_json_summary(ratings_file, tmp_path):
    done = mfrec("train", ratings_file, "-o", tmp_path / "m.mfrec", "--epochs", "5", "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ratings"] == {"source": str(ratings_file), "rows_read": 8, "kept": 8, "skipped": 0, "duplicates_merged": 0}
    assert summary["users"] == 3
    assert summary["items"] == 5
    assert summary["params"]["epochs"] == 5
    assert {"read_seconds", "fit_seconds", "ratings_per_second", "peak_rss_mb", "train_rmse"} <= summary.keys()
    assert (tmp_path / "m.mfrec").exists()


def test_train_quiet_in_pipes_prints_no_progress(ratings_file, tmp_path):
    done = mfrec("train", ratings_file, "-o", tmp_path / "m.mfrec", "--epochs", "3")
    assert done.returncode == 0
    assert "━" not in done.stderr
    assert "8 rows read" in done.stderr


def test_predict_json(model_file):
    done = mfrec("predict", model_file, "--user", "ana", "--item", "i4", "--format", "json")
    result = json.loads(done.stdout)
    assert result["user"] == "ana"
    assert result["item"] == "i4"
    assert 1.0 <= result["prediction"] <= 5.0
    assert result["fallback"] is False


def test_predict_unknown_user_is_flagged(model_file):
    done = mfrec("predict", model_file, "--user", "zoe", "--item", "i1", "--format", "json")
    result = json.loads(done.stdout)
    assert result["fallback"] is True
    assert result["cold_start"] == "unknown_user"


def test_recommend_json_excludes_rated(model_file):
    done = mfrec("recommend", model_file, "--user", "ana", "-n", "10", "--format", "json")
    rows = json.loads(done.stdout)
    assert sorted(r["item"] for r in rows) == ["i4", "i5"]
    assert [r["rank"] for r in rows] == [1, 2]
    assert rows[0]["score"] >= rows[1]["score"]
    assert set(rows[0]) == {"item", "score", "rank", "rule"}


def test_recommend_unknown_user_exits_1(model_file):
    done = mfrec("recommend", model_file, "--user", "zoe")
    assert done.returncode == 1
    assert done.stderr.startswith("error: unknown user ID 'zoe'")
    assert "Traceback" not in done.stderr


def test_recommend_all_users_to_parquet(model_file, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "recs.parquet"
    done = mfrec("recommend", model_file, "--all-users", "-n", "2", "-o", out)
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out)
    assert table.column_names == ["user", "rank", "item", "score"]
    assert sorted(set(table.column("user").to_pylist())) == ["ana", "ben", "cai"]


def test_evaluate_json_has_metric_keys(model_file, tmp_path):
    test = tmp_path / "test.csv"
    test.write_text("user,item,rating\nana,i4,4\nben,i2,3\nzoe,i1,2\n")
    done = mfrec("evaluate", model_file, test, "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == 3
    assert result["rows_unknown_user"] == 1
    assert result["rmse"] >= result["mae"] > 0


def test_train_missing_file_exits_1_with_one_line(tmp_path):
    done = mfrec("train", tmp_path / "absent.csv", "-o", tmp_path / "m.mfrec")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "ratings file not found" in done.stderr
    assert not (tmp_path / "m.mfrec").exists()


def test_train_bad_line_names_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("user,item,rating\nana,i1,5\nben,i2,five\n")
    done = mfrec("train", path, "-o", tmp_path / "m.mfrec")
    assert done.returncode == 1
    assert "line 3: rating 'five' is not a number" in done.stderr
    assert "--on-bad-lines skip" in done.stderr


def test_usage_error_exits_2(tmp_path):
    done = mfrec("train")
    assert done.returncode == 2


def test_demo_story_recommends_one_drama_each():
    done = mfrec("demo", "--story")
    assert done.returncode == 0, done.stderr
    for viewer in ("Sarah", "Jason", "Emily", "Daniel"):
        assert f"recommend to {viewer}:" in done.stdout
    assert "recommend to Sarah: Descendants of the Sun" in done.stdout
    assert "recommend to Emily: Itaewon Class" in done.stdout


@pytest.mark.slow
def test_demo_reports_heldout_rmse():
    done = mfrec("demo")
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if "held-out RMSE" in line)
    rmse = float(line.split("RMSE")[1].split(",")[0])
    assert rmse < 0.87
    assert "top 5 for user 1" in done.stdout


def test_recommend_output_rejects_unknown_suffix(model_file, tmp_path):
    done = mfrec("recommend", model_file, "--all-users", "-o", tmp_path / "recs.txt")
    assert done.returncode == 2
    assert "must end in .parquet or .csv" in done.stderr
    assert not (tmp_path / "recs.txt").exists()


def test_recommend_output_json_summary(model_file, tmp_path):
    out = tmp_path / "recs.csv"
    done = mfrec("recommend", model_file, "--all-users", "-n", "1", "-o", out, "--format", "json")
    summary = json.loads(done.stdout)
    assert summary["output"] == str(out)
    assert summary["rows"] == 3
    assert out.read_text().splitlines()[0] == '"user","rank","item","score"'


def test_train_negative_epochs_is_usage_error(ratings_file, tmp_path):
    done = mfrec("train", ratings_file, "-o", tmp_path / "m.mfrec", "--epochs", "-3")
    assert done.returncode == 2
    assert not (tmp_path / "m.mfrec").exists()


def test_train_quiet_prints_nothing(ratings_file, tmp_path):
    done = mfrec("train", ratings_file, "-o", tmp_path / "m.mfrec", "--epochs", "3", "--quiet")
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout == ""


def test_version_names_package_and_file_format():
    from mfrec import __version__
    from mfrec.persistence import FORMAT_VERSION

    done = mfrec("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"mfrec {__version__} (model file format {FORMAT_VERSION})"
