"""``zoo convert seisbench``: converts after checking inputs and --out; one-line errors, exit status 2."""

import json
import shutil

import pytest

from zoo.cli import main


def test_convert_writes_a_preset_folder_with_the_seisbench_card(seisbench_reference, tmp_path, capsys):
    pt, js = seisbench_reference.files("cred_random")
    shutil.copy(pt, tmp_path / "cred.weights")
    shutil.copy(js, tmp_path / "cred-args.json")
    out = tmp_path / "cred-preset"
    argv = ["convert", "seisbench", str(tmp_path / "cred.weights"), "--model", "CRED", "--out", str(out)]
    assert main([*argv, "--metadata", str(tmp_path / "cred-args.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"wrote {out} (cred, card variant seisbench)"
    assert (
        "window 3000 samples at 100 Hz, components ZNE, labels Detection, overlap 1500, stacking mean"
        in lines[1]
    )
    assert json.loads((out / "config.json").read_text())["variant"]["name"] == "seisbench"

    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "input: 3000 samples x ZNE at 100 Hz" in info and "card variant: {'name': 'seisbench'" in info


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.pt", "--out", "{tmp}/out"], "zoo: error: No such file: missing.pt"),
        (
            ["{pt}", "--model", "sbnet", "--out", "{tmp}/out"],
            "zoo: error: No SeisBench converter for model 'sbnet'",
        ),
        (["{pt}", "--metadata", "{tmp}/none.json", "--out", "{tmp}/out"], "zoo: error: No such file: "),
        (["{pt}", "--out", "{tmp}/file.txt"], "zoo: error: --out {tmp}/file.txt is a file; give a folder."),
        (["{pt}", "--model", "gpd", "--out", "{tmp}/out"], "holds a SeisBench PhaseNet state dict, not GPD"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(seisbench_reference, tmp_path, capsys, argv, message):
    pt, _ = seisbench_reference.files("phasenet_random")
    (tmp_path / "file.txt").write_text("keep")
    argv = [a.format(tmp=tmp_path, pt=pt) for a in argv]
    assert main(["convert", "seisbench", *argv]) == 2
    err = capsys.readouterr().err
    assert message.format(tmp=tmp_path) in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() and (tmp_path / "file.txt").read_text() == "keep"


def test_an_existing_preset_is_kept_without_overwrite(seisbench_reference, tmp_path, capsys):
    pt, _ = seisbench_reference.files("phasenet_random")
    finetuned, _ = seisbench_reference.files("phasenet_finetuned")
    out = tmp_path / "pn"
    assert main(["convert", "seisbench", str(pt), "--out", str(out)]) == 0
    before = (out / "model.weights.h5").read_bytes()
    assert main(["convert", "seisbench", str(finetuned), "--out", str(out)]) == 2
    assert "already holds a preset; add --overwrite" in capsys.readouterr().err
    assert (out / "model.weights.h5").read_bytes() == before
    assert main(["convert", "seisbench", str(finetuned), "--out", str(out), "--overwrite"]) == 0
    assert (out / "model.weights.h5").read_bytes() != before
