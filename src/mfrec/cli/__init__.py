"""The ``mfrec`` command line."""

from __future__ import annotations

import signal

import typer

from .cv import cv
from .datasets import app as datasets_app
from .demo import demo
from .evaluate import evaluate
from .query import predict, recommend
from .train import train
from .tune import tune

app = typer.Typer(
    name="mfrec",
    help="Rating prediction and recommendation by matrix factorization.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__
        from ..persistence import FORMAT_VERSION

        typer.echo(f"mfrec {__version__} (model file format {FORMAT_VERSION})")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version, help="Print the version and exit."),
) -> None:
    """Rating prediction and recommendation by matrix factorization."""


app.command()(train)
app.command()(predict)
app.command()(recommend)
app.command()(evaluate)
app.command()(cv)
app.command()(tune)
app.add_typer(datasets_app, name="datasets")
app.command()(demo)


def _terminate(signum, frame):
    # Unwind like Ctrl-C so atomic writes remove their temporary files.
    raise SystemExit(128 + signum)


def main() -> None:
    """Run the command line, turning SIGTERM into a clean exit."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
