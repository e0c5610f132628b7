"""The MovieLens archives mfrec can download: where they live, their checksums, their layout."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATASETS", "PUBLISHER_URL", "DatasetInfo", "info"]

#: Base URL of the MovieLens archives at GroupLens.
PUBLISHER_URL = "https://files.grouplens.org/datasets/movielens/"


@dataclass(frozen=True)
class DatasetInfo:
    """One downloadable dataset.

    Attributes
    ----------
    name : str
        Name used by :func:`mfrec.datasets.load`, such as ``"ml-100k"``.
    archive : str
        File name of the zip archive at the publisher.
    folder : str
        Top-level folder inside the archive.
    ratings_file : str
        Ratings file inside ``folder``.
    sep : str
        Field separator of the ratings file.
    header : bool
        Whether the ratings file starts with column names.
    sha256 : str or None
        SHA-256 of the archive; None where no verified digest is recorded, and the
        publisher's MD5 file is checked instead.
    md5 : str or None
        MD5 of the archive as published by GroupLens, used when ``sha256`` is None.
    size : int or None
        Archive size in bytes, for progress display.
    ratings : int
        Number of ratings, as documented by the publisher.
    """

    name: str
    archive: str
    folder: str
    ratings_file: str
    sep: str
    header: bool
    sha256: str | None
    md5: str | None
    size: int | None
    ratings: int


# The SHA-256 digests and sizes were published by TensorFlow Datasets for the same
# GroupLens URLs (tensorflow_datasets/url_checksums/movielens.txt). For ml-10m only the
# publisher's MD5 is recorded, and for ml-32m the publisher's ml-32m.zip.md5 file is read.
DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in (
        DatasetInfo(
            "ml-100k", "ml-100k.zip", "ml-100k", "u.data", "\t", False,
            "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229", None, 4924029, 100_000,
        ),
        DatasetInfo(
            "ml-1m", "ml-1m.zip", "ml-1m", "ratings.dat", "::", False,
            "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20", None, 5917549, 1_000_209,
        ),
        DatasetInfo(
            "ml-10m", "ml-10m.zip", "ml-10M100K", "ratings.dat", "::", False,
            None, "ce571fd55effeba0271552578f2648bd", None, 10_000_054,
        ),
        DatasetInfo(
            "ml-20m", "ml-20m.zip", "ml-20m", "ratings.csv", ",", True,
            "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3", None, 198702078, 20_000_263,
        ),
        DatasetInfo(
            "ml-25m", "ml-25m.zip", "ml-25m", "ratings.csv", ",", True,
            "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa", None, 261978986, 25_000_095,
        ),
        DatasetInfo(
            "ml-32m", "ml-32m.zip", "ml-32m", "ratings.csv", ",", True,
            None, None, None, 32_000_204,
        ),
        DatasetInfo(
            "ml-latest-small", "ml-latest-small.zip", "ml-latest-small", "ratings.csv", ",", True,
            "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436", None, 978202, 100_836,
        ),
    )
}


def info(name: str) -> DatasetInfo:
    """Return the registry entry of ``name``; raise ValueError naming the known datasets."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(DATASETS)}") from None
