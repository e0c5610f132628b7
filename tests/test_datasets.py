"""Dataset loading through a local mirror: extracted folders, archives, checksums, cache."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from mfrec import datasets
from mfrec.datasets import COMPLETE_MARKER, ChecksumError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MFREC_DATA", str(folder))
    return folder


@pytest.fixture
def shared_mirror(monkeypatch, ml100k):
    monkeypatch.setenv("MFREC_DATASET_MIRROR", str(ml100k.parent))


def _zip_bytes(folder: str, files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}/{name}", text)
    return buffer.getvalue()


@pytest.fixture
def archive_mirror(tmp_path, monkeypatch):
    """A mirror folder holding a small, home-made ml-100k.zip."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    payload = _zip_bytes("ml-100k", {"u.data": "1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n"})
    (mirror / "ml-100k.zip").write_bytes(payload)
    monkeypatch.setenv("MFREC_DATASET_MIRROR", str(mirror))
    return mirror, hashlib.sha256(payload).hexdigest()


def test_load_ml100k_from_extracted_mirror(cache, shared_mirror):
    ratings = datasets.load("ml-100k")
    assert len(ratings) == 100_000
    assert ratings.n_users == 943
    assert ratings.n_items == 1682
    assert ratings.timestamp is not None


def test_load_latest_small_reads_header_and_half_stars(cache, shared_mirror):
    ratings = datasets.load("ml-latest-small")
    assert len(ratings) == 100_836
    assert ratings.rating_scale == (0.5, 5.0)


def test_load_unknown_name():
    with pytest.raises(ValueError, match="unknown dataset 'ml-5k'; available: ml-100k, ml-1m"):
        datasets.load("ml-5k")


def test_corrupted_archive_is_rejected(cache, archive_mirror):
    # The home-made archive is not the publisher's, so the recorded SHA-256 cannot match.
    with pytest.raises(ChecksumError, match="ml-100k.zip failed its checksum"):
        datasets.load("ml-100k")
    assert not (cache / "ml-100k.zip").exists()
    assert not (cache / "ml-100k").exists()
    assert not datasets.is_cached("ml-100k")


def test_archive_with_matching_checksum_is_unpacked(cache, archive_mirror):
    _, digest = archive_mirror
    ratings = datasets.load("ml-100k", sha256=digest)
    assert len(ratings) == 3
    assert (cache / "ml-100k" / COMPLETE_MARKER).read_text().strip() == digest
    assert datasets.is_cached("ml-100k")


def test_cached_dataset_needs_no_mirror(cache, archive_mirror, monkeypatch):
    _, digest = archive_mirror
    datasets.download("ml-100k", sha256=digest)
    monkeypatch.setenv("MFREC_DATASET_MIRROR", "/nonexistent-mirror")
    assert len(datasets.load("ml-100k")) == 3


def test_partial_unpack_is_not_complete(cache, archive_mirror):
    _, digest = archive_mirror
    # A folder without the completion marker, as an interrupted unpack leaves it.
    (cache / "ml-100k").mkdir(parents=True)
    (cache / "ml-100k" / "u.data").write_text("1\t10\t5\t0\n")
    assert not datasets.is_cached("ml-100k")
    assert len(datasets.load("ml-100k", sha256=digest)) == 3


def test_truncated_cached_archive_is_rejected(cache, archive_mirror):
    mirror, digest = archive_mirror
    cache.mkdir()
    (cache / "ml-100k.zip").write_bytes((mirror / "ml-100k.zip").read_bytes()[:50])
    with pytest.raises(ChecksumError, match="expected " + digest):
        datasets.load("ml-100k", sha256=digest)


def test_cache_dir_follows_environment(cache):
    assert datasets.cache_dir() == cache


def test_registry_lists_every_movielens_size():
    assert list(datasets.DATASETS) == ["ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m", "ml-latest-small"]
    assert datasets.DATASETS["ml-1m"].sep == "::"


def test_embedded_dataset_still_loads():
    assert len(datasets.load_embedded()) == 100_836


def test_load_latest_small_reads_embedded_copy_without_mirror(cache, monkeypatch):
    monkeypatch.delenv("MFREC_DATASET_MIRROR", raising=False)
    ratings = datasets.load("ml-latest-small")
    assert len(ratings) == 100_836
    assert ratings.n_users == 610
    assert not datasets.is_cached("ml-latest-small")
