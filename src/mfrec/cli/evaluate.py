"""``mfrec evaluate``: accuracy of a saved model on held-out ratings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..data import read_ratings
from ..evaluation import evaluate as evaluate_model
from ..persistence import load_model
from . import _reading as r
from ._common import FormatOption, OutputFormat, VerboseOption, handle_errors, print_json, reading_options


@handle_errors
def evaluate(
    model_path: Annotated[Path, typer.Argument(help="Model file written by 'mfrec train'.")],
    test: Annotated[Path, typer.Argument(help="Held-out ratings file.")],
    sep: r.Sep = None,
    header: r.Header = "auto",
    encoding: r.Encoding = "utf-8",
    on_bad_lines: r.OnBadLines = r.BadLines.error,
    duplicates: r.DuplicatesOpt = r.Duplicates.last,
    user_column: r.UserCol = None,
    item_column: r.ItemCol = None,
    rating_column: r.RatingCol = None,
    output_format: FormatOption = OutputFormat.text,
    verbose: VerboseOption = 0,
) -> None:
    """Report RMSE and MAE of a model on held-out ratings."""
    options = reading_options(sep, header, encoding, on_bad_lines, duplicates, None, user_column, item_column, rating_column)
    model = load_model(model_path)
    data = read_ratings(test, **options)
    result = evaluate_model(model, data)
    if output_format is OutputFormat.json:
        print_json(result)
        return
    typer.echo(f"RMSE {result['rmse']:.4f}  MAE {result['mae']:.4f}  over {result['rows']:,} ratings")
    if result["rows_unknown_user"] or result["rows_unknown_item"]:
        typer.echo(
            f"{result['rows_unknown_user']:,} rows had an unknown user and "
            f"{result['rows_unknown_item']:,} an unknown item; they were scored by the fallback rule"
        )
