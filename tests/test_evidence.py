"""WARC evidence: pages archived exactly as fetched over HTTP, and judged again offline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import LocalServer, html
from warcio.archiveiterator import ArchiveIterator

from checker import check
from checker.cli import main
from checker.errors import ConfigError, FetchError
from checker.evidence import WarcArchive, load_record
from checker.fetch import load_page

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
PAGE = ROOT / "examples" / "partners" / "cut-paragraph.html"


def test_archive_then_rejudge_offline(local_server: LocalServer, tmp_path: Path) -> None:
    url = local_server.route("/page.html", html(PAGE.read_bytes()))
    snap = load_page(url)
    warc = tmp_path / "run.warc.gz"
    with WarcArchive(warc) as archive:
        record_id = archive.record(snap, "repcheck-test")
    with warc.open("rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types[0] == "warcinfo" and sorted(types[1:]) == ["request", "response"]

    again = load_record(warc, record_id)
    assert again.raw == snap.raw and again.sha256 == snap.sha256 and again.url == url
    live = check(url, CANONICAL, "rfi")
    offline = check(again, CANONICAL, "rfi")
    assert [f.fingerprint for f in offline.findings] == [f.fingerprint for f in live.findings]
    assert offline.page is not None and offline.page.sha256 == snap.sha256

    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["check", "--warc", str(warc), "--record", record_id, "--canonical", str(CANONICAL), "--rules", "rfi"],
        stdout=out,
        stderr=err,
        env={},
    )
    assert code == 1 and "text.cut" in out.getvalue(), err.getvalue()


def test_append_mode_keeps_earlier_records(tmp_path: Path) -> None:
    warc = tmp_path / "run.warc.gz"
    snap = load_page(PAGE)
    with WarcArchive(warc) as a:
        first = a.record(snap, "ua")
    with WarcArchive(warc) as a:  # a resumed run appends
        second = a.record(snap, "ua")
    assert load_record(warc, first).sha256 == load_record(warc, second).sha256 == snap.sha256


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_record(tmp_path / "missing.warc.gz", "<urn:uuid:x>")
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"not a warc at all\r\n\r\n")
    with pytest.raises(ConfigError, match="warc error"):
        load_record(junk, "<urn:uuid:x>")
    warc = tmp_path / "run.warc.gz"
    with WarcArchive(warc) as a:
        a.record(load_page(PAGE), "ua")
    with pytest.raises(ConfigError, match="no response record"):
        load_record(warc, "<urn:uuid:nope>")
    err = io.StringIO()
    assert (
        main(["check", "--warc", str(warc), "--canonical", str(CANONICAL)], stdout=io.StringIO(), stderr=err, env={})
        == 2
    )
    assert "--record" in err.getvalue()


def test_tampered_payload_is_detected(tmp_path: Path) -> None:
    warc = tmp_path / "run.warc"
    with WarcArchive(warc, compress=False) as a:
        rid = a.record(load_page(PAGE), "ua")
    data = warc.read_bytes()
    assert b"Moscou" in data
    warc.write_bytes(data.replace(b"Moscou", b"Moskva", 1))  # same length: only the digest can tell
    with pytest.raises(FetchError, match="SHA-256"):
        load_record(warc, rid)


def test_offset_hint_finds_the_record_and_a_wrong_hint_still_does(tmp_path: Path) -> None:
    path = tmp_path / "many.warc.gz"
    with WarcArchive(path) as archive:
        ids = [archive.record_at(load_page(f"<html><body><p>page {i}</p></body></html>"), "ua") for i in range(30)]
    record_id, offset = ids[17]
    assert offset > 0 and ids[18][1] > offset  # offsets grow with the file
    assert "page 17" in load_record(path, record_id, offset).text
    assert "page 17" in load_record(path, record_id, ids[3][1]).text  # wrong hint: full read
    assert "page 17" in load_record(path, record_id, 10**9).text  # past the end: full read
    with pytest.raises(ConfigError, match="no response record"):
        load_record(path, "<urn:uuid:nope>", offset)
