"""A rich progress bar on standard error for multi-step commands (folds, trials)."""

from __future__ import annotations


class TaskProgress:
    """Context manager showing ``done/total`` steps and a status text; a no-op when disabled."""

    def __init__(self, label: str, total: int, *, enabled: bool):
        self.label = label
        self.total = total
        self.enabled = enabled

    def __enter__(self) -> TaskProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(), console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total, status="")
        return self

    def advance(self, status: str = "") -> None:
        """Mark one more step done and show ``status`` beside the bar."""
        if self.enabled:
            self._progress.update(self._task, advance=1, status=status)

    def __exit__(self, *exc_info) -> None:
        if self.enabled:
            self._progress.stop()
