"""Parquet input with narrow integer IDs reads like the same IDs as int64."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mfrec import read_ratings


@pytest.mark.parametrize("id_type", [pa.int8(), pa.int32(), pa.uint16(), pa.uint32()])
def test_narrow_ids_match_int64(tmp_path, id_type):
    users, items = [7, 3, 7, 100, 3], [1, 2, 2, 1, 9]
    ratings = [4.0, 3.0, 5.0, 1.0, 2.0]
    narrow = pa.table({"user": pa.array(users, id_type), "item": pa.array(items, id_type), "rating": ratings})
    wide = pa.table({"user": pa.array(users, pa.int64()), "item": pa.array(items, pa.int64()), "rating": ratings})
    pq.write_table(narrow, tmp_path / "narrow.parquet")
    pq.write_table(wide, tmp_path / "wide.parquet")
    got, want = read_ratings(tmp_path / "narrow.parquet"), read_ratings(tmp_path / "wide.parquet")
    assert got.users.kind == "int"
    assert got.users.to_list() == want.users.to_list() == [7, 3, 100]
    assert got.items.to_list() == want.items.to_list() == [1, 2, 9]
    np.testing.assert_array_equal(got.user_index, want.user_index)
    np.testing.assert_array_equal(got.item_index, want.item_index)
    np.testing.assert_array_equal(got.rating, want.rating)


def test_narrow_ids_with_dropped_row(tmp_path):
    # Row 2 has a null rating and is skipped; the IDs of the other rows are kept.
    table = pa.table({
        "user": pa.array([1, 2, 3], pa.int32()),
        "item": pa.array([5, 6, 7], pa.int32()),
        "rating": pa.array([4.0, None, 2.0]),
    })
    pq.write_table(table, tmp_path / "r.parquet")
    with pytest.warns(Warning, match="skipped 1 bad line"):
        data = read_ratings(tmp_path / "r.parquet", on_bad_lines="skip")
    assert data.users.to_list() == [1, 3]
    assert data.items.to_list() == [5, 7]
