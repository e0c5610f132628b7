"""Atomic file writes: a crash or a signal never leaves a half-written file in place."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import IO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success, fsync it and rename it over ``path``.

    On any exception, including ``KeyboardInterrupt`` and the ``SystemExit`` that the
    CLI raises on SIGTERM, the temporary file is removed and ``path`` keeps its
    previous content. The new file gets the permissions of a newly created file
    (``0o666`` minus the umask), or those of the file it replaces.
    """
    path = os.fspath(path)
    directory = check_target(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    existing = _mode_of(path)
    # os.open applies the umask to 0o666, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if existing is not None:
            os.fchmod(fd, existing)
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def check_target(path: str | os.PathLike) -> str:
    """Raise OSError unless ``path`` can be written as a file; return its folder.

    Commands call this before long work, so a wrong output path fails at once.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"output directory does not exist: {directory}; create it first")
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write {path}: it is a directory; pass a file name")
    return directory


def _mode_of(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return None


def _fsync_directory(directory: str) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
