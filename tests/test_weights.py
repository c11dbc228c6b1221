"""Weights: mirror, cache and download order, sha256 checks, atomic writes, converted-weights cache."""

import dataclasses
import hashlib
import http.server
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import zoo
from zoo import registry, weights
from zoo.registry import Preset, WeightFile

PACKAGE = str(Path(weights.__file__).parent)


def _weight_file(tmp_path, content=b"published bytes", name="model/file.bin"):
    source = tmp_path / "upstream" / name
    source.parent.mkdir(parents=True)
    source.write_bytes(content)
    return WeightFile(name, source.as_uri(), hashlib.sha256(content).hexdigest(), len(content)), source


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("ZOO_HOME", str(home))
    monkeypatch.delenv("ZOO_WEIGHTS_MIRROR", raising=False)
    weights._verified.clear()
    monkeypatch.setattr(weights, "_cache_warned", False)
    return home


def test_mirror_file_is_used_in_place(monkeypatch, tmp_path, fresh_home):
    file, source = _weight_file(tmp_path)
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(tmp_path / "upstream"))
    assert weights.resolve_file(file) == source
    assert not (fresh_home / "weights").exists()


def test_download_goes_to_the_cache_then_cache_is_reused(tmp_path, fresh_home):
    file, source = _weight_file(tmp_path)
    path = weights.resolve_file(file)
    assert path == fresh_home / "weights" / file.path and path.read_bytes() == source.read_bytes()
    source.unlink()
    assert weights.resolve_file(file) == path
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".part")]


def test_wrong_sha256_names_file_and_both_hashes(monkeypatch, tmp_path, fresh_home):
    file, source = _weight_file(tmp_path)
    source.write_bytes(b"tampered bytes!")
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(tmp_path / "upstream"))
    actual = hashlib.sha256(b"tampered bytes!").hexdigest()
    with pytest.raises(ValueError) as err:
        weights.resolve_file(file)
    assert str(source) in str(err.value) and file.sha256 in str(err.value) and actual in str(err.value)


def test_truncated_file_is_an_error(monkeypatch, tmp_path, fresh_home):
    file, source = _weight_file(tmp_path)
    source.write_bytes(source.read_bytes()[:5])
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(tmp_path / "upstream"))
    with pytest.raises(ValueError, match="truncated"):
        weights.resolve_file(file)


def test_bad_download_leaves_no_file_in_the_cache(tmp_path, fresh_home):
    file, source = _weight_file(tmp_path)
    source.write_bytes(b"corrupted in transit")
    bad = WeightFile(file.path, file.url, file.sha256, len(b"corrupted in transit"))
    with pytest.raises(ValueError, match="sha256"):
        weights.resolve_file(bad)
    folder = fresh_home / "weights" / "model"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_unreachable_download_explains_offline_use(fresh_home):
    file = WeightFile("m/f.bin", "file:///nonexistent/f.bin", "0" * 64, 1)
    with pytest.raises(ConnectionError, match="ZOO_WEIGHTS_MIRROR"):
        weights.resolve_file(file)


def test_published_phasenet_files_verify_against_pinned_hashes(shared):
    files = weights.resolve(zoo.card("phasenet").preset("original"))
    assert sorted(files) == sorted(f.name for f in zoo.card("phasenet").preset("original").files)
    for path in files.values():
        assert path.is_relative_to(shared / "weights")


def test_wrong_hash_in_mirror_fails_load(monkeypatch, tmp_path, shared, fresh_home):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared / "weights" / "phasenet", mirror / "phasenet")
    index = mirror / "phasenet" / "190703-214543" / "model_95.ckpt.index"
    index.chmod(0o644)
    data = bytearray(index.read_bytes())
    data[100] ^= 0xFF
    index.write_bytes(bytes(data))
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(mirror))
    with pytest.raises(ValueError, match="model_95.ckpt.index has sha256"):
        zoo.load("phasenet")


def test_converted_weights_are_cached_and_verified(monkeypatch, shared, fresh_home, caplog):
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(shared / "weights"))
    card = zoo.card("phasenet")
    calls = []

    def counting_convert(model, files):
        calls.append(1)
        card.convert(model, files)

    monkeypatch.setitem(registry._REGISTRY, "phasenet", dataclasses.replace(card, convert=counting_convert))
    first = zoo.load("phasenet")
    second = zoo.load("phasenet")
    assert len(calls) == 1
    assert (
        first.get_layer("up_bn1_1").moving_variance.numpy()
        == second.get_layer("up_bn1_1").moving_variance.numpy()
    ).all()
    cached = next((fresh_home / "converted" / "phasenet").glob("*.weights.h5"))
    cached.write_bytes(cached.read_bytes()[:-10] + b"0123456789")
    with caplog.at_level("WARNING", logger="zoo.weights"):
        zoo.load("phasenet")
    assert len(calls) == 2
    # The warning names the cached file and says what happens; the mirror is not the problem.
    (message,) = [r.getMessage() for r in caplog.records if r.name == "zoo.weights"]
    assert str(cached) in message and "converting the published files again" in message
    assert "ZOO_WEIGHTS_MIRROR" not in message
    zoo.load("phasenet")
    assert len(calls) == 2  # the replaced cache entry is used again


def test_preset_from_dict_keeps_files_and_config():
    preset = Preset.from_dict(
        "x",
        {
            "description": "d",
            "files": [{"path": "m/a", "url": "u", "sha256": "s", "size": 1}],
            "config": {"k": 1},
        },
    )
    assert preset.files[0].name == "a" and preset.config == {"k": 1}


def test_concurrent_first_loads_share_one_conversion(monkeypatch, shared, fresh_home):
    """Two processes converting at once both succeed and leave one complete cache entry, no temp files."""

    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(shared / "weights"))
    code = "import zoo; m = zoo.load('phasenet'); print(float(m.get_layer('output_conv').bias.numpy().sum()))"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outputs[0] == outputs[1]
    folder = fresh_home / "converted" / "phasenet"
    assert len(list(folder.glob("*.weights.h5"))) == 1
    assert not [p for p in folder.iterdir() if ".part" in p.name]


def test_shipped_file_is_found_in_its_package_and_verified(tmp_path, monkeypatch, fresh_home):
    package = tmp_path / "shippedpkg"
    (package / "weights").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    content = b"weights trained by geozoo"
    (package / "weights" / "w.weights.h5").write_bytes(content)
    monkeypatch.syspath_prepend(str(tmp_path))
    file = WeightFile(
        "weights/w.weights.h5", "", hashlib.sha256(content).hexdigest(), len(content), "shippedpkg"
    )
    assert weights.resolve_file(file) == package / "weights" / "w.weights.h5"
    (package / "weights" / "w.weights.h5").write_bytes(b"weights trained by geozoX")
    with pytest.raises(ValueError, match="sha256"):
        weights.resolve_file(file)


def test_load_keras_weights_round_trip(tmp_path):
    first = zoo.load("phasenet", pretrained=False)
    second = zoo.load("phasenet", pretrained=False)
    first.save_weights(tmp_path / "trained.weights.h5")
    weights.load_keras_weights(second, {"trained.weights.h5": tmp_path / "trained.weights.h5"})
    assert all((a.numpy() == b.numpy()).all() for a, b in zip(first.weights, second.weights))
    with pytest.raises(ValueError, match="exactly one"):
        weights.load_keras_weights(second, {})


def test_unwritable_zoo_home_still_loads_from_the_mirror_and_warns_once(
    monkeypatch, shared, tmp_path, phasenet, caplog
):
    """A ZOO_HOME that cannot be created (here a regular file is in the way: root ignores permission bits,
    so a read-only folder would not show it) costs a conversion per load, not an error."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("ZOO_HOME", str(blocker / "geozoo"))
    monkeypatch.setenv("ZOO_WEIGHTS_MIRROR", str(shared / "weights"))
    monkeypatch.setattr(weights, "_cache_warned", False)
    with caplog.at_level("WARNING", logger="zoo.weights"):
        models = [zoo.load("phasenet"), zoo.load("phasenet")]
    warnings = [r.getMessage() for r in caplog.records if r.name == "zoo.weights"]
    assert len(warnings) == 1 and "ZOO_HOME" in warnings[0] and "converted again" in warnings[0]
    for model in models:
        assert all((a.numpy() == b.numpy()).all() for a, b in zip(model.weights, phasenet.weights))
    assert blocker.read_text() == ""


def test_unwritable_zoo_home_without_the_file_is_one_clear_error(monkeypatch, tmp_path, fresh_home):
    file, _ = _weight_file(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("ZOO_HOME", str(blocker / "geozoo"))
    with pytest.raises(OSError, match=r"cache folder .* cannot be created.*ZOO_HOME.*model/file.bin"):
        weights.resolve_file(file)


class _StallingServer(http.server.ThreadingHTTPServer):
    """Serves one body; while ``stall`` is set it sends the first half and then waits (a slow network)."""

    def __init__(self, body: bytes):
        self.body, self.stall, self.release = body, threading.Event(), threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.body
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.server.stall.is_set():
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.server.release.wait(60)
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_part_file_of_a_killed_download_is_removed_when_the_file_is_resolved_again(
    monkeypatch, tmp_path, fresh_home
):
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    body = bytes(range(256)) * 4096 * 3  # 3 MiB: the first 1 MiB chunk is written before the stall
    server = _StallingServer(body)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/file.bin"
    file = WeightFile("model/file.bin", url, hashlib.sha256(body).hexdigest(), len(body))
    server.stall.set()
    code = (  # the zoo package without its __init__, which would import TensorFlow (~10 s)
        f"import sys, types; sys.modules['zoo'] = p = types.ModuleType('zoo'); p.__path__ = [{PACKAGE!r}]; "
        "from zoo import weights; from zoo.registry import WeightFile; "
        f"weights.resolve_file(WeightFile('model/file.bin', {url!r}, {file.sha256!r}, {file.size}))"
    )
    download = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    folder = fresh_home / "weights" / "model"
    try:
        deadline = time.monotonic() + 120
        while not [p for p in folder.glob(".file.bin.*.part") if p.stat().st_size > 0]:
            assert download.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        download.kill()
        download.wait()
        server.release.set()
    assert len(list(folder.glob("*.part"))) == 1  # what a killed download leaves behind
    server.stall.clear()
    try:
        path = weights.resolve_file(file)
    finally:
        server.shutdown()
    assert path.read_bytes() == body and sorted(p.name for p in folder.iterdir()) == ["file.bin"]
