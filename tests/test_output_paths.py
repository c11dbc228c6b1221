"""Output paths are checked before the work: folders vs files, overwrite, places that take no files."""

import pytest

from zoo.output_paths import check_output_file, check_output_folder


def test_a_new_file_in_missing_folders_is_fine_and_nothing_is_left_behind(tmp_path):
    assert check_output_file(tmp_path / "a" / "b" / "picks.csv") == tmp_path / "a" / "b" / "picks.csv"
    assert check_output_folder(tmp_path / "serving" / "phasenet") == tmp_path / "serving" / "phasenet"
    assert list(tmp_path.iterdir()) == []


def test_existing_file_needs_overwrite(tmp_path):
    target = tmp_path / "picks.csv"
    target.write_text("mine")
    with pytest.raises(ValueError, match="--output .*picks.csv exists; add --overwrite"):
        check_output_file(target, option="--output")
    assert check_output_file(target, overwrite=True) == target and target.read_text() == "mine"


def test_folder_for_a_file_and_file_for_a_folder(tmp_path):
    with pytest.raises(ValueError, match="is a folder; give a file name"):
        check_output_file(tmp_path, overwrite=True)
    blocker = tmp_path / "serving"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="--out .*serving is a file; give a folder"):
        check_output_folder(blocker, option="--out")
    with pytest.raises(ValueError, match="serving is a file, not a folder"):
        check_output_file(blocker / "phasenet" / "1.csv")


def test_a_place_that_takes_no_files(tmp_path):
    with pytest.raises(ValueError, match=r"files cannot be created in /proc"):
        check_output_file("/proc/picks.csv")
    with pytest.raises(ValueError, match=r"files cannot be created in /proc"):
        check_output_folder("/proc/serving")
