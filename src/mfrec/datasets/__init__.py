"""Datasets: MovieLens latest-small ships inside the package for the demo and tests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["embedded_path", "load_embedded", "movie_titles"]

EMBEDDED = ("ml-latest-small",)


def embedded_path(name: str = "ml-latest-small") -> Path:
    """Return the folder of an embedded dataset (``ratings.csv``, ``movies.csv``, ``README.txt``)."""
    if name not in EMBEDDED:
        raise ValueError(f"no embedded dataset named {name!r}; embedded: {', '.join(EMBEDDED)}")
    return Path(str(resources.files(__package__) / "_embedded" / name))


def load_embedded(name: str = "ml-latest-small"):
    """Read the ratings of an embedded dataset into a :class:`mfrec.Ratings`."""
    from ..data import read_ratings

    return read_ratings(embedded_path(name) / "ratings.csv")


def movie_titles(name: str = "ml-latest-small") -> dict[int, str]:
    """Return ``{movieId: title}`` of an embedded MovieLens dataset."""
    import pyarrow.csv as pa_csv

    table = pa_csv.read_csv(embedded_path(name) / "movies.csv")
    return dict(zip(table.column("movieId").to_pylist(), table.column("title").to_pylist()))
