"""A rich progress bar over training epochs, shared by the estimators."""

from __future__ import annotations

from collections.abc import Callable


class progress_bar:
    """Context manager yielding an ``update(entry)`` function; a no-op when disabled.

    Parameters
    ----------
    enabled : bool
        Draw the bar (on standard error) only when True and ``total`` > 0.
    total : int
        Number of epochs or sweeps.
    label : str
        Text before the bar.
    describe : callable
        Turns one history entry into the text shown after the bar.
    """

    def __init__(self, enabled: bool, total: int, label: str, describe: Callable[[dict], str]):
        self.enabled = enabled and total > 0
        self.total = total
        self.label = label
        self.describe = describe

    def __enter__(self):
        if not self.enabled:
            return lambda entry: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn(self.label), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
        )
        self._progress.start()
        task = self._progress.add_task(self.label, total=self.total, status="")

        def update(entry: dict) -> None:
            self._progress.update(task, advance=1, status=self.describe(entry))

        return update

    def __exit__(self, *exc_info) -> None:
        if self.enabled:
            self._progress.stop()
