"""The model file: a zip archive of ``.npy`` arrays and a JSON metadata entry, never pickle.

Layout, format version 1::

    metadata.json        format name and version, model class, hyperparameters,
                         rating scale, history, ID kinds, the SHA-256 of the arrays
                         and the SHA-256 of the rest of the metadata
    arrays/<name>.npy    one NumPy array per fitted attribute and ID map

String IDs are stored as one UTF-8 byte array plus int64 offsets, integer IDs as int64.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from typing import Any

import numpy as np
import pyarrow as pa

from ._atomic import atomic_write
from .data.idmap import IdMap
from .exceptions import ModelFileError

FORMAT_NAME = "mfrec-model"
FORMAT_VERSION = 1

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

_FACTOR_ARRAYS = ("user_factors_", "item_factors_", "user_bias_", "item_bias_", "rated_indptr_", "rated_items_")


def save_model(model: Any, path: str | os.PathLike) -> None:
    """Write a fitted model to ``path`` atomically (temporary file, then rename)."""
    model._check_fitted()
    arrays = {name.rstrip("_"): getattr(model, name) for name in _FACTOR_ARRAYS}
    arrays.update(_idmap_arrays("users", model.users_))
    arrays.update(_idmap_arrays("items", model.items_))
    arrays.update(getattr(model, "_extra_arrays", lambda: {})())
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "model": type(model).__name__,
        "params": model.get_params(),
        "global_mean": model.global_mean_,
        "rating_scale": None if model.rating_scale_ is None else list(model.rating_scale_),
        "history": model.history_,
        "n_ratings": int(getattr(model, "n_ratings_", 0)),
        "id_kinds": {"users": model.users_.kind, "items": model.items_.kind},
        "arrays_sha256": _digest(arrays),
        "extra": getattr(model, "_extra_metadata", lambda: {})(),
    }
    # Digest the JSON round trip, so tuples and non-string keys hash as they will load.
    metadata["metadata_sha256"] = _metadata_digest(json.loads(json.dumps(metadata)))
    with atomic_write(path, "wb") as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("metadata.json", json.dumps(metadata, indent=1))
            for name in sorted(arrays):
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
                archive.writestr(f"arrays/{name}.npy", buffer.getvalue())


def load_model(path: str | os.PathLike) -> Any:
    """Load a model written by ``save``; raise :class:`ModelFileError` for a bad file.

    The format version and the checksum of the arrays are checked, and arrays are read
    with ``allow_pickle=False``.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelFileError(f"model file not found: {path}; check the path or train a model first")
    try:
        with zipfile.ZipFile(path) as archive:
            metadata = _read_metadata(archive, path)
            arrays = {
                entry[len("arrays/") : -len(".npy")]: np.lib.format.read_array(io.BytesIO(archive.read(entry)), allow_pickle=False)
                for entry in archive.namelist()
                if entry.startswith("arrays/") and entry.endswith(".npy")
            }
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"{path} is not a readable mfrec model file ({exc}); it may be truncated or not a model") from None
    if _digest(arrays) != metadata.get("arrays_sha256"):
        raise ModelFileError(f"{path} is damaged: the arrays do not match the checksum in its metadata; retrain or restore the file")
    # Files written before the metadata checksum existed have no such entry.
    if "metadata_sha256" in metadata and _metadata_digest(metadata) != metadata["metadata_sha256"]:
        raise ModelFileError(f"{path} is damaged: its metadata does not match its checksum; retrain or restore the file")
    try:
        return _rebuild(metadata, arrays, path)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"{path} has inconsistent contents ({type(exc).__name__}: {exc}); retrain or restore the file") from None


def _read_metadata(archive: zipfile.ZipFile, path: str) -> dict:
    try:
        metadata = json.loads(archive.read("metadata.json"))
    except KeyError:
        raise ModelFileError(f"{path} is not an mfrec model file: it has no metadata.json") from None
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path} has unreadable metadata ({exc}); the file is damaged") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} is not an mfrec model file (format {metadata.get('format') if isinstance(metadata, dict) else None!r})")
    version = metadata.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path} has an invalid model format version {version!r}; the file is damaged")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model format version {version}, but this mfrec reads versions up "
            f"to {FORMAT_VERSION}; upgrade mfrec to load it"
        )
    return metadata


def _rebuild(metadata: dict, arrays: dict, path: str) -> Any:
    from . import models

    from .models._base import FactorizationModel

    cls = getattr(models, str(metadata["model"]), None)
    if not (isinstance(cls, type) and issubclass(cls, FactorizationModel)):
        raise ModelFileError(f"{path} holds a model of unknown class {metadata['model']!r}; upgrade mfrec")
    model = cls(**metadata["params"])
    try:
        for name in _FACTOR_ARRAYS:
            setattr(model, name, arrays[name.rstrip("_")])
        model.users_ = _idmap_from_arrays("users", arrays)
        model.items_ = _idmap_from_arrays("items", arrays)
    except KeyError as exc:
        raise ModelFileError(f"{path} is missing the array {exc}; the file is damaged") from None
    model.global_mean_ = float(metadata["global_mean"])
    scale = metadata["rating_scale"]
    model.rating_scale_ = None if scale is None else (float(scale[0]), float(scale[1]))
    model.history_ = metadata["history"]
    model.n_ratings_ = metadata.get("n_ratings", 0)
    if hasattr(model, "_restore_extra"):
        model._restore_extra(metadata.get("extra", {}), arrays)
    return model


def _idmap_arrays(prefix: str, idmap: IdMap) -> dict:
    ids = idmap.ids
    if idmap.kind == "int":
        return {f"{prefix}_ids": ids.to_numpy(zero_copy_only=False).astype(np.int64)}
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int32, count=len(ids) + 1, offset=ids.offset * 4).astype(np.int64)
    data = np.frombuffer(ids.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return {f"{prefix}_id_offsets": offsets - offsets[0], f"{prefix}_id_bytes": data.copy()}


def _idmap_from_arrays(prefix: str, arrays: dict) -> IdMap:
    if f"{prefix}_ids" in arrays:
        return IdMap(pa.array(arrays[f"{prefix}_ids"], type=pa.int64()))
    offsets = arrays[f"{prefix}_id_offsets"].astype(np.int32)
    data = arrays[f"{prefix}_id_bytes"]
    return IdMap(pa.StringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data)))


def _metadata_digest(metadata: dict) -> str:
    """Return the SHA-256 of the metadata without its own checksum entry, in canonical JSON."""
    body = {key: value for key, value in metadata.items() if key != "metadata_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _digest(arrays: dict) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str(value.dtype).encode())
        digest.update(str(value.shape).encode())
        digest.update(value.tobytes())
    return digest.hexdigest()
