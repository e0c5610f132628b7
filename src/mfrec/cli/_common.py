"""Shared CLI plumbing: error reporting, reading options, output formats."""

from __future__ import annotations

import functools
import json
import logging
import signal
import sys
import threading
import warnings
from enum import Enum
from typing import Annotated, Any

import typer

from ..exceptions import MfrecError

logger = logging.getLogger("mfrec.cli")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class BadLines(str, Enum):
    error = "error"
    skip = "skip"


class Duplicates(str, Enum):
    last = "last"
    mean = "mean"
    error = "error"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format: text for people, json for scripts.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print no progress bar and no notices.")]
VerboseOption = Annotated[int, typer.Option("--verbose", "-v", count=True, help="-v logs INFO, -vv logs DEBUG and shows tracebacks.")]


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that atomic writes clean up."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def handle_errors(command):
    """Turn mfrec's errors and bad values into one line on stderr and exit code 1.

    Ctrl-C (SIGINT) and SIGTERM end the command with one line and exit code 130 or
    143; a file being written at that moment keeps its previous content.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        verbose = kwargs.get("verbose", 0) or 0
        _configure_logging(verbose, bool(kwargs.get("quiet", False)))
        previous = _catch_sigterm()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = _show_warning(kwargs.get("quiet", False))
                return command(*args, **kwargs)
        except (MfrecError, ValueError, TypeError, OSError) as exc:
            if verbose >= 2:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        except (KeyboardInterrupt, Terminated) as exc:
            signum = exc.signum if isinstance(exc, Terminated) else signal.SIGINT
            name = signal.Signals(signum).name
            typer.echo(f"error: interrupted by {name}; files being written were left unchanged", err=True)
            raise typer.Exit(128 + signum) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


def _catch_sigterm():
    """Install the SIGTERM handler in the main thread; return the one it replaces."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_terminated)


def _configure_logging(verbose: int, quiet: bool = False) -> None:
    if verbose:
        level = logging.DEBUG if verbose >= 2 else logging.INFO
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        return
    # Library warnings read like the notes of warnings.warn; --quiet hides both.
    package_logger = logging.getLogger("mfrec")
    package_logger.setLevel(logging.ERROR if quiet else logging.WARNING)
    if not any(getattr(h, "_mfrec_note", False) for h in package_logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("note: %(message)s"))
        handler._mfrec_note = True  # type: ignore[attr-defined]
        package_logger.addHandler(handler)


def _show_warning(quiet: bool):
    def show(message, category, filename, lineno, file=None, line=None):
        if not quiet:
            typer.echo(f"note: {message}", err=True)

    return show


def reading_options(
    sep: str | None, header: str, encoding: str, on_bad_lines: BadLines, duplicates: Duplicates,
    rating_scale: str | None, user: str | None, item: str | None, rating: str | None,
) -> dict[str, Any]:
    """Convert the shared CLI reading flags into ``read_ratings`` keyword arguments."""
    header_value: bool | str = {"auto": "auto", "yes": True, "no": False}.get(header.lower(), None)
    if header_value is None:
        raise typer.BadParameter(f"--header must be auto, yes or no, got {header!r}")
    return {
        "sep": _unescape(sep),
        "header": header_value,
        "encoding": encoding,
        "on_bad_lines": on_bad_lines.value,
        "duplicates": duplicates.value,
        "rating_scale": parse_scale(rating_scale),
        "user": _column(user),
        "item": _column(item),
        "rating": _column(rating),
    }


def _unescape(sep: str | None) -> str | None:
    if sep is None:
        return None
    return {"\\t": "\t", "tab": "\t", "space": "whitespace"}.get(sep, sep)


def _column(value: str | None) -> str | int | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def parse_scale(text: str | None) -> tuple[float, float] | None:
    """Parse ``"1,5"`` into ``(1.0, 5.0)``."""
    if text is None:
        return None
    parts = text.split(",")
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise typer.BadParameter(f"--rating-scale must be LOW,HIGH such as 1,5 or -10,10; got {text!r}") from None
    return low, high


def print_json(document: Any) -> None:
    """Print one JSON document on stdout."""
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


def id_text(value: Any) -> str:
    """Render an ID for JSON output: always a string, so 64-bit IDs survive JavaScript."""
    return str(value)
