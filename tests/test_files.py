"""Atomic writes: complete files or none, no temporary leftovers, no silent overwrite."""

import pytest

from zoo.files import write_atomically


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path):
    target = tmp_path / "sub" / "model.weights.h5"
    write_atomically(target, lambda tmp: tmp.write_text("old"))

    def broken(tmp):
        assert tmp.name.endswith(".weights.h5") and tmp.parent == target.parent
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, broken)
    assert target.read_text() == "old" and [p.name for p in target.parent.iterdir()] == ["model.weights.h5"]


def test_existing_files_are_kept_unless_overwrite(tmp_path):
    target = write_atomically(tmp_path / "picks.csv", lambda tmp: tmp.write_text("a"))
    with pytest.raises(FileExistsError, match="overwrite"):
        write_atomically(target, lambda tmp: tmp.write_text("b"), overwrite=False)
    write_atomically(target, lambda tmp: tmp.write_text("b"))
    assert target.read_text() == "b"
