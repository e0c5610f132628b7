"""The reading flags shared by every command that takes a ratings file."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import BadLines, Duplicates

Sep = Annotated[str | None, typer.Option("--sep", help="Field separator (',', '\\t' or tab, ';', '|', '::', space); detected when omitted.", rich_help_panel="Reading")]
Header = Annotated[str, typer.Option("--header", help="Whether line 1 contains column names: auto, yes or no.", rich_help_panel="Reading")]
Encoding = Annotated[str, typer.Option("--encoding", help="Text encoding of the file, decoded strictly.", rich_help_panel="Reading")]
OnBadLines = Annotated[BadLines, typer.Option("--on-bad-lines", help="error: stop at bad lines; skip: drop and count them.", rich_help_panel="Reading")]
DuplicatesOpt = Annotated[Duplicates, typer.Option("--duplicates", help="Several ratings of one (user, item): keep the last, average them, or stop.", rich_help_panel="Reading")]
RatingScale = Annotated[str | None, typer.Option("--rating-scale", help="Allowed rating range LOW,HIGH, such as 1,5; inferred from the data when omitted.", rich_help_panel="Reading")]
UserCol = Annotated[str | None, typer.Option("--user-column", help="User column, by name or 0-based position.", rich_help_panel="Reading")]
ItemCol = Annotated[str | None, typer.Option("--item-column", help="Item column, by name or 0-based position.", rich_help_panel="Reading")]
RatingCol = Annotated[str | None, typer.Option("--rating-column", help="Rating column, by name or 0-based position.", rich_help_panel="Reading")]
