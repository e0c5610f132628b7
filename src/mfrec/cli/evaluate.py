"""``mfrec evaluate``: accuracy of a saved model on held-out ratings."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from ..data import read_ratings
from ..evaluation import evaluate as evaluate_model
from ..evaluation import parse_metrics
from ..persistence import load_model
from . import _reading as r
from ._common import FormatOption, OutputFormat, VerboseOption, handle_errors, print_json, reading_options

METRICS_HELP = (
    "Comma-separated metrics: rmse, mae, fcp, and precision@K, recall@K, ndcg@K, map@K, "
    "mrr@K, hit@K, coverage@K for top-K lists."
)


@handle_errors
def evaluate(
    model_path: Annotated[Path, typer.Argument(help="Model file written by 'mfrec train'.")],
    test: Annotated[Path, typer.Argument(help="Held-out ratings file.")],
    sep: r.Sep = None,
    header: r.Header = "auto",
    encoding: r.Encoding = "utf-8",
    on_bad_lines: r.OnBadLines = r.BadLines.error,
    duplicates: r.DuplicatesOpt = r.Duplicates.last,
    rating_scale: r.RatingScale = None,
    user_column: r.UserCol = None,
    item_column: r.ItemCol = None,
    rating_column: r.RatingCol = None,
    metrics: Annotated[str, typer.Option("--metrics", help=METRICS_HELP)] = "rmse,mae",
    threshold: Annotated[float, typer.Option("--threshold", help="Lowest test rating that makes an item relevant for ranking metrics.")] = 4.0,
    output_format: FormatOption = OutputFormat.text,
    verbose: VerboseOption = 0,
) -> None:
    """Report accuracy and ranking metrics of a model on held-out ratings."""
    try:
        parse_metrics(metrics)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--metrics") from None
    options = reading_options(sep, header, encoding, on_bad_lines, duplicates, rating_scale, user_column, item_column, rating_column)
    model = load_model(model_path)
    data = read_ratings(test, **options)
    result = evaluate_model(model, data, metrics=metrics, threshold=threshold)
    if output_format is OutputFormat.json:
        print_json({key: _json_number(value) for key, value in result.items()})
        return
    names = [label for label, _, _ in parse_metrics(metrics)]
    typer.echo("  ".join(f"{_display(name)} {result[name]:.4f}" for name in names) + f"  over {result['rows']:,} ratings")
    if "users_evaluated" in result:
        typer.echo(
            f"ranking metrics over {result['users_evaluated']:,} users with a test rating >= "
            f"{threshold:g}; {result['users_without_relevant']:,} users without one were left out"
        )
    if result["rows_unknown_user"] or result["rows_unknown_item"]:
        typer.echo(
            f"{result['rows_unknown_user']:,} rows had an unknown user and "
            f"{result['rows_unknown_item']:,} an unknown item; they were scored by the fallback rule"
        )


def _display(name: str) -> str:
    return name.upper() if "@" not in name else name


def _json_number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
