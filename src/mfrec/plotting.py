"""Learning curves: training and held-out RMSE per epoch, drawn with matplotlib.

matplotlib is an optional extra (``pip install 'mfrec[plot]'``); it is imported only
when a plot is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

__all__ = ["plot_learning_curves"]


def plot_learning_curves(
    histories: Sequence[Sequence[dict]],
    path: str | os.PathLike | None = None,
    *,
    labels: Sequence[str] | None = None,
    held_out_label: str = "validation",
    title: str | None = None,
):
    """Draw one training and one held-out RMSE line per model history.

    Parameters
    ----------
    histories : sequence of history lists
        Each is a fitted model's ``history_``: dicts with ``epoch``, ``train_rmse``
        and, when the model was fitted with validation data, ``validation_rmse``.
    path : path, optional
        Write the figure there; the format follows the suffix (``.png``, ``.svg``,
        ``.pdf``).
    labels : sequence of str, optional
        One label per history, such as ``"fold 1"``; default ``"fold 1"``,
        ``"fold 2"``, ... for several histories and none for one.
    held_out_label : str
        Name of the held-out curve in the legend: ``"validation"`` or ``"test"``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    ValueError
        If no history has an epoch to draw.
    """
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise ImportError("plotting needs matplotlib; install it with: pip install 'mfrec[plot]'") from None
    histories = [list(history) for history in histories]
    if not any(histories):
        raise ValueError("no epochs to plot; fit a model with epochs >= 1 first")
    if labels is None:
        labels = [f"fold {n}" for n in range(1, len(histories) + 1)] if len(histories) > 1 else [""]
    if len(labels) != len(histories):
        raise ValueError(f"labels must have one entry per history ({len(histories)}), got {len(labels)}")

    figure = Figure(figsize=(7, 4.5), layout="constrained")
    axes = figure.subplots()
    for number, (history, label) in enumerate(zip(histories, labels)):
        color = f"C{number % 10}"
        prefix = f"{label} " if label else ""
        epochs = [entry["epoch"] for entry in history]
        axes.plot(epochs, [entry["train_rmse"] for entry in history], color=color, linestyle="--", label=f"{prefix}train")
        held_out = [entry.get("validation_rmse") for entry in history]
        if any(value is not None for value in held_out):
            axes.plot(epochs, held_out, color=color, label=f"{prefix}{held_out_label}")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("RMSE")
    axes.set_title(title or "Learning curves")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small", ncols=2 if len(histories) > 2 else 1)
    if path is not None:
        figure.savefig(os.fspath(path), dpi=120)
    return figure


def matplotlib_missing() -> str | None:
    """Return an error message naming the extra to install when matplotlib is missing, else None."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "plotting needs matplotlib; install it with: pip install 'mfrec[plot]'"
    return None
