"""``mfrec datasets list|download``: the MovieLens datasets mfrec can fetch."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import datasets as registry
from ._common import FormatOption, OutputFormat, QuietOption, VerboseOption, handle_errors, print_json

app = typer.Typer(help="List and download the MovieLens datasets.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_datasets(output_format: FormatOption = OutputFormat.text, verbose: VerboseOption = 0) -> None:
    """List the datasets, their size and whether they are in the cache."""
    rows = [
        {
            "name": d.name,
            "ratings": d.ratings,
            "archive": d.archive,
            "archive_bytes": d.size,
            "cached": registry.is_cached(d.name),
            "embedded": d.name in registry.EMBEDDED,
        }
        for d in registry.DATASETS.values()
    ]
    if output_format is OutputFormat.json:
        print_json({"cache": str(registry.cache_dir()), "datasets": rows})
        return
    typer.echo(f"cache: {registry.cache_dir()} (set MFREC_DATA to change it)")
    for row in rows:
        size = f"{row['archive_bytes'] / 1e6:.1f} MB" if row["archive_bytes"] else "size not recorded"
        where = ["cached"] * row["cached"] + ["embedded in mfrec"] * row["embedded"]
        typer.echo(f"{row['name']:<16} {row['ratings']:>12,} ratings  {size:>18}  {', '.join(where)}")


@app.command("download")
@handle_errors
def download(
    name: Annotated[str, typer.Argument(help="Dataset name, as shown by 'mfrec datasets list'.")],
    sha256: Annotated[str | None, typer.Option(help="Expected SHA-256 of the archive, replacing the recorded one.")] = None,
    output_format: FormatOption = OutputFormat.text,
    quiet: QuietOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Download, verify and unpack a dataset into the cache; print its folder."""
    registry.info(name)
    show = not quiet and output_format is OutputFormat.text and sys.stderr.isatty()
    folder = registry.download(name, sha256=sha256, progress=_progress_printer() if show else None)
    if output_format is OutputFormat.json:
        print_json({"name": name, "path": str(folder)})
        return
    typer.echo(str(folder))


def _progress_printer():
    def show(done: int, total: int | None) -> None:
        share = f" ({done / total:.0%})" if total else ""
        typer.echo(f"\rdownloaded {done / 1e6:.1f} MB{share}", err=True, nl=False)

    return show
