"""Helpers shared by the case tests: solvers, model training, and running the CLI."""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from mfrec import DataWarning, MatrixFactorization, read_ratings
from mfrec.cli import app


@lru_cache(maxsize=1)
def available_solvers() -> tuple[str, ...]:
    """Return the solvers MatrixFactorization accepts: "sgd", plus "als" once it exists."""
    tiny = read_ratings(pa.table({"user": ["a", "b"], "item": ["x", "y"], "rating": [1.0, 2.0]}))
    solvers = ["sgd"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MatrixFactorization(solver="als", factors=1, epochs=1).fit(tiny)
    except (TypeError, ValueError, NotImplementedError):
        return tuple(solvers)
    return (*solvers, "als")


SOLVERS = available_solvers()


def make_model(solver: str, **params) -> MatrixFactorization:
    """Return an unfitted model for ``solver``; "sgd" also works before the solver option exists."""
    if solver == "sgd" and "als" not in SOLVERS:
        return MatrixFactorization(**params)
    if solver == "als":
        params.pop("learning_rate", None)
    return MatrixFactorization(solver=solver, **params)


def fit(solver: str, ratings, **params) -> MatrixFactorization:
    """Fit a model, hiding the notes ALS gives for the SGD-only parameters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_model(solver, **params).fit(ratings)


def read_quietly(path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return read_ratings(path, **options)


def run_cli(*args: str | Path):
    """Run ``mfrec`` in-process and return the click result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(app, [str(a) for a in args])


def cli_solver_options(solver: str) -> list[str]:
    """Return the train flags that select ``solver``; skip when the CLI cannot select it."""
    if solver == "sgd":
        return []
    if "--solver" not in run_cli("train", "--help").output:
        pytest.skip("mfrec train has no --solver option yet")
    return ["--solver", solver]


def train_cli(tmp_path: Path, ratings: Path, solver: str, *extra: str) -> Path:
    """Train with the CLI into ``tmp_path`` and return the model path."""
    model = tmp_path / f"model-{solver}.mfrec"
    result = run_cli("train", ratings, "-o", model, "--quiet", *cli_solver_options(solver), *extra)
    assert result.exit_code == 0, result.output
    return model


def cli_json(*args: str | Path):
    """Run a command with ``--format json`` and return the parsed document."""
    result = run_cli(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
