"""Atomic writes: complete files or none, no temporary leftovers, no silent overwrite, umask modes."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import zoo.files
from zoo.files import atomic_folder, remove_stale_temporaries, write_atomically


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


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_files_follow_the_umask(tmp_path, umask):
    target = write_atomically(tmp_path / "new" / "picks.csv", lambda tmp: tmp.write_text("a"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o777 & ~umask
    target = write_atomically(target, lambda tmp: tmp.write_bytes(b"b"), lock=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_folders_follow_the_umask(tmp_path, umask):
    with atomic_folder(tmp_path / "export" / "1") as tmp:
        (tmp / "variables").mkdir()
        (tmp / "saved_model.pb").write_bytes(b"pb")
    folder = tmp_path / "export" / "1"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((tmp_path / "export").stat().st_mode) == 0o777 & ~umask


def test_atomic_folder_appears_complete_or_not_at_all(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"), atomic_folder(target) as tmp:
        (tmp / "half.pb").write_bytes(b"x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with atomic_folder(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.") and not target.exists()
        (tmp / "a").write_text("a")
    assert [p.name for p in target.iterdir()] == ["a"]
    with pytest.raises(FileExistsError, match="never replaced"), atomic_folder(target):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# A writer in another process that stops inside write(): its temporary file stays, locked while it lives.
# The zoo package is set up without running zoo/__init__.py, which would import TensorFlow (~10 s).
WRITER = """
import sys, time, types
from pathlib import Path
sys.modules["zoo"] = package = types.ModuleType("zoo")
package.__path__ = [sys.argv[2]]
from zoo.files import write_atomically

def write(tmp):
    tmp.write_bytes(b"half")
    print(tmp.name, flush=True)
    time.sleep(600)

write_atomically(Path(sys.argv[1]), write, suffix=".part", lock=True)
"""


def test_temporaries_of_a_killed_writer_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "model_95.ckpt.index"
    package = str(Path(zoo.files.__file__).parent)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), package], stdout=subprocess.PIPE, text=True
    )
    try:
        name = writer.stdout.readline().strip()
        assert name.startswith(".model_95.ckpt.index.") and name.endswith(".part")
        other = tmp_path / ".other.0123abcd.part"
        other.write_bytes(b"not ours")
        assert remove_stale_temporaries(target, ".part") == []  # the writer is alive: its file stays
        assert (tmp_path / name).read_bytes() == b"half"
    finally:
        writer.kill()
        writer.wait()
    assert remove_stale_temporaries(target, ".part") == [tmp_path / name]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.0123abcd.part"]


def test_removing_temporaries_of_an_unusable_folder_is_a_no_op(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    assert remove_stale_temporaries(blocker / "weights" / "x.h5", ".part") == []
