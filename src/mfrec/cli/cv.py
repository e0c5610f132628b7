"""``mfrec cv``: k-fold cross-validation of a model on a ratings file."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..data import read_ratings
from ..evaluation import parse_metrics
from ..model_selection import cross_validate
from ..models import BiasBaseline, GlobalMean, MatrixFactorization, MostPopular
from ..plotting import plot_learning_curves
from . import _reading as r
from ._common import FormatOption, OutputFormat, QuietOption, VerboseOption, handle_errors, print_json, reading_options
from ._plotting import require_plotting
from ._progress import TaskProgress

Hyper = "Model (matrix factorization; defaults as in mfrec train)"


class ModelKind(str, Enum):
    mf = "mf"
    biases = "biases"
    global_mean = "global-mean"
    most_popular = "most-popular"


@handle_errors
def cv(
    ratings: Annotated[Path, typer.Argument(help="Ratings file: CSV, TSV, '::'-separated or Parquet.")],
    folds: Annotated[int, typer.Option(help="Number of folds, at least 2.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment and of the model.")] = 42,
    metrics: Annotated[str, typer.Option(help="Comma-separated metrics, as for mfrec evaluate.")] = "rmse,mae",
    threshold: Annotated[float, typer.Option(help="Lowest test rating that makes an item relevant for ranking metrics.")] = 4.0,
    model: Annotated[ModelKind, typer.Option("--model", help="mf: matrix factorization; biases, global-mean, most-popular: baselines.")] = ModelKind.mf,
    factors: Annotated[int | None, typer.Option(help="Latent factors per user and item.", rich_help_panel=Hyper)] = None,
    epochs: Annotated[int | None, typer.Option(help="Passes over the training ratings (the maximum with early stopping).", rich_help_panel=Hyper)] = None,
    learning_rate: Annotated[float | None, typer.Option(help="SGD step size.", rich_help_panel=Hyper)] = None,
    regularization: Annotated[float | None, typer.Option(help="L2 weight of the factors.", rich_help_panel=Hyper)] = None,
    bias_regularization: Annotated[float | None, typer.Option(help="L2 weight of the biases.", rich_help_panel=Hyper)] = None,
    early_stopping_rounds: Annotated[int | None, typer.Option(help="Stop each fold when the RMSE on 10% of its training part has not improved for this many epochs.", rich_help_panel=Hyper)] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw training and held-out RMSE per epoch, one line per fold, to this image file; needs matplotlib.")] = None,
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
    """Cross-validate a model: fit on k-1 folds, score on the held-out fold, k times."""
    try:
        names = [label for label, _, _ in parse_metrics(metrics)]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--metrics") from None
    if plot is not None:
        require_plotting()
    options = reading_options(sep, header, encoding, on_bad_lines, duplicates, rating_scale, user_column, item_column, rating_column)
    data = read_ratings(ratings, **options)
    if output_format is OutputFormat.text and not quiet:
        typer.echo(data.summary(), err=True)

    estimator = _make_model(model, seed, factors=factors, epochs=epochs, learning_rate=learning_rate,
                            regularization=regularization, bias_regularization=bias_regularization,
                            early_stopping_rounds=early_stopping_rounds)
    show_progress = not quiet and output_format is OutputFormat.text and sys.stderr.isatty()
    with TaskProgress("folds", folds, enabled=show_progress) as progress:
        result = cross_validate(
            estimator, data, folds=folds, metrics=names, seed=seed, threshold=threshold,
            curves=plot is not None, callback=lambda number, scores: progress.advance(_brief(scores, names[0])),
        )
    if plot is not None:
        held_out = "validation" if early_stopping_rounds else "test fold"
        plot_learning_curves(result.histories, plot, held_out_label=held_out, title=f"Learning curves: {ratings.name}, {folds} folds")

    if output_format is OutputFormat.json:
        print_json({"model": repr(estimator), **result.to_dict()})
        return
    _print_table(result, names)


def _make_model(kind: ModelKind, seed: int, **hyper):
    overrides = {name: value for name, value in hyper.items() if value is not None}
    if kind is ModelKind.mf:
        return MatrixFactorization(seed=seed, **overrides)
    if overrides:
        raise typer.BadParameter(f"--{next(iter(overrides)).replace('_', '-')} applies to --model mf only")
    return {ModelKind.biases: BiasBaseline, ModelKind.global_mean: GlobalMean, ModelKind.most_popular: MostPopular}[kind]()


def _brief(scores: dict, metric: str) -> str:
    return f"last fold {metric} {scores[metric]:.4f}"


def _print_table(result, names: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("fold", *names, "fit s")
    for number, fold in enumerate(result.folds, start=1):
        table.add_row(str(number), *(f"{fold[name]:.4f}" for name in names), f"{fold['fit_seconds']:.2f}")
    table.add_row("mean", *(f"{result.mean[name]:.4f}" for name in names), "", style="bold")
    table.add_row("std", *(f"{result.std[name]:.4f}" for name in names), "")
    Console().print(table)
