"""Versioned folders: atomic, never overwritten, clear errors for bad versions."""

from __future__ import annotations

import os
import stat

import pytest

from zoo.export.layout import check_version, existing_versions, staged_version


def test_next_free_version_and_numeric_folders_only(tmp_path):
    base = tmp_path / "phasenet"
    assert check_version(base, None) == 1
    for name in ("1", "3", "notes", ".2.partial-x"):
        (base / name).mkdir(parents=True)
    assert existing_versions(base) == [1, 3]
    assert check_version(base, None) == 4
    assert check_version(base, 2) == 2


@pytest.mark.parametrize(
    ("version", "error"), [(0, ValueError), (-1, ValueError), ("1", TypeError), (True, TypeError)]
)
def test_bad_versions(tmp_path, version, error):
    with pytest.raises(error, match="positive integer"):
        check_version(tmp_path, version)


def test_existing_version_is_an_error_naming_the_next_free_one(tmp_path):
    (tmp_path / "1").mkdir()
    with pytest.raises(FileExistsError, match=r"never overwritten.*next free: 2"):
        check_version(tmp_path, 1)


def test_failed_export_leaves_nothing_behind(tmp_path):
    base = tmp_path / "gpd"
    with pytest.raises(RuntimeError, match="boom"), staged_version(base, 1) as tmp:
        (tmp / "saved_model.pb").write_bytes(b"partial")
        raise RuntimeError("boom")
    assert list(base.iterdir()) == []


def test_version_appears_complete_at_the_end(tmp_path):
    base = tmp_path / "gpd"
    with staged_version(base, 7) as tmp:
        (tmp / "variables").mkdir()
        (tmp / "saved_model.pb").write_bytes(b"pb")
        assert not (base / "7").exists()
        assert not tmp.name.isdigit()
    assert sorted(p.name for p in base.iterdir()) == ["7"]
    assert (base / "7" / "saved_model.pb").read_bytes() == b"pb"


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_real_export_follows_the_umask(tmp_path, umask):
    """A SavedModel written by TensorFlow into the staged folder: every folder and file is readable by
    other users exactly when the umask allows it (TF Serving often runs as another user)."""
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    old = os.umask(umask)
    try:
        with staged_version(tmp_path / "m", 1) as tmp:
            model.export(str(tmp), format="tf_saved_model", verbose=False)
    finally:
        os.umask(old)
    version = tmp_path / "m" / "1"
    paths = [version, *version.rglob("*")]
    assert (version / "saved_model.pb").is_file() and len(paths) > 3
    for path in paths:
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
