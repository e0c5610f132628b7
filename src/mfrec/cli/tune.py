"""``mfrec tune``: search hyperparameters on a validation split and save the best model."""

from __future__ import annotations

import importlib.util
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..data import read_ratings
from ..model_selection import optuna_search, random_search
from ..models import MatrixFactorization
from . import _reading as r
from ._common import FormatOption, OutputFormat, QuietOption, VerboseOption, handle_errors, print_json, reading_options
from ._progress import TaskProgress


class Method(str, Enum):
    auto = "auto"
    optuna = "optuna"
    random = "random"


@handle_errors
def tune(
    ratings: Annotated[Path, typer.Argument(help="Ratings file: CSV, TSV, '::'-separated or Parquet.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the best model, refitted on all the ratings.")],
    trials: Annotated[int, typer.Option(help="Parameter sets to try, at least 1.")] = 50,
    method: Annotated[Method, typer.Option(help="optuna: TPE sampler (needs the tune extra); random: random search; auto: optuna when installed.")] = Method.auto,
    metric: Annotated[str, typer.Option(help="Validation metric to optimise, as for mfrec evaluate (rmse, mae, ndcg@10, ...).")] = "rmse",
    validation_fraction: Annotated[float, typer.Option(help="Share of the ratings held out to score each trial.")] = 0.1,
    early_stopping_rounds: Annotated[int, typer.Option(help="Stop a trial when the validation RMSE has not improved for this many epochs; 0 turns early stopping off.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the validation split, the sampler and the models.")] = 42,
    sep: r.Sep = None,
    header: r.Header = "auto",
    encoding: r.Encoding = "utf-8",
    on_bad_lines: r.OnBadLines = r.BadLines.error,
    duplicates: r.DuplicatesOpt = r.Duplicates.last,
    rating_scale: r.RatingScale = None,
    user_column: r.UserCol = None,
    item_column: r.ItemCol = None,
    rating_column: r.RatingCol = None,
    output_format: FormatOption = OutputFormat.text,
    quiet: QuietOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Search factors, epochs, learning rate and regularisation, then save the best model."""
    chosen = _resolve_method(method, quiet or output_format is OutputFormat.json)
    options = reading_options(sep, header, encoding, on_bad_lines, duplicates, rating_scale, user_column, item_column, rating_column)
    data = read_ratings(ratings, **options)
    if output_format is OutputFormat.text and not quiet:
        typer.echo(data.summary(), err=True)

    template = MatrixFactorization(seed=seed, early_stopping_rounds=early_stopping_rounds or None)
    search = optuna_search if chosen is Method.optuna else random_search
    show_progress = not quiet and output_format is OutputFormat.text and sys.stderr.isatty()
    best = {"score": None}
    with TaskProgress("trials", trials, enabled=show_progress) as progress:

        def report(number: int, trial: dict) -> None:
            if best["score"] is None or _better(trial["score"], best["score"], metric):
                best["score"] = trial["score"]
            progress.advance(f"best {metric} {best['score']:.4f}")

        result = search(
            template, data, trials=trials, metric=metric, validation_fraction=validation_fraction,
            seed=seed, callback=report,
        )
    result.best_model.save(output)

    summary = {"model": str(output), "method": chosen.value, **result.to_dict()}
    if output_format is OutputFormat.json:
        print_json(summary)
        return
    params = ", ".join(f"{name}={_short(value)}" for name, value in result.best_params.items())
    typer.echo(f"best validation {result.metric} {result.best_score:.4f} over {len(result.trials)} trials: {params}")
    typer.echo(f"model refitted on all {len(data):,} ratings and written to {output}")


def _resolve_method(method: Method, silent: bool) -> Method:
    installed = importlib.util.find_spec("optuna") is not None
    if method is Method.optuna and not installed:
        raise typer.BadParameter("--method optuna needs Optuna; install it with: pip install 'mfrec[tune]'", param_hint="--method")
    if method is Method.auto:
        if not installed and not silent:
            typer.echo("note: Optuna is not installed, so random search is used; pip install 'mfrec[tune]' for TPE", err=True)
        return Method.optuna if installed else Method.random
    return method


def _better(score: float, best: float, metric: str) -> bool:
    minimised = metric.lower() in ("rmse", "mae")
    return score < best if minimised else score > best


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
