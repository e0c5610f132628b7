"""``mfrec demo``: the whole job on the embedded MovieLens data, or the K-drama story."""

from __future__ import annotations

import sys
import time
import warnings
from typing import Annotated

import numpy as np
import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from ..data import read_ratings
from ..datasets import load_embedded, movie_titles
from ..evaluation import evaluate
from ..models import MatrixFactorization
from ..split import random_split
from ._common import QuietOption, VerboseOption, handle_errors

VIEWERS = ("Sarah", "Jason", "Emily", "Daniel")
DRAMAS = ("Crash Landing on You", "Goblin", "Descendants of the Sun", "Itaewon Class", "Hotel Del Luna")
# Stars (1-5) each viewer gave; 0 marks a drama the viewer has not rated.
STORY_STARS = (
    (5, 4, 0, 1, 4),
    (1, 0, 2, 5, 0),
    (4, 5, 5, 0, 4),
    (0, 1, 1, 4, 2),
)
DEMO_USERS = (1, 2, 3)


@handle_errors
def demo(
    story: Annotated[bool, typer.Option("--story", help="Explain the method on four viewers and five K-dramas.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Run the whole job on MovieLens latest-small shipped with mfrec."""
    console = Console()
    if story:
        run_story(console)
    else:
        run_movielens(console, progress=not quiet and sys.stderr.isatty())


def run_movielens(console: Console, *, progress: bool) -> None:
    """Hold out 10% of MovieLens latest-small, train, report RMSE and a few top-5 lists."""
    ratings = load_embedded("ml-latest-small")
    train, test = random_split(ratings, test_fraction=0.1, seed=0)
    console.print(f"MovieLens latest-small: {len(ratings):,} ratings, {ratings.n_users} users, {ratings.n_items:,} movies")
    console.print(f"training on {len(train):,} ratings, holding out {len(test):,} (10%, seed 0)")
    started = time.perf_counter()
    model = MatrixFactorization().fit(train, progress=progress)
    result = evaluate(model, test)
    console.print(f"fitted {model.factors} factors, {model.epochs} epochs in {time.perf_counter() - started:.1f} s")
    console.print(f"held-out RMSE [bold]{result['rmse']:.4f}[/], MAE {result['mae']:.4f}")
    titles = movie_titles("ml-latest-small")
    console.print(f"lists ranked by the {model.recommend_rule!r} rule")
    for user in DEMO_USERS:
        table = Table(title=f"top 5 for user {user}", show_lines=False)
        table.add_column("rank", justify="right")
        table.add_column("movie")
        table.add_column("predicted rating", justify="right")
        recs = model.recommend(user, n=5)
        ratings = model.predict(user, recs.items).rating
        for rank, item, rating in zip(recs.rank, recs.items, ratings):
            table.add_row(str(rank), titles.get(item, str(item)), f"{rating:.2f}")
        console.print(table)


def story_ratings():
    """Return the K-drama story's known ratings as a :class:`mfrec.Ratings`."""
    users, items, stars = [], [], []
    for viewer, row in zip(VIEWERS, STORY_STARS):
        for drama, value in zip(DRAMAS, row):
            if value:
                users.append(viewer)
                items.append(drama)
                stars.append(float(value))
    return read_ratings(pa.table({"user": users, "item": items, "rating": stars}), rating_scale=(1, 5))


def story_model():
    """Fit the small model of the story: two taste factors, many epochs on 15 ratings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ratings = story_ratings()
    model = MatrixFactorization(objective="rating", factors=2, epochs=1500, learning_rate=0.02, regularization=0.02, bias_regularization=0.02, init_std=0.3, seed=7)
    return model.fit(ratings)


def run_story(console: Console) -> None:
    """Print the known table, the predicted full table and each viewer's recommendation."""
    console.print(
        "Four viewers rated some of five K-dramas (1-5 stars; '.' = not seen). Matrix "
        "factorization gives each viewer and each drama two hidden 'taste' numbers, plus a "
        "viewer and a drama bias, fitted so that mean + biases + taste match the known stars."
    )
    model = story_model()
    known = Table(title="known ratings")
    guessed = Table(title="predicted ratings (bold = filled in)")
    for table in (known, guessed):
        table.add_column("viewer")
        for drama in DRAMAS:
            table.add_column(drama, justify="center")
    for viewer, stars in zip(VIEWERS, STORY_STARS):
        predicted = np.asarray(model.predict(viewer, list(DRAMAS)).rating)
        known.add_row(viewer, *[str(s) if s else "." for s in stars])
        guessed.add_row(viewer, *[f"{p:.1f}" if s else f"[bold]{p:.1f}[/]" for s, p in zip(stars, predicted)])
    console.print(known)
    console.print(guessed)
    for viewer in VIEWERS:
        best = model.recommend(viewer, n=1).item[0]
        stars = model.predict(viewer, best).rating[0]
        console.print(f"recommend to {viewer}: [bold]{best}[/] (predicted {stars:.1f} stars)")
