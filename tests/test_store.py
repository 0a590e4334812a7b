"""Loading, saving and recording results keep the user's file intact."""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from launchtui.errors import SprintFileError
from launchtui.model.results import Result, Severity, Status
from launchtui.sprint import recorded, store

FIXTURES = Path(__file__).parent / "sprint_fixtures"

MINIMAL = '[sprint]\nname = "Acme launch"\n\n[site]\napex = "acme.community"\n'

HOSTILE = [
    "\x1b[2J\x1b[31mred\x1b[0m",
    "[bold red]x[/] [link=https://evil.test]click[/link]",
    "quotes \" and ' and \"\"\" and '''",
    "back\\slash \\n not a newline \\u0041",
    "new\nline",
    "carriage\rreturn and\r\nCRLF",
    "nul \x00 del \x7f bell \x07 tab \t",
    "\ufeff bom, \u2028 line separator, emoji 😀, RTL \u202e",
    '\n leading newline and trailing quote"',
    "",
]


def copy_fixture(tmp_path: Path, name: str) -> Path:
    shutil.copy(FIXTURES / "lab-ca.pem", tmp_path / "lab-ca.pem")
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def result(
    check_id: str = "tls.certificate",
    target: str = "app.acme.community",
    *,
    stage: str = "edge",
    status: Status = Status.FAIL,
    summary: str = "Certificate expired 3 days ago",
    evidence: dict[str, Any] | None = None,
    fix: str = "",
) -> Result:
    return Result(
        id=check_id,
        stage=stage,
        target=target,
        status=status,
        severity=Severity.BLOCKER,
        summary=summary,
        evidence=evidence or {},
        fix=fix,
        duration_ms=41,
        checked_at="2025-03-01T09:30:00Z",
    )


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.tmp"))


# Round trips


ROUND_TRIP_FILES = ["acme.toml", "odd_spacing.toml", "with_results.toml"]


@pytest.mark.parametrize("name", ROUND_TRIP_FILES)
def test_unchanged_file_saves_byte_for_byte(tmp_path: Path, name: str) -> None:
    path = copy_fixture(tmp_path, name)
    original = path.read_bytes()
    document = store.load(path)
    assert document.original == original
    assert document.doc.as_string().encode() == original
    store.save(document)
    assert path.read_bytes() == original


@pytest.mark.parametrize("name", ROUND_TRIP_FILES)
def test_crlf_file_stays_crlf(tmp_path: Path, name: str) -> None:
    path = copy_fixture(tmp_path, name)
    crlf = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(crlf)
    document = store.load(path)
    assert document.doc.as_string().encode() == crlf
    document.doc["sprint"]["engineer"] = "Robin"
    document.doc["added"] = {"key": "value"}
    store.save(document)
    saved = path.read_bytes()
    assert saved.count(b"\n") == saved.count(b"\r\n")
    assert b'"Robin"' in saved
    assert store.load(path).sprint.engineer == "Robin"


def test_crlf_file_keeps_multiline_fixes_exact(tmp_path: Path) -> None:
    path = tmp_path / "crlf.toml"
    path.write_bytes(MINIMAL.replace("\n", "\r\n").encode())
    fix = "Renew the certificate.\nThen check again.\n"
    recorded.record_run(path, [result(fix=fix)], "2025-03-01T09:30:00Z")
    saved = path.read_bytes()
    assert saved.count(b"\n") == saved.count(b"\r\n")
    latest, _ = recorded.latest_results(store.load(path))
    assert latest[("tls.certificate", "app.acme.community")].fix == fix


def test_byte_order_mark_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    document = store.load(path)
    store.save(document)
    assert path.read_bytes() == b"\xef\xbb\xbf" + MINIMAL.encode()
    document.doc["sprint"]["client"] = "Acme Co"
    store.save(document)
    assert path.read_bytes().startswith(b'\xef\xbb\xbf[sprint]\nname = "Acme launch"\n')


def test_edit_keeps_comments_order_and_unknown_keys(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "odd_spacing.toml")
    before = path.read_text()
    document = store.load(path)
    document.doc["sprint"]["engineer"] = "Robin"
    store.save(document)
    after = path.read_text()
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        ('engineer   =   "Sam"   # who runs it', 'engineer   =   "Robin"   # who runs it')
    ]


# Saving safely


def test_save_refuses_to_overwrite_a_hand_edit(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    hand_edited = path.read_bytes().replace(b'engineer = "Sam"', b'engineer = "Kim"')
    path.write_bytes(hand_edited)
    document.doc["sprint"]["client"] = "Someone else"
    with pytest.raises(SprintFileError, match="changed on disk since it was loaded"):
        store.save(document)
    assert path.read_bytes() == hand_edited
    assert temp_files(tmp_path) == []


def test_save_refuses_when_the_file_was_deleted(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    path.unlink()
    document.doc["sprint"]["client"] = "x"
    with pytest.raises(SprintFileError, match="changed on disk"):
        store.save(document)
    assert not path.exists()


def test_changed_on_disk_follows_hand_edits_and_own_saves(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    assert not store.changed_on_disk(document)
    document.doc["sprint"]["client"] = "Acme Ltd"
    store.save(document)
    assert not store.changed_on_disk(document)  # its own save is not a change on disk
    path.write_bytes(path.read_bytes() + b"# a note\n")
    assert store.changed_on_disk(document)
    path.unlink()
    assert store.changed_on_disk(document)


def test_overwrite_keeps_the_document_and_a_copy_of_what_was_on_disk(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    hand_edited = path.read_bytes().replace(b'engineer = "Sam"', b'engineer = "Kim"')
    path.write_bytes(hand_edited)
    document.doc["sprint"]["client"] = "Acme Ltd"
    copy = store.overwrite(document)
    assert copy == tmp_path / "acme.toml.replaced"
    assert copy.read_bytes() == hand_edited
    saved = store.load(path)
    assert saved.sprint.client == "Acme Ltd"
    assert saved.doc["sprint"]["engineer"] == "Sam"
    assert not store.changed_on_disk(document)
    assert temp_files(tmp_path) == []


def test_overwrite_replaces_a_broken_file_and_a_deleted_one(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    original = path.read_bytes()
    path.write_bytes(b"[sprint\nbroken")
    assert store.overwrite(document) == tmp_path / "acme.toml.replaced"
    assert path.read_bytes() == original
    assert (tmp_path / "acme.toml.replaced").read_bytes() == b"[sprint\nbroken"
    path.unlink()
    assert store.overwrite(document) is None  # nothing on disk to keep a copy of
    assert path.read_bytes() == original


def test_overwrite_writes_nothing_when_the_document_is_invalid(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    path.write_bytes(path.read_bytes() + b"# edited\n")
    edited = path.read_bytes()
    document.doc["site"]["canonical"] = "app.acme.community"
    with pytest.raises(SprintFileError, match=r"site\.canonical"):
        store.overwrite(document)
    assert path.read_bytes() == edited
    assert not (tmp_path / "acme.toml.replaced").exists()


def test_save_writes_nothing_when_the_document_became_invalid(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    original = path.read_bytes()
    document = store.load(path)
    document.doc["site"]["canonical"] = "app.acme.community"
    with pytest.raises(SprintFileError, match=r"acme\.toml:10: site\.canonical: expected an https"):
        store.save(document)
    assert path.read_bytes() == original
    assert temp_files(tmp_path) == []


def test_consecutive_saves_of_one_document(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    document = store.load(path)
    for engineer in ("Kim", "Robin"):
        document.doc["sprint"]["engineer"] = engineer
        store.save(document)
        assert document.sprint.engineer == engineer
        assert document.original == path.read_bytes()


def test_write_atomic_leaves_the_original_when_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    original = path.read_bytes()

    def failing_replace(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        store.write_atomic(path, b"new content")
    assert path.read_bytes() == original
    assert temp_files(tmp_path) == []

    document = store.load(path)
    document.doc["sprint"]["engineer"] = "Kim"
    with pytest.raises(SprintFileError, match=r"acme\.toml: cannot write: No space left on device"):
        store.save(document)
    assert path.read_bytes() == original
    assert temp_files(tmp_path) == []


def test_write_atomic_keeps_permissions_and_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real.toml"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    store.write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert real.stat().st_mode & 0o777 == 0o600
    assert temp_files(tmp_path) == []


# Recording results


def test_record_results_writes_the_documented_layout(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(MINIMAL)
    evidence = {"not_after": "2025-02-26", "names": ["app.acme.community"], "days": -3}
    results = [
        result(evidence=evidence, fix="Renew the certificate.\nVerify: launchtui check"),
        result(target="www.acme.community", status=Status.PASS, summary="Valid for 80 days"),
        result(target="old.acme.community", status=Status.WARN, summary="Expires\nin 9 days"),
    ]
    store.record_results(path, results, "2025-03-01T09:31:00Z")
    assert path.read_text() == MINIMAL + (
        "\n"
        '[results.edge."tls.certificate"]\n'
        'severity = "blocker"\n'
        'checked_at = "2025-03-01T09:30:00Z"\n'
        "pass = [\n"
        '    "www.acme.community",\n'
        "]\n"
        "\n"
        '[results.edge."tls.certificate".warn]\n'
        '"old.acme.community" = "Expires in 9 days"\n'
        "\n"
        '[results.edge."tls.certificate".fail]\n'
        '"app.acme.community" = "Certificate expired 3 days ago"\n'
    )
    # The evidence, fix and duration are not in the file: they go to the run history.
    assert "Renew" not in path.read_text() and "not_after" not in path.read_text()


def test_the_file_does_not_grow_with_runs(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    runs = [
        [result(), result("dns.a", "acme.community", status=Status.PASS)],
        [result(status=Status.PASS, summary="Valid"), result("dns.a", "acme.community")],
    ]
    sizes = []
    for day in range(1, 11):
        store.record_results(path, runs[day % 2], f"2025-03-{day:02d}T09:00:00Z")
        sizes.append(len(path.read_bytes()))
    assert sizes[2:] == [sizes[0], sizes[1]] * 4


def test_record_results_keeps_a_hand_edit_made_meanwhile(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    loaded_earlier = store.load(path)
    text = path.read_text().replace('engineer = "Sam"', 'engineer = "Kim"  # took over')
    path.write_text(text + "\n[handover]\nnote = 'written by hand'\n")
    document = store.record_results(path, [result()], "2025-03-01T09:31:00Z")
    saved = path.read_text()
    assert 'engineer = "Kim"  # took over' in saved
    assert "note = 'written by hand'" in saved
    assert document.sprint.engineer == "Kim"
    assert document.original == path.read_bytes()
    assert ("tls.certificate", "app.acme.community") in store.saved_results(document)
    assert loaded_earlier.sprint.engineer == "Sam"


def test_a_verdict_moves_between_statuses(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    store.record_results(path, [result(status=Status.FAIL)], "2025-03-01T09:00:00Z")
    store.record_results(
        path, [result(status=Status.PASS, summary="Valid for 89 days")], "2025-03-02T09:00:00Z"
    )
    document = store.load(path)
    stored = store.saved_results(document)[("tls.certificate", "app.acme.community")]
    assert stored.status == "pass"
    assert stored.checked_at == "2025-03-01T09:30:00Z"  # the result's own time
    table = document.doc.unwrap()["results"]["edge"]["tls.certificate"]
    assert table == {
        "severity": "blocker",
        "checked_at": "2025-03-01T09:30:00Z",
        "pass": ["app.acme.community"],
    }


def test_rerecording_replaces_the_result_where_it_stands(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    checks = [result("dns.a", "acme.community"), result("dns.a", "www.acme.community")]
    store.record_results(path, checks, "2025-03-01T09:00:00Z")
    first = path.read_text()
    store.record_results(path, [result("dns.a", "acme.community")], "2025-03-02T09:00:00Z")
    second = path.read_text()
    assert second.index('"acme.community" =') < second.index('"www.acme.community" =')
    assert first == second


def test_a_result_recorded_by_another_stage_moves(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    store.record_results(path, [result(stage="audit")], "2025-03-01T09:00:00Z")
    store.record_results(path, [result(stage="edge", status=Status.PASS)], "2025-03-02T09:00:00Z")
    document = store.load(path)
    stored = store.saved_results(document)[("tls.certificate", "app.acme.community")]
    assert stored.stage == "edge"
    assert "audit" not in document.doc["results"]


def test_hostile_strings_round_trip(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    results = [
        result(
            f"check.{index}",
            f"https://app.acme.community/{text}",
            summary=text,
            fix=text,
            evidence={text: text, "list": [text, {"nested": text}], "table": {text: [text]}},
        )
        for index, text in enumerate(HOSTILE)
    ]
    recorded.record_run(path, results, "2025-03-01T09:00:00Z")
    saved = path.read_text(encoding="utf-8")
    in_file = store.saved_results(store.load(path))
    latest, problem = recorded.latest_results(store.load(path))
    assert problem is None
    assert tomllib.loads(saved)["results"] == store.load(path).doc.unwrap()["results"]
    for index, text in enumerate(HOSTILE):
        key = (f"check.{index}", f"https://app.acme.community/{text}")
        assert in_file[key].summary == " ".join(text.split())  # one line in the file
        got = latest[key]
        assert got.summary == text
        assert got.fix == text
        assert got.evidence == {
            text: text,
            "list": [text, {"nested": text}],
            "table": {text: [text]},
        }
    assert "\x1b" not in saved and "\x00" not in saved


def test_evidence_becomes_plain_data(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    evidence = {
        "gone": None,
        "records": ("1.2.3.4", None, "5.6.7.8"),
        "headers": {"server": "cloudflare", "age": None},
        "status": Status.PASS,
        "big": 2**70,
        "ratio": 0.25,
        "ok": True,
        "broken": "\udcff surrogate",
    }
    recorded.record_run(path, [result(evidence=evidence)], "2025-03-01T09:00:00Z")
    latest, _ = recorded.latest_results(store.load(path))
    stored = latest[("tls.certificate", "app.acme.community")]
    assert stored.evidence == {
        "records": ["1.2.3.4", "5.6.7.8"],
        "headers": {"server": "cloudflare"},
        "status": "pass",
        "big": str(2**70),
        "ratio": 0.25,
        "ok": True,
        "broken": "? surrogate",
    }


def test_record_results_with_an_unknown_stage_writes_nothing(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    original = path.read_bytes()
    with pytest.raises(SprintFileError, match='unknown stage "deplyo"'):
        store.record_results(path, [result(stage="deplyo")], "2025-03-01T09:00:00Z")
    assert path.read_bytes() == original


def test_record_results_on_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace("acme.community", "acme"))
    with pytest.raises(SprintFileError, match=r"bad\.toml:5: site\.apex"):
        store.record_results(path, [result()], "2025-03-01T09:00:00Z")
    assert path.read_text() == MINIMAL.replace("acme.community", "acme")


def test_saved_results_of_a_file_without_results(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(MINIMAL)
    assert store.saved_results(store.load(path)) == {}


def test_progress_stage(tmp_path: Path) -> None:
    path = copy_fixture(tmp_path, "acme.toml")
    assert store.saved_stage(store.load(path)) is None
    document = store.record_stage(path, "email")
    assert store.saved_stage(document) == "email"
    assert store.saved_stage(store.load(path)) == "email"
    with pytest.raises(SprintFileError, match=r'progress\.stage: unknown stage "mail"'):
        store.record_stage(path, "mail")
    assert store.saved_stage(store.load(path)) == "email"
