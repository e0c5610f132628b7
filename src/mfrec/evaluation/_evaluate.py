"""Evaluate a fitted model on held-out ratings with any mix of named metrics."""

from __future__ import annotations

import re

import numpy as np

from ..data.ratings import Ratings
from ._ranking_eval import RANKING_METRICS, evaluate_ranking
from .accuracy import fcp, mae, rmse

__all__ = ["ACCURACY_METRICS", "evaluate", "parse_metrics"]

#: Rating-accuracy metrics computed from the predictions of the test pairs.
ACCURACY_METRICS = ("rmse", "mae", "fcp")

_RANKED = re.compile(r"^(?P<name>[a-z]+)@(?P<k>[0-9]+)$")


def map_to_model(model, test: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Map the test ratings' users and items onto the model's indices (-1 when unknown)."""
    user_map = model.users_.lookup(test.users.ids)
    item_map = model.items_.lookup(test.items.ids)
    return user_map[test.user_index], item_map[test.item_index]


def parse_metrics(metrics) -> list[tuple[str, str, int | None]]:
    """Parse metric names such as ``"rmse"`` or ``"NDCG@10"`` into ``(label, name, k)``.

    The label is the lower-case name as written; ``k`` is None for accuracy metrics.
    A comma-separated string is accepted in place of a sequence.
    """
    if isinstance(metrics, str):
        metrics = [part for part in metrics.split(",")]
    parsed = []
    for raw in metrics:
        label = str(raw).strip().lower()
        match = _RANKED.match(label)
        if label in ACCURACY_METRICS:
            parsed.append((label, label, None))
        elif match and match["name"] in RANKING_METRICS and int(match["k"]) >= 1:
            parsed.append((label, match["name"], int(match["k"])))
        else:
            allowed = ", ".join(ACCURACY_METRICS) + ", " + ", ".join(f"{name}@K" for name in RANKING_METRICS)
            raise ValueError(f"unknown metric {raw!r}; use {allowed} (K an integer >= 1)")
    if not parsed:
        raise ValueError("metrics is empty; name at least one metric, for example rmse")
    return list(dict.fromkeys(parsed))


def evaluate(model, test: Ratings, *, metrics=("rmse", "mae"), threshold: float = 4.0) -> dict:
    """Evaluate ``model`` on held-out ratings and return each metric under its name.

    Parameters
    ----------
    model : fitted model
    test : Ratings
        Held-out ratings; IDs are matched to the model's by value.
    metrics : sequence of str or str
        Names from ``rmse``, ``mae``, ``fcp`` and ``precision@k``, ``recall@k``,
        ``ndcg@k``, ``map@k``, ``mrr@k``, ``hit@k``, ``coverage@k`` (any ``k`` >= 1),
        or one comma-separated string of them. Names are case-insensitive.
    threshold : float
        Lowest test rating that makes an item relevant for the ranking metrics.

    Returns
    -------
    dict
        One float per metric, keyed by its lower-case name, then ``rows``,
        ``rows_unknown_user`` and ``rows_unknown_item``. With ranking metrics it also
        has ``users_evaluated`` and ``users_without_relevant``, the users left out of
        the ranking means because no test rating of theirs reaches ``threshold``.

    Notes
    -----
    Rows with an unknown user or item are scored with the model's fallback rule and
    counted in ``rows_unknown_user`` and ``rows_unknown_item``. Ranking metrics follow
    :func:`evaluate_ranking`.
    """
    model._check_fitted()
    parsed = parse_metrics(metrics)
    users, items = map_to_model(model, test)
    result: dict = {}
    if any(k is None for _, _, k in parsed):
        predicted = model.predict_indices(users, items)
        accuracy = {"rmse": rmse, "mae": mae}
        for label, name, k in parsed:
            if name == "fcp":
                result[label] = fcp(test.rating, predicted, test.user_index)
            elif k is None:
                result[label] = accuracy[name](test.rating, predicted)
    ranking_reports = {}
    for k in sorted({k for _, _, k in parsed if k is not None}):
        ranking_reports[k] = evaluate_ranking(model, test, k=k, threshold=threshold)
    for label, name, k in parsed:
        if k is not None:
            result[label] = ranking_reports[k].metrics[f"{name}@{k}"]
    ordered = {label: result[label] for label, _, _ in parsed}
    ordered.update(rows=len(test), rows_unknown_user=int((users < 0).sum()), rows_unknown_item=int((items < 0).sum()))
    if ranking_reports:
        report = next(iter(ranking_reports.values()))
        ordered.update(users_evaluated=report.users_evaluated, users_without_relevant=report.users_without_relevant)
    return ordered
