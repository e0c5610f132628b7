"""Two-way map between external IDs and dense int32 indices."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["IdMap"]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")


class IdMap:
    """Map external IDs (int64 or str) to contiguous indices ``0 .. len - 1`` and back.

    Indices follow the order in which IDs first appear in the data. Integer IDs are kept
    as int64 and text IDs as UTF-8 strings, so every ID comes back exactly as it was
    read: never through float64, never truncated to 32 bits.

    Parameters
    ----------
    ids : pyarrow.Array
        Distinct IDs of type int64 or string; position ``k`` is the ID of index ``k``.
    """

    def __init__(self, ids: pa.Array):
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        if ids.type == pa.large_string():
            ids = ids.cast(pa.string())
        if ids.type not in (pa.int64(), pa.string()):
            raise TypeError(f"IdMap needs int64 or string IDs, got {ids.type}")
        self._ids = ids
        self._lookup_dict: dict | None = None

    @classmethod
    def encode(cls, column: pa.Array) -> tuple[IdMap, np.ndarray]:
        """Build a map from a column of IDs; return it with the int32 index of each row."""
        encoded = pc.dictionary_encode(column)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.unify_dictionaries().combine_chunks()
        indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        return cls(encoded.dictionary), indices

    @property
    def kind(self) -> str:
        """``"int"`` for int64 IDs, ``"str"`` for text IDs."""
        return "int" if self._ids.type == pa.int64() else "str"

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, external_id: Any) -> bool:
        return self.index_of(external_id) >= 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdMap) and self._ids.equals(other._ids)

    def __repr__(self) -> str:
        return f"IdMap({len(self)} {self.kind} IDs)"

    @property
    def ids(self) -> pa.Array:
        """All IDs in index order, as a pyarrow array."""
        return self._ids

    def to_list(self) -> list:
        """Return all IDs in index order as Python ``int`` or ``str`` objects."""
        return self._ids.to_pylist()

    def id_of(self, index: int) -> int | str:
        """Return the external ID at ``index``."""
        return self._ids[int(index)].as_py()

    def ids_at(self, indices: np.ndarray) -> list:
        """Return the external IDs at an array of indices, as Python objects."""
        return self._ids.take(pa.array(np.asarray(indices, dtype=np.int64))).to_pylist()

    def index_of(self, external_id: Any) -> int:
        """Return the index of one ID, or -1 when the ID is unknown."""
        if self._lookup_dict is None:
            self._lookup_dict = {value: k for k, value in enumerate(self._ids.to_pylist())}
        key = self._coerce(external_id)
        if key is None:
            return -1
        return self._lookup_dict.get(key, -1)

    def lookup(self, external_ids: Iterable[Any]) -> np.ndarray:
        """Return the int32 index of each ID, with -1 for IDs the map does not hold."""
        values = _as_list(external_ids)
        if len(values) <= 64:
            return np.array([self.index_of(v) for v in values], dtype=np.int32)
        queries = pa.array([self._coerce(v) for v in values], type=self._ids.type)
        found = pc.index_in(queries, value_set=self._ids)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)

    def _coerce(self, value: Any) -> int | str | None:
        """Convert a caller's ID to this map's key type; None when it cannot match."""
        if isinstance(value, (bytes, bytearray)):
            value = value.decode("utf-8", errors="strict")
        if isinstance(value, (float, np.floating)):
            raise TypeError(
                f"ID {value!r} is a float; pass IDs as int or str exactly as in the data"
            )
        if self.kind == "str":
            return str(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            value = int(value)
            return value if _INT64_MIN <= value <= _INT64_MAX else None
        text = str(value)
        if _CANONICAL_INT.match(text):
            number = int(text)
            return number if _INT64_MIN <= number <= _INT64_MAX else None
        return None


def _as_list(values: Any) -> list:
    if isinstance(values, (str, bytes, int, np.integer)):
        return [values]
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.to_pylist()
    if isinstance(values, np.ndarray):
        return values.tolist()
    return list(values)


def canonical_int_ids(column: pa.Array) -> pa.Array | None:
    """Return a string ID column as int64 when every value is a canonical integer.

    A value is canonical when ``str(int(value)) == value``: ``"007"`` or ``"+5"`` keep
    the column as text so that IDs come back exactly as written.
    """
    if len(column) == 0:
        return None
    if not pc.all(pc.match_substring_regex(column, _CANONICAL_INT.pattern)).as_py():
        return None
    try:
        as_int = pc.cast(column, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # out of the int64 range: keep the text
    if not pc.all(pc.equal(pc.cast(as_int, pa.string()), column)).as_py():
        return None
    return as_int
