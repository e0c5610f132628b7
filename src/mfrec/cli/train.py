"""``mfrec train``: read a ratings file, fit a model, save it."""

from __future__ import annotations

import resource
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .._atomic import check_target
from ..data import read_ratings
from ..models import MatrixFactorization
from ..plotting import plot_learning_curves
from . import _reading as r
from ._common import FormatOption, OutputFormat, QuietOption, VerboseOption, handle_errors, print_json, reading_options
from ._plotting import require_plotting

Hyper = "Model"


class Solver(str, Enum):
    """Training algorithm; see MatrixFactorization's solver."""

    sgd = "sgd"
    als = "als"


class Objective(str, Enum):
    """Ranking objective of the trained model; see MatrixFactorization's objective."""

    rating = "rating"
    ranking = "ranking"
    both = "both"


@handle_errors
def train(
    ratings: Annotated[Path, typer.Argument(help="Ratings file: CSV, TSV, '::'-separated or Parquet.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the model file.")],
    factors: Annotated[int, typer.Option(min=0, help="Latent factors per user and item.", rich_help_panel=Hyper)] = 200,
    epochs: Annotated[int, typer.Option(min=0, help="Passes over the training ratings.", rich_help_panel=Hyper)] = 120,
    learning_rate: Annotated[float, typer.Option(help="SGD step size.", rich_help_panel=Hyper)] = 0.005,
    regularization: Annotated[float, typer.Option(help="L2 weight of the factors.", rich_help_panel=Hyper)] = 0.1,
    bias_regularization: Annotated[float, typer.Option(help="L2 weight of the biases.", rich_help_panel=Hyper)] = 0.02,
    init_std: Annotated[float, typer.Option(help="Standard deviation of the initial factors.", rich_help_panel=Hyper)] = 0.05,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same model.", rich_help_panel=Hyper)] = 42,
    solver: Annotated[Solver, typer.Option(help="Training algorithm: 'sgd' (stochastic gradient descent) or 'als' (alternating least squares, ignores --learning-rate).", rich_help_panel=Hyper)] = Solver.sgd,
    threads: Annotated[int | None, typer.Option(min=1, help="Training threads; default: all cores. The same seed gives the same model with any count.", rich_help_panel=Hyper)] = None,
    early_stopping_rounds: Annotated[int | None, typer.Option(help="Stop when the validation RMSE has not improved for this many epochs and keep the best epoch; needs --validation.", rich_help_panel=Hyper)] = None,
    validation: Annotated[Path | None, typer.Option("--validation", help="Held-out ratings file (same format): its RMSE is recorded after every epoch.", rich_help_panel="Learning curves")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw training and validation RMSE per epoch to this image file (.png, .svg, .pdf); needs matplotlib.", rich_help_panel="Learning curves")] = None,
    objective: Annotated[Objective, typer.Option(help="What 'recommend' ranks by: 'rating' (predicted rating), 'ranking' (implicit ALS on who rated what) or 'both' (implicit score re-weighted by the predicted rating). 'predict' always uses the rating model.", rich_help_panel=Hyper)] = Objective.both,
    ranking_weight: Annotated[float | None, typer.Option(help="Exponent of the predicted rating in the 'both' rule, 0 or more; default: chosen on a 10% validation split of the training ratings.", rich_help_panel=Hyper)] = None,
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
    """Train a matrix-factorization model on a ratings file and save it."""
    if early_stopping_rounds is not None and validation is None:
        raise typer.BadParameter("--early-stopping-rounds needs --validation FILE to stop on", param_hint="--early-stopping-rounds")
    if plot is not None:
        require_plotting()
    options = reading_options(sep, header, encoding, on_bad_lines, duplicates, rating_scale, user_column, item_column, rating_column)
    check_target(output)
    started = time.perf_counter()
    data = read_ratings(ratings, **options)
    read_seconds = time.perf_counter() - started
    if output_format is OutputFormat.text and not quiet:
        typer.echo(data.summary(), err=True)
    held_out = read_ratings(validation, **options) if validation is not None else None

    model = MatrixFactorization(
        factors=factors, epochs=epochs, learning_rate=learning_rate, regularization=regularization,
        bias_regularization=bias_regularization, init_std=init_std, seed=seed,
        solver=solver.value, threads=threads,
        early_stopping_rounds=early_stopping_rounds,
        objective=objective.value, ranking_weight=ranking_weight,
    )
    show_progress = not quiet and sys.stderr.isatty()
    model.fit(data, validation=held_out, progress=show_progress)
    model.save(output)
    if plot is not None:
        plot_learning_curves([model.history_], plot, title=f"Learning curves: {ratings.name}")
    summary = _summary(model, data, output, read_seconds)
    if held_out is not None:
        summary.update(_validation_summary(model))
    if output_format is OutputFormat.json:
        print_json(summary)
    elif not quiet:
        typer.echo(
            f"trained {factors} factors for {epochs} epochs in {summary['fit_seconds']:.2f} s "
            f"(training RMSE {summary['train_rmse']}); model written to {output}"
        )
        if held_out is not None:
            typer.echo(f"validation RMSE {summary['validation_rmse']} at epoch {summary['best_epoch']}")
        typer.echo(_rule_text(model))


def _rule_text(model) -> str:
    """Return one line naming the rule that 'mfrec recommend' will rank by."""
    if model.recommend_rule == "implicit_times_rating":
        return f"recommend ranks by implicit_times_rating (ranking_weight {model.ranking_weight_:g})"
    return f"recommend ranks by {model.recommend_rule}"


def _validation_summary(model) -> dict:
    """Return the validation RMSE of the kept epoch: the best one with early stopping, else the last."""
    if not model.history_:
        return {"validation_rmse": None, "best_epoch": None}
    kept_epoch = model.best_epoch_ or model.history_[-1]["epoch"]
    entry = next(e for e in model.history_ if e["epoch"] == kept_epoch)
    return {"validation_rmse": round(entry["validation_rmse"], 6), "best_epoch": kept_epoch}


def _summary(model, data, output: Path, read_seconds: float) -> dict:
    fit_seconds = model.fit_seconds_
    # Rate of the factorization alone: epochs run (early stopping may end sooner)
    # over the time before the optional ranking model is fitted.
    processed = len(data) * len(model.history_)
    factorization_seconds = model.factorization_seconds_
    return {
        "model": str(output),
        "ratings": data.report.to_dict(),
        "users": model.n_users,
        "items": model.n_items,
        "rating_scale": None if model.rating_scale_ is None else list(model.rating_scale_),
        "params": model.get_params(),
        "recommend_rule": model.recommend_rule,
        "ranking_weight": model.ranking_weight_,
        "threads": model.threads_,
        "read_seconds": round(read_seconds, 4),
        "fit_seconds": round(fit_seconds, 4),
        "ratings_per_second": round(processed / factorization_seconds) if factorization_seconds > 0 else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "train_rmse": round(model.history_[-1]["train_rmse"], 6) if model.history_ else None,
    }
