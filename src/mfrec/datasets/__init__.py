"""Datasets: MovieLens archives downloaded on demand, and latest-small embedded in the package.

:func:`load` downloads a MovieLens archive from GroupLens (or the mirror named by
``MFREC_DATASET_MIRROR``) into the cache (``MFREC_DATA`` or the platform's user cache),
verifies its checksum, unpacks it and reads the ratings. The embedded copy of
ml-latest-small needs no download and serves the demo.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ._download import COMPLETE_MARKER, ChecksumError, cache_dir, fetch
from ._registry import DATASETS, DatasetInfo, info

__all__ = [
    "DATASETS",
    "ChecksumError",
    "DatasetInfo",
    "cache_dir",
    "download",
    "embedded_path",
    "is_cached",
    "load",
    "load_embedded",
    "movie_titles",
]


def download(name: str, *, cache: str | Path | None = None, sha256: str | None = None, progress=None) -> Path:
    """Download, verify and unpack a dataset unless it is cached; return its folder.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`: ``ml-100k``, ``ml-1m``, ``ml-10m``, ``ml-20m``,
        ``ml-25m``, ``ml-32m``, ``ml-latest-small``.
    cache : path, optional
        Cache folder; default :func:`cache_dir`.
    sha256 : str, optional
        Expected SHA-256 of the archive, replacing the recorded one (for example after
        the publisher re-issues an archive).
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total_or_None)`` while downloading.

    Returns
    -------
    pathlib.Path
        The folder with the dataset's files.

    Raises
    ------
    ChecksumError
        If the archive does not match its checksum; the archive is deleted.
    """
    return fetch(info(name), cache=None if cache is None else Path(cache), sha256=sha256, progress=progress)


def load(name: str, *, cache: str | Path | None = None, sha256: str | None = None):
    """Return the ratings of a MovieLens dataset, downloading it first when needed.

    The ratings file is read with the dataset's own separator (tab for ml-100k, ``::``
    for ml-1m and ml-10m, comma otherwise) and keeps its timestamps. Parameters are as
    for :func:`download`. ``ml-latest-small`` ships with mfrec: without a cached copy,
    a mirror or an explicit ``sha256``, the copy inside the package is read and nothing
    is downloaded.

    Returns
    -------
    Ratings
    """
    from ..data import read_ratings

    dataset = info(name)
    if sha256 is None and _use_embedded(name, cache):
        return load_embedded(name)
    folder = download(name, cache=cache, sha256=sha256)
    return read_ratings(
        folder / dataset.ratings_file, user=0, item=1, rating=2, timestamp=3,
        sep=dataset.sep, header=dataset.header,
    )


def is_cached(name: str, *, cache: str | Path | None = None) -> bool:
    """Return whether ``name`` is unpacked and complete in the cache."""
    dataset = info(name)
    folder = (Path(cache) if cache is not None else cache_dir()) / dataset.folder
    return (folder / COMPLETE_MARKER).exists()

EMBEDDED = ("ml-latest-small",)


def _use_embedded(name: str, cache) -> bool:
    if name not in EMBEDDED or os.environ.get("MFREC_DATASET_MIRROR"):
        return False
    return not is_cached(name, cache=cache)


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
