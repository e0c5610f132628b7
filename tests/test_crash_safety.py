"""Crash-safe model files: interrupted training and saving, damaged and foreign files."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mfrec import ModelFileError, load_model
from mfrec._atomic import atomic_write
from mfrec.persistence import FORMAT_VERSION

RUN_CLI = "import sys; from mfrec.cli import main; sys.argv[0] = 'mfrec'; main()"
# Runs the CLI with a pause after each archive entry, so a signal can arrive mid-save.
RUN_CLI_SLOW_SAVE = """
import sys, time, zipfile
original = zipfile.ZipFile.writestr
def slow(self, *args, **kwargs):
    original(self, *args, **kwargs)
    sys.stderr.write("entry written\\n")
    sys.stderr.flush()
    time.sleep(0.3)
zipfile.ZipFile.writestr = slow
from mfrec.cli import main
sys.argv[0] = "mfrec"
main()
"""


@pytest.fixture(scope="module")
def ratings_file(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    n = 20_000
    users = rng.integers(0, 400, n)
    items = rng.integers(0, 300, n)
    stars = rng.integers(1, 6, n)
    path = tmp_path_factory.mktemp("data") / "ratings.csv"
    path.write_text("user,item,rating\n" + "".join(f"{u},{i},{r}\n" for u, i, r in zip(users, items, stars)))
    return path


@pytest.fixture(scope="module")
def trained_bytes(tmp_path_factory, ratings_file) -> bytes:
    model = tmp_path_factory.mktemp("model") / "model.mfrec"
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "train", str(ratings_file), "-o", str(model), "--epochs", "1", "--factors", "4", "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return model.read_bytes()


@pytest.fixture
def previous_model(tmp_path, trained_bytes) -> tuple[Path, bytes]:
    """A model written by ``mfrec train``, alone in a fresh folder, and its bytes."""
    model = tmp_path / "model.mfrec"
    model.write_bytes(trained_bytes)
    return model, trained_bytes


def interrupt(command: list[str], marker: str, signum: int) -> subprocess.CompletedProcess:
    """Start ``command``, wait for ``marker`` on its stderr, send ``signum`` to it, and wait."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        seen = []
        for line in process.stderr:
            seen.append(line)
            if marker in line:
                break
        else:
            pytest.fail(f"the command ended before printing {marker!r}: {''.join(seen)}")
        time.sleep(0.5)
        os.kill(process.pid, signum)
        rest = process.stderr.read()
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    return subprocess.CompletedProcess(command, process.returncode, "", "".join(seen) + rest)


def assert_untouched(model: Path, before: bytes) -> None:
    assert model.read_bytes() == before
    assert sorted(p.name for p in model.parent.iterdir()) == [model.name]
    load_model(model)


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_training_keeps_previous_model(ratings_file, previous_model, signum, exit_code):
    model, before = previous_model
    command = [
        sys.executable, "-c", RUN_CLI, "train", str(ratings_file), "-o", str(model),
        "--epochs", "1000000", "--factors", "4",
    ]
    done = interrupt(command, "rows read", signum)
    assert done.returncode == exit_code, done.stderr
    assert "error: interrupted" in done.stderr
    assert "Traceback" not in done.stderr
    assert_untouched(model, before)


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_during_save_keeps_previous_model(ratings_file, previous_model, signum, exit_code):
    model, before = previous_model
    command = [
        sys.executable, "-c", RUN_CLI_SLOW_SAVE, "train", str(ratings_file), "-o", str(model),
        "--epochs", "2", "--factors", "4", "--seed", "7",
    ]
    done = interrupt(command, "entry written", signum)
    assert done.returncode == exit_code, done.stderr
    assert_untouched(model, before)


def test_atomic_write_error_keeps_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as handle:
            handle.write(b"partial new content")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_atomic_write_keeps_mode_of_replaced_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_write(target) as handle:
        handle.write(b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_atomic_write_new_file_follows_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.bin") as handle:
            handle.write(b"x")
    finally:
        os.umask(old)
    # 0o666 minus the umask 0o022; a bare temporary file would be 0o600.
    assert (tmp_path / "new.bin").stat().st_mode & 0o777 == 0o644


def test_atomic_write_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="output directory does not exist"):
        with atomic_write(tmp_path / "nope" / "out.bin"):
            pass


# --- loading damaged, foreign and newer files -------------------------------------------


def rewrite(source: Path, target: Path, change) -> None:
    """Copy a model archive entry by entry, passing each (name, bytes) through ``change``."""
    with zipfile.ZipFile(source) as archive:
        entries = [(name, archive.read(name)) for name in archive.namelist()]
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in entries:
            archive.writestr(name, change(name, data))


def edit_metadata(source: Path, target: Path, **changes) -> None:
    def change(name, data):
        if name != "metadata.json":
            return data
        metadata = json.loads(data)
        metadata.update(changes)
        return json.dumps(metadata)

    rewrite(source, target, change)


def test_truncated_file(tmp_path, previous_model):
    model, before = previous_model
    cut = tmp_path / "cut.mfrec"
    cut.write_bytes(before[: len(before) // 2])
    with pytest.raises(ModelFileError, match=r"cut.mfrec is not a readable mfrec model file .*it may be truncated"):
        load_model(cut)


def test_flipped_byte_in_arrays(tmp_path, previous_model):
    model, before = previous_model
    damaged = bytearray(before)
    start = before.index(b"arrays/user_factors.npy")
    damaged[start + 200] ^= 0xFF
    edited = tmp_path / "edited.mfrec"
    edited.write_bytes(bytes(damaged))
    with pytest.raises(ModelFileError, match="edited.mfrec is (not a readable mfrec model file|damaged)"):
        load_model(edited)


def test_edited_array_fails_checksum(tmp_path, previous_model):
    model, _ = previous_model
    edited = tmp_path / "edited.mfrec"

    def change(name, data):
        if name != "arrays/item_bias.npy":
            return data
        values = np.load(io.BytesIO(data))
        buffer = io.BytesIO()
        np.save(buffer, values + 1)
        return buffer.getvalue()

    rewrite(model, edited, change)
    with pytest.raises(ModelFileError, match="is damaged: the arrays do not match the checksum"):
        load_model(edited)


def test_edited_metadata_fails_checksum(tmp_path, previous_model):
    model, _ = previous_model
    edited = tmp_path / "edited.mfrec"
    edit_metadata(model, edited, global_mean=4.5)
    with pytest.raises(ModelFileError, match="is damaged: its metadata does not match its checksum"):
        load_model(edited)


def test_newer_format_version_names_both(tmp_path, previous_model):
    model, _ = previous_model
    newer = tmp_path / "newer.mfrec"
    edit_metadata(model, newer, format_version=FORMAT_VERSION + 1)
    with pytest.raises(
        ModelFileError,
        match=f"uses model format version {FORMAT_VERSION + 1}, but this mfrec reads versions up to {FORMAT_VERSION}; upgrade mfrec",
    ):
        load_model(newer)


def test_invalid_format_version(tmp_path, previous_model):
    model, _ = previous_model
    broken = tmp_path / "broken.mfrec"
    edit_metadata(model, broken, format_version="one")
    with pytest.raises(ModelFileError, match="has an invalid model format version 'one'"):
        load_model(broken)


def test_foreign_files(tmp_path, ratings_file):
    with pytest.raises(ModelFileError, match="is not a readable mfrec model file"):
        load_model(ratings_file)

    plain_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="is not an mfrec model file: it has no metadata.json"):
        load_model(plain_zip)

    other_format = tmp_path / "other-format.zip"
    with zipfile.ZipFile(other_format, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"format": "something-else"}))
    with pytest.raises(ModelFileError, match=r"is not an mfrec model file \(format 'something-else'\)"):
        load_model(other_format)

    with pytest.raises(ModelFileError, match="model file not found"):
        load_model(tmp_path / "missing.mfrec")


def test_unknown_model_class(tmp_path, previous_model):
    model, _ = previous_model
    edited = tmp_path / "class.mfrec"

    def change(name, data):
        if name != "metadata.json":
            return data
        metadata = json.loads(data)
        metadata["model"] = "_base"
        del metadata["metadata_sha256"]  # as in a file written before that checksum
        return json.dumps(metadata)

    rewrite(model, edited, change)
    with pytest.raises(ModelFileError, match="holds a model of unknown class '_base'; upgrade mfrec"):
        load_model(edited)


class _Marker:
    """Unpickling this creates a file; the test checks that it never happens."""

    path = ""

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickled_array_is_never_loaded(tmp_path, previous_model):
    model, _ = previous_model
    marker = tmp_path / "unpickled"
    _Marker.path = str(marker)
    evil = tmp_path / "evil.mfrec"

    def change(name, data):
        if name != "arrays/item_bias.npy":
            return data
        buffer = io.BytesIO()
        np.save(buffer, np.array([_Marker()], dtype=object), allow_pickle=True)
        return buffer.getvalue()

    rewrite(model, evil, change)
    with pytest.raises(ModelFileError, match="is not a readable mfrec model file"):
        load_model(evil)
    assert not marker.exists()


def test_cli_train_checks_output_before_training(tmp_path, ratings_file):
    from typer.testing import CliRunner

    from mfrec.cli import app

    missing = CliRunner().invoke(app, ["train", str(ratings_file), "-o", str(tmp_path / "nope" / "m.mfrec")])
    assert missing.exit_code == 1
    assert missing.stderr == f"error: output directory does not exist: {tmp_path / 'nope'}; create it first\n"
    folder = CliRunner().invoke(app, ["train", str(ratings_file), "-o", str(tmp_path)])
    assert folder.exit_code == 1
    assert folder.stderr == f"error: cannot write {tmp_path}: it is a directory; pass a file name\n"
