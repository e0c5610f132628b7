"""Cross-validation: fold bookkeeping, means and deviations, and the MovieLens bound."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

import mfrec
from mfrec import MatrixFactorization, read_ratings
from mfrec.model_selection import clone, cross_validate
from mfrec.models import BiasBaseline, GlobalMean


# Ranking objectives fit a second model that rating metrics never use; skip it to save time.
RATING_ONLY = {"objective": "rating"} if "objective" in MatrixFactorization().get_params() else {}

@pytest.fixture
def small():
    rng = np.random.default_rng(5)
    cells = rng.choice(30 * 40, size=600, replace=False)
    table = pa.table({"user": cells // 40, "item": cells % 40, "rating": rng.integers(1, 6, 600).astype(float)})
    return read_ratings(table)


def test_cross_validate_is_exported():
    assert mfrec.cross_validate is cross_validate
    assert "cross_validate" in mfrec.__all__


def test_cross_validate_mean_and_std_over_folds(small):
    result = cross_validate(GlobalMean(), small, folds=4, metrics=["rmse", "mae"], seed=1)
    rmse = np.array([fold["rmse"] for fold in result.folds])
    assert len(result.folds) == 4
    assert result.mean["rmse"] == pytest.approx(rmse.mean())
    assert result.std["rmse"] == pytest.approx(rmse.std())
    assert sum(fold["test_rows"] for fold in result.folds) == len(small)


def test_cross_validate_global_mean_by_hand():
    # Two folds given explicitly. Fold 1 trains on (1, 3): mean 2, test rating 5 -> error 3.
    # Fold 2 trains on (5, 3): mean 4, test rating 1 -> error 3. RMSE 3 in both folds.
    def part(users, items, values):
        return read_ratings(pa.table({"user": users, "item": items, "rating": values}), rating_scale=(1, 5))

    splits = [
        (part(["a", "b"], ["x", "y"], [1.0, 3.0]), part(["c"], ["x"], [5.0])),
        (part(["c", "b"], ["x", "y"], [5.0, 3.0]), part(["a"], ["x"], [1.0])),
    ]
    result = cross_validate(GlobalMean(), splits=splits, metrics="rmse")
    assert [fold["rmse"] for fold in result.folds] == [3.0, 3.0]
    assert result.mean["rmse"] == 3.0
    assert result.std["rmse"] == 0.0
    # User c is new in fold 1; user a is new in fold 2.
    assert [fold["test_rows_unseen_user"] for fold in result.folds] == [1, 1]


def test_cross_validate_is_deterministic(small):
    first = cross_validate(BiasBaseline(), small, folds=3, seed=4)
    again = cross_validate(BiasBaseline(), small, folds=3, seed=4)
    assert [f["rmse"] for f in first.folds] == [f["rmse"] for f in again.folds]


def test_cross_validate_curves_record_held_out_rmse(small):
    model = MatrixFactorization(factors=4, epochs=3, **RATING_ONLY)
    result = cross_validate(model, small, folds=2, curves=True)
    assert [len(history) for history in result.histories] == [3, 3]
    assert all("validation_rmse" in entry for entry in result.histories[0])


def test_cross_validate_needs_data():
    with pytest.raises(ValueError, match="give the ratings to cross-validate, or predefined splits"):
        cross_validate(GlobalMean())


def test_clone_copies_parameters():
    model = BiasBaseline(user_regularization=3.0)
    copy = clone(model, sweeps=2)
    assert copy.get_params() == {"user_regularization": 3.0, "item_regularization": 10.0, "sweeps": 2}
    assert copy is not model


@pytest.mark.slow
def test_cross_validate_movielens_default_model(ml100k):
    splits = [(read_ratings(ml100k / f"u{k}.base"), read_ratings(ml100k / f"u{k}.test")) for k in range(1, 6)]
    result = cross_validate(MatrixFactorization(**RATING_ONLY), splits=splits, metrics=["rmse"])
    # Recorded mean over u1..u5 with the defaults: 0.9091 (objective does not change RMSE).
    assert result.mean["rmse"] <= 0.925


def test_learning_curves_one_line_pair_per_fold(small, tmp_path):
    pytest.importorskip("matplotlib")
    from mfrec.plotting import plot_learning_curves

    model = MatrixFactorization(factors=4, epochs=4, **RATING_ONLY)
    result = cross_validate(model, small, folds=3, curves=True)
    figure = plot_learning_curves(result.histories, tmp_path / "curves.svg", held_out_label="test")
    axes = figure.axes[0]
    assert axes.get_xlabel() == "epoch"
    assert axes.get_ylabel() == "RMSE"
    # One training and one held-out line for each of the 3 folds.
    assert [line.get_label() for line in axes.lines] == [
        "fold 1 train", "fold 1 test", "fold 2 train", "fold 2 test", "fold 3 train", "fold 3 test"
    ]
    assert list(axes.lines[1].get_ydata()) == [entry["validation_rmse"] for entry in result.histories[0]]
    assert (tmp_path / "curves.svg").read_text().lstrip().startswith("<?xml")


def test_learning_curves_without_matplotlib(monkeypatch):
    from mfrec.plotting import plot_learning_curves

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'mfrec\[plot\]'"):
        plot_learning_curves([[{"epoch": 1, "train_rmse": 1.0}]])


def test_optuna_search_without_optuna(monkeypatch, small):
    from mfrec.model_selection import optuna_search

    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ImportError, match=r"pip install 'mfrec\[tune\]'"):
        optuna_search(BiasBaseline(), small, trials=1)


def test_import_model_selection_stays_light():
    code = "import sys, mfrec.model_selection, mfrec.plotting; print('optuna' in sys.modules, 'matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
