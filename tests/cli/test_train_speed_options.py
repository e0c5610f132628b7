"""``mfrec train --solver --threads`` and the timing fields of its JSON summary."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mfrec import load_model


def mfrec(*args):
    return subprocess.run([sys.executable, "-m", "mfrec", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture
def parquet_ratings(tmp_path):
    # 40 users x 30 items, every third pair rated: 400 ratings with integer IDs.
    pairs = [(u, i) for u in range(40) for i in range(30) if (u + i) % 3 == 0]
    table = pa.table({
        "user": pa.array([u for u, _ in pairs], pa.int64()),
        "item": pa.array([100 + i for _, i in pairs], pa.int64()),
        "rating": pa.array([float(1 + (u * i) % 5) for u, i in pairs], pa.float32()),
    })
    path = tmp_path / "ratings.parquet"
    pq.write_table(table, path)
    return path


def test_train_json_reports_threads_and_rate(parquet_ratings, tmp_path):
    done = mfrec(
        "train", parquet_ratings, "-o", tmp_path / "m.mfrec", "--epochs", "4", "--factors", "3",
        "--threads", "1", "--objective", "rating", "--format", "json",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["threads"] == 1
    assert summary["params"]["threads"] == 1
    assert summary["params"]["solver"] == "sgd"
    assert summary["ratings"]["kept"] == 400
    assert summary["ratings_per_second"] > 0
    assert summary["peak_rss_mb"] > 0
    assert summary["read_seconds"] >= 0
    assert 0 < summary["train_rmse"] < 5


def test_train_als_solver_writes_als_model(parquet_ratings, tmp_path):
    done = mfrec(
        "train", parquet_ratings, "-o", tmp_path / "m.mfrec", "--epochs", "2", "--factors", "3",
        "--solver", "als", "--objective", "rating", "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert load_model(tmp_path / "m.mfrec").solver == "als"


def test_train_rejects_zero_threads(parquet_ratings, tmp_path):
    done = mfrec("train", parquet_ratings, "-o", tmp_path / "m.mfrec", "--threads", "0")
    assert done.returncode == 2
    assert "--threads" in done.stderr
