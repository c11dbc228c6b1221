"""The README's rules hold: preset names it shows exist, relative paths it describes resolve as it says."""

import hashlib
import re
from pathlib import Path

from zoo import registry, weights
from zoo.registry import WeightFile

README = Path(__file__).parents[1] / "README.md"


def test_every_preset_name_the_readme_gives_to_pretrained_exists():
    """A ``pretrained="NAME"`` or ``--pretrained NAME`` in the README names a preset of some model, so
    that a reader copying it gets weights rather than a "no preset" error (``"preset"`` was once shown
    as if it were a value)."""
    text = README.read_text()
    values = re.findall(r"pretrained=([^`)\n]*)", text)
    names = {name for value in values for name in re.findall(r'"(\w+)"', value)}
    names |= set(re.findall(r"--pretrained (\w+)", text))
    known = {preset for model in registry.list_models() for preset in registry.presets(model)}
    assert names, "the README shows no preset name"
    assert names - {"none"} <= known, f"README names unknown presets: {sorted(names - {'none'} - known)}"


def test_a_relative_weights_mirror_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    """README: a relative ``ZOO_WEIGHTS_MIRROR`` is resolved against the process's working directory."""
    content = b"published bytes"
    mirror = tmp_path / "work" / "mirror"
    (mirror / "model").mkdir(parents=True)
    (mirror / "model" / "file.bin").write_bytes(content)
    file = WeightFile(
        "model/file.bin",
        "https://example.invalid/file.bin",
        hashlib.sha256(content).hexdigest(),
        len(content),
    )
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", "mirror")
    monkeypatch.chdir(tmp_path / "work")
    assert weights.resolve_file(file).resolve() == (mirror / "model" / "file.bin").resolve()
