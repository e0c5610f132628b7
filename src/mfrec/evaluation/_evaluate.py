"""Evaluate a fitted model on held-out ratings."""

from __future__ import annotations

import numpy as np

from ..data.ratings import Ratings
from .accuracy import mae, rmse


def map_to_model(model, test: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Map the test ratings' users and items onto the model's indices (-1 when unknown)."""
    user_map = model.users_.lookup(test.users.ids)
    item_map = model.items_.lookup(test.items.ids)
    return user_map[test.user_index], item_map[test.item_index]


def evaluate(model, test: Ratings) -> dict:
    """Return RMSE and MAE of ``model`` on ``test`` plus the row counts.

    Rows with an unknown user or item are scored with the model's fallback rule and
    counted in ``rows_unknown_user`` and ``rows_unknown_item``.
    """
    model._check_fitted()
    users, items = map_to_model(model, test)
    predicted = model.predict_indices(users, items)
    return {
        "rmse": rmse(test.rating, predicted),
        "mae": mae(test.rating, predicted),
        "rows": len(test),
        "rows_unknown_user": int((users < 0).sum()),
        "rows_unknown_item": int((items < 0).sum()),
    }
