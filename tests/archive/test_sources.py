"""Sources: templates render and parse back, SDS and memory:// listings find the right day files, file lists."""

from __future__ import annotations

import fsspec
import obspy
import pytest

from zoo.archive.sources import FileListSource, Template, days, open_source
from zoo.archive.stations import StationSelection

SCEDC = "s3://scedc-pds/continuous_waveforms/{year}/{year}_{doy}/{net}{sta:_<5}{cha}{loc:_<2}_{year}{doy}.ms"


@pytest.mark.parametrize(
    "codes",
    [
        {"net": "CI", "sta": "PASC", "loc": "", "cha": "HHZ"},
        {"net": "CI", "sta": "WCS2", "loc": "00", "cha": "BHE"},
        {"net": "BK", "sta": "THIS", "loc": "", "cha": "LHZ"},
        {"net": "CI", "sta": "ABCDE", "loc": "10", "cha": "EHN"},
    ],
)
def test_scedc_template_renders_and_parses_back(codes):
    t = Template(SCEDC)
    path = t.render(year=2016, doy=123, **codes)
    assert t.parse(path) == {"year": 2016, "doy": 123, **codes}


def test_scedc_names_match_the_published_examples():
    t = Template(SCEDC)
    assert t.render(year=2016, doy=123, net="CI", sta="WCS2", loc="", cha="BHE").endswith(
        "/CIWCS2_BHE___2016123.ms"
    )
    assert t.parse("s3://scedc-pds/continuous_waveforms/2022/2022_002/BKTHIS_LHZ00_2022002.ms")["loc"] == "00"


def test_template_lists_one_glob_per_folder_date_and_narrows_to_known_codes():
    t = Template(SCEDC)
    assert t.folder_time_fields == ("year", "doy")
    pattern = t.glob(year=2019, doy=185, net="CI", sta=None, loc=None, cha="HH?")
    assert pattern == "s3://scedc-pds/continuous_waveforms/2019/2019_185/CI*HH?*_2019185.ms"
    assert Template(
        "/SDS/{year}/{net}/{sta}/{cha}.D/{net}.{sta}.{loc}.{cha}.D.{year}.{doy}"
    ).folder_time_fields == ("year",)


@pytest.mark.parametrize(
    "template, message",
    [
        ("/data/{year}/{sta}.{cha}", "lacks"),
        ("/data/{net}.{sta}.{loc}.{cha}", "must date"),
        ("/data/{year}/{doy}/{network}", "unknown field"),
    ],
)
def test_bad_templates_are_refused(template, message):
    with pytest.raises(ValueError, match=message):
        Template(template)


def test_a_plain_folder_asks_for_sds_or_a_glob(tmp_path):
    with pytest.raises(ValueError, match="sds://"):
        open_source(str(tmp_path))


def test_sds_listing_finds_the_selected_day_files(archive):
    source = open_source(f"sds://{archive.root}")
    files = source.files(StationSelection.parse("XX.A*..HH?,XX.CCC..HHZ"), archive.start, archive.end)
    assert sorted({f.instrument for f in files}) == ["XX.AAA..HH", "XX.CCC..HH"]
    assert len(files) == 3 * 3 + 3
    for f in files:
        assert f.path.endswith(f".{f.start.year}.{f.start.julday:03d}") and f.end - f.start == 86400
    one_day = source.files(
        StationSelection.parse("XX.AAA"), archive.start + 3 * 3600, archive.start + 4 * 3600
    )
    assert {f.start.julday for f in one_day} == {62}


def test_memory_template_lists_like_the_local_one(archive):
    fs = fsspec.filesystem("memory")
    for path in archive.day_files("BBB"):
        fs.pipe_file(f"/zoo-test-archive/{path.relative_to(archive.root).as_posix()}", path.read_bytes())
    try:
        found = open_source("sds://memory://zoo-test-archive").files(
            StationSelection.parse("XX.BBB"), archive.start, archive.end
        )
        assert len(found) == 9 and all(
            f.path.startswith("memory:///zoo-test-archive/2020/XX/BBB/") for f in found
        )
        with fsspec.open(found[0].path, "rb") as fh:
            assert obspy.read(fh)[0].stats.station == "BBB"
    finally:
        fs.rm("/zoo-test-archive", recursive=True)


def test_file_list_source_reads_what_each_file_covers(archive):
    paths = [str(p) for p in archive.day_files("CCC") if p.parent.name == "HHZ.D"]
    files = FileListSource(paths).files(StationSelection.parse("XX.CCC"), archive.start, archive.end)
    assert [f.path for f in files] == paths
    assert files[0].start == archive.start and files[-1].end == archive.end
    glob = FileListSource(str(archive.root / "2020/XX/CCC/HHZ.D/*"))
    assert glob.paths == paths


def test_days_covers_the_span_end_exclusive():
    start = obspy.UTCDateTime(2019, 12, 31, 23)
    assert [d.isoformat() for d in days(start, obspy.UTCDateTime(2020, 1, 2))] == ["2019-12-31", "2020-01-01"]


def test_station_patterns_from_a_file(tmp_path):
    path = tmp_path / "stations.txt"
    path.write_text("# SCSN broadband\nCI.PASC.--.HH?\n\nCI.WCS2  # short\n")
    sel = StationSelection.parse(str(path))
    assert sel.to_list() == ["CI.PASC..HH?", "CI.WCS2.*.*"]
    assert sel.matches("CI", "WCS2", "00", "BHZ") and not sel.matches("CI", "PASC", "00", "HHZ")
    with pytest.raises(ValueError, match="NET.STA.LOC.CHA"):
        StationSelection.parse("CI.PASC.00.HHZ.X")
