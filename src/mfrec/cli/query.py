"""``mfrec predict`` and ``mfrec recommend``: predictions and top-n lists from a saved model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..persistence import load_model
from ._common import FormatOption, OutputFormat, VerboseOption, handle_errors, id_text, print_json

ModelArg = Annotated[Path, typer.Argument(help="Model file written by 'mfrec train'.")]


@handle_errors
def predict(
    model_path: ModelArg,
    user: Annotated[str, typer.Option("--user", help="User ID as in the training data.")],
    item: Annotated[str, typer.Option("--item", help="Item ID as in the training data.")],
    no_clip: Annotated[bool, typer.Option("--no-clip", help="Return the raw prediction, not clipped to the rating scale.")] = False,
    output_format: FormatOption = OutputFormat.text,
    verbose: VerboseOption = 0,
) -> None:
    """Predict the rating a user would give an item."""
    model = load_model(model_path)
    result = model.predict([user], [item], clip=not no_clip).to_list()[0]
    if output_format is OutputFormat.json:
        result["user"], result["item"] = id_text(result["user"]), id_text(result["item"])
        print_json(result)
        return
    note = f" (fallback: {result['cold_start'].replace('_', ' ')})" if result["fallback"] else ""
    typer.echo(f"{result['prediction']:.4f}{note}")


@handle_errors
def recommend(
    model_path: ModelArg,
    user: Annotated[str | None, typer.Option("--user", help="User ID as in the training data.")] = None,
    n: Annotated[int, typer.Option("-n", "--n", help="Number of items to recommend.")] = 10,
    include_rated: Annotated[bool, typer.Option("--include-rated", help="Also rank items the user rated in training.")] = False,
    all_users: Annotated[bool, typer.Option("--all-users", help="Recommend to every user of the model.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table to a .parquet or .csv file.")] = None,
    output_format: FormatOption = OutputFormat.text,
    verbose: VerboseOption = 0,
) -> None:
    """Recommend the top-n unrated items to a user, or to every user."""
    if (user is None) == (not all_users):
        raise typer.BadParameter("pass either --user U or --all-users")
    if n < 0:
        raise typer.BadParameter(f"-n must be 0 or more, got {n}")
    if output is not None and output.suffix.lower() not in (".parquet", ".csv"):
        raise typer.BadParameter(f"--output must end in .parquet or .csv, got {output.name!r}")
    model = load_model(model_path)
    if all_users:
        recs = model.recommend(model.users_.to_list(), n=n, exclude_rated=not include_rated)
    else:
        recs = model.recommend(model.users_.id_of(_user_index(model, user)), n=n, exclude_rated=not include_rated)
    if output is not None:
        write_table(recs, output)
        if output_format is OutputFormat.json:
            print_json({"output": str(output), "rows": len(recs), "rule": recs.rule, "unknown_users": [id_text(u) for u in recs.unknown_users]})
        else:
            typer.echo(f"wrote {len(recs)} recommendations to {output}", err=True)
        return
    _print_recs(recs, output_format, all_users)


def _user_index(model, user: str) -> int:
    from ..exceptions import UnknownIdError

    index = model.users_.index_of(user)
    if index < 0:
        raise UnknownIdError("user", [user])
    return index


def _print_recs(recs, output_format: OutputFormat, with_user: bool) -> None:
    rows = recs.to_list()
    if output_format is OutputFormat.json:
        for row in rows:
            row["item"] = id_text(row["item"])
            row["user"] = id_text(row["user"])
            row["rule"] = recs.rule
            if not with_user:
                del row["user"]
        print_json(rows)
        return
    if not rows:
        typer.echo("no items to recommend: the user has rated every item")
        return
    typer.echo(f"# ranked by the '{recs.rule}' rule")
    for row in rows:
        prefix = f"{row['user']}\t" if with_user else ""
        typer.echo(f"{prefix}{row['rank']}\t{row['item']}\t{row['score']:.4f}")


def write_table(recs, output: Path) -> None:
    """Write recommendations atomically as Parquet or CSV, chosen by the file suffix."""
    import pyarrow as pa

    from .._atomic import atomic_write

    table = recs.to_arrow()
    table = table.set_column(0, "user", pa.array([str(u) for u in recs.user], type=pa.string()))
    table = table.set_column(2, "item", pa.array([str(i) for i in recs.item], type=pa.string()))
    with atomic_write(output, "wb") as handle:
        if output.suffix.lower() == ".csv":
            import pyarrow.csv as pa_csv

            pa_csv.write_csv(table, handle)
        else:
            import pyarrow.parquet as pq

            pq.write_table(table, handle)
