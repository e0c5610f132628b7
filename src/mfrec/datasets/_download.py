"""Fetch, verify and unpack dataset archives into the cache, atomically.

An archive is downloaded to a temporary ``.part`` file and renamed only after its
checksum matches, and it is unpacked into a temporary folder that is renamed into place
and marked complete last. An interrupted download or unpack therefore never looks like
a finished one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..exceptions import MfrecError
from ._registry import PUBLISHER_URL, DatasetInfo

logger = logging.getLogger(__name__)

__all__ = ["ChecksumError", "cache_dir", "fetch"]

#: File that marks an unpacked folder as complete; it contains the archive's SHA-256.
COMPLETE_MARKER = ".mfrec-complete"

_CHUNK = 1 << 20


class ChecksumError(MfrecError, ValueError):
    """A downloaded or mirrored archive does not match its recorded checksum."""


def cache_dir() -> Path:
    """Return the dataset cache: ``MFREC_DATA`` when set, else the platform's user cache.

    The platform cache is ``~/.cache/mfrec`` (or ``$XDG_CACHE_HOME/mfrec``) on Linux,
    ``~/Library/Caches/mfrec`` on macOS and ``%LOCALAPPDATA%\\mfrec\\Cache`` on Windows.
    """
    configured = os.environ.get("MFREC_DATA")
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "mfrec" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "mfrec"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mfrec"


def fetch(
    dataset: DatasetInfo,
    *,
    cache: Path | None = None,
    sha256: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Return the folder holding the dataset's files, downloading and unpacking it when needed.

    The source is ``MFREC_DATASET_MIRROR`` when set (a local folder, or a URL of one),
    else the publisher. A local mirror may hold the publisher's zip archive or the
    already extracted folder; an extracted folder is used in place.

    Raises
    ------
    ChecksumError
        If the archive does not match ``sha256`` (default: the registry's digest). The
        bad archive is deleted.
    OSError
        If the download fails or the cache cannot be written.
    """
    cache = Path(cache) if cache is not None else cache_dir()
    target = cache / dataset.folder
    if (target / COMPLETE_MARKER).exists():
        return target

    mirror = os.environ.get("MFREC_DATASET_MIRROR")
    extracted = _mirrored_folder(mirror, dataset)
    if extracted is not None:
        logger.info("using the extracted %s folder of the mirror %s as is (no archive to verify)", dataset.name, mirror)
        return extracted

    archive = cache / dataset.archive
    cache.mkdir(parents=True, exist_ok=True)
    expected = sha256 or dataset.sha256
    if not archive.exists():
        _download(_source_url(mirror, dataset.archive), archive, dataset, expected, progress)
    digest = _verify(archive, dataset, expected, mirror)
    _unpack(archive, target, cache, digest)
    return target


def _mirrored_folder(mirror: str | None, dataset: DatasetInfo) -> Path | None:
    if not mirror or _is_url(mirror):
        return None
    folder = Path(mirror).expanduser() / dataset.folder
    if (folder / dataset.ratings_file).is_file():
        return folder
    return None


def _source_url(mirror: str | None, archive: str) -> str:
    if not mirror:
        return PUBLISHER_URL + archive
    if _is_url(mirror):
        return mirror.rstrip("/") + "/" + archive
    return (Path(mirror).expanduser().resolve() / archive).as_uri()


def _is_url(text: str) -> bool:
    return urllib.parse.urlparse(text).scheme in ("http", "https", "file")


def _download(url: str, archive: Path, dataset: DatasetInfo, expected: str | None, progress) -> None:
    logger.info("downloading %s from %s", dataset.name, url)
    handle, partial = tempfile.mkstemp(prefix=archive.name + ".", suffix=".part", dir=archive.parent)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or dataset.size
            done = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        os.replace(partial, archive)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _verify(archive: Path, dataset: DatasetInfo, expected: str | None, mirror: str | None) -> str:
    """Check the archive against its SHA-256 (or the publisher's MD5); return its SHA-256."""
    sha256 = _digest(archive, "sha256")
    if expected is not None:
        if sha256 != expected.lower():
            _reject(archive, f"SHA-256 {sha256}, expected {expected}")
        return sha256
    md5 = dataset.md5 or _published_md5(mirror, dataset)
    if _digest(archive, "md5") != md5:
        _reject(archive, f"MD5 {_digest(archive, 'md5')}, expected {md5}")
    return sha256


def _published_md5(mirror: str | None, dataset: DatasetInfo) -> str:
    # NOTE: no SHA-256 of this archive is recorded here, so the MD5 comes from the file
    # the publisher serves beside it: it guards against damage, not against tampering.
    url = _source_url(mirror, dataset.archive + ".md5")
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("ascii", errors="replace").split()[0].strip().lower()


def _reject(archive: Path, detail: str) -> None:
    archive.unlink(missing_ok=True)
    raise ChecksumError(
        f"{archive.name} failed its checksum ({detail}); the archive was deleted. "
        f"Download it again, or check the mirror set in MFREC_DATASET_MIRROR"
    )


def _unpack(archive: Path, target: Path, cache: Path, digest: str) -> None:
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", suffix=".unpacking", dir=cache))
    try:
        with zipfile.ZipFile(archive) as bundle:
            _check_members(bundle, archive)
            bundle.extractall(staging)
        unpacked = staging / target.name
        if not unpacked.is_dir():
            raise ChecksumError(f"{archive.name} has no top-level folder {target.name!r}; it is not the expected archive")
        (unpacked / COMPLETE_MARKER).write_text(digest + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(unpacked, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_members(bundle: zipfile.ZipFile, archive: Path) -> None:
    for name in bundle.namelist():
        if name.startswith(("/", "\\")) or ".." in Path(name).parts:
            raise ChecksumError(f"{archive.name} contains the unsafe path {name!r}; it was not unpacked")


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
