"""The check that ``--plot`` runs before any work: matplotlib must be installed."""

from __future__ import annotations

import typer

from ..plotting import matplotlib_missing


def require_plotting() -> None:
    """Exit with status 1 and one line naming the extra to install when matplotlib is missing."""
    message = matplotlib_missing()
    if message is not None:
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)
