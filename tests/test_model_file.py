"""The model file: round trip, exact IDs, and rejection of damaged or foreign files."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pyarrow as pa
import pytest

from mfrec import MatrixFactorization, ModelFileError, load_model, read_ratings
from mfrec.persistence import FORMAT_VERSION


@pytest.fixture
def fitted():
    data = read_ratings(
        pa.table(
            {
                "user": ["ana", "ana", "ben", "ben", "café"],
                "item": ["tt0111161", "x", "x", "y", "y"],
                "rating": [5.0, 3.0, 4.0, 1.0, 2.0],
            }
        )
    )
    return MatrixFactorization(factors=3, epochs=10, seed=1).fit(data)


def test_round_trip_keeps_predictions_and_ids(fitted, tmp_path):
    path = tmp_path / "m.mfrec"
    fitted.save(path)
    loaded = load_model(path)
    assert loaded.users_.to_list() == ["ana", "ben", "café"]
    assert loaded.items_.to_list() == ["tt0111161", "x", "y"]
    np.testing.assert_array_equal(loaded.user_factors_, fitted.user_factors_)
    pairs = (["ana", "ben", "café"], ["y", "tt0111161", "x"])
    np.testing.assert_array_equal(loaded.predict(*pairs).rating, fitted.predict(*pairs).rating)
    assert loaded.recommend("ana").items == fitted.recommend("ana").items
    assert loaded.get_params() == fitted.get_params()
    assert loaded.history_ == fitted.history_


def test_round_trip_int64_ids(tmp_path):
    data = read_ratings(pa.table({"u": [2**63 - 1, 1], "i": [2**53 + 1, 2**53], "r": [1.0, 5.0]}))
    model = MatrixFactorization(factors=2, epochs=2).fit(data)
    model.save(tmp_path / "m.mfrec")
    loaded = load_model(tmp_path / "m.mfrec")
    assert loaded.users_.to_list() == [2**63 - 1, 1]
    assert loaded.items_.to_list() == [2**53 + 1, 2**53]


def test_file_has_no_pickle(fitted, tmp_path):
    fitted.save(tmp_path / "m.mfrec")
    with zipfile.ZipFile(tmp_path / "m.mfrec") as archive:
        names = archive.namelist()
        metadata = json.loads(archive.read("metadata.json"))
    assert "metadata.json" in names
    assert all(n == "metadata.json" or (n.startswith("arrays/") and n.endswith(".npy")) for n in names)
    assert metadata["format_version"] == FORMAT_VERSION
    assert metadata["params"]["factors"] == 3


def test_load_truncated_file(fitted, tmp_path):
    path = tmp_path / "m.mfrec"
    fitted.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="not a readable mfrec model file"):
        load_model(path)


def test_load_edited_array_fails_checksum(fitted, tmp_path):
    path = tmp_path / "m.mfrec"
    fitted.save(path)
    edited = tmp_path / "edited.mfrec"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for name in source.namelist():
            payload = source.read(name)
            if name == "arrays/user_bias.npy":
                payload = payload[:-4] + np.float32(9.0).tobytes()
            target.writestr(name, payload)
    with pytest.raises(ModelFileError, match="do not match the checksum"):
        load_model(edited)


def test_load_newer_version_names_both_versions(fitted, tmp_path):
    path = tmp_path / "m.mfrec"
    fitted.save(path)
    newer = tmp_path / "newer.mfrec"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(newer, "w") as target:
        for name in source.namelist():
            payload = source.read(name)
            if name == "metadata.json":
                meta = json.loads(payload)
                meta["format_version"] = FORMAT_VERSION + 1
                payload = json.dumps(meta).encode()
            target.writestr(name, payload)
    with pytest.raises(ModelFileError, match=f"version {FORMAT_VERSION + 1}.*up to {FORMAT_VERSION}"):
        load_model(newer)


def test_load_foreign_file(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text("user,item,rating\n1,2,3\n")
    with pytest.raises(ModelFileError, match="not a readable mfrec model file"):
        load_model(path)


def test_load_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="model file not found"):
        load_model(tmp_path / "absent.mfrec")


def test_save_over_existing_replaces_it(fitted, tmp_path):
    path = tmp_path / "m.mfrec"
    path.write_bytes(b"old")
    fitted.save(path)
    assert load_model(path).n_users == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.mfrec"]
