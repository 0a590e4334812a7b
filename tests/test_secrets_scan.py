"""The secret scanner on real files: every rule, the near misses it must leave alone, the
launch-risk ranking, redaction, and hostile input (a 1 GB sparse file, binary files, a
100,000-character minified line, a symlink loop, unreadable files)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from secret_fixtures import (
    HEX,
    as_nobody,
    aws_id,
    github,
    google,
    rand,
    shared_tmp,
    stripe_live,
    stripe_test,
    uuid_like,
)

from launchtui.secrets.findings import Where
from launchtui.secrets.repo import ScanError, scan_repository
from launchtui.secrets.scan import scan_text

# One line per rule: (rule id, text holding a fake token in the provider's format)
POSITIVES = [
    ("stripe-secret-key", f"STRIPE_SECRET_KEY={stripe_live()}"),
    ("stripe-secret-key", "const k = '" + "rk_" + "live_" + rand(40, seed=9) + "'"),
    ("stripe-webhook-secret", "hook: " + "wh" + "sec_" + rand(32, seed=10)),
    ("aws-access-key-id", f"id = {aws_id()}"),
    ("aws-secret-access-key", "aws_secret_access_key = " + rand(40, seed=11)),
    ("google-api-key", f'maps("{google()}")'),
    ("github-token", f"token: {github()}"),
    ("github-token", "gh" + "s_" + rand(36, seed=12)),
    ("github-token", "github_" + "pat_" + rand(22, seed=13) + "_" + rand(59, seed=14)),
    ("slack-token", "xo" + "xb-" + "2739102938-" + "2739102938475-" + rand(24, seed=15)),
    (
        "slack-webhook",
        "https://hooks.slack.com/services/" + "T024BE7LD/B01ABCDEF/" + rand(24, seed=16),
    ),
    ("sendgrid-api-key", "SG" + "." + rand(22, seed=17) + "." + rand(43, seed=18)),
    ("postmark-token", f"POSTMARK_SERVER_TOKEN={uuid_like()}"),
    ("mailgun-api-key", "MAILGUN_KEY=" + "key-" + rand(32, HEX, seed=19)),
    ("twilio-api-key", "SK" + rand(32, HEX, seed=20)),
    ("twilio-auth-token", "TWILIO_AUTH_TOKEN=" + rand(32, HEX, seed=21)),
    ("cloudflare-api-token", "CLOUDFLARE_API_TOKEN=" + rand(40, seed=22)),
    ("private-key", "-----BEGIN " + "RSA PRIVATE KEY-----\n" + rand(64, seed=23) + "\n"),
    ("database-url", "DATABASE_URL=postgres://app:" + rand(20, seed=24) + "@db.prod.net/app"),
    ("jwt-secret", "JWT_SECRET=" + rand(32, seed=25)),
    ("generic-secret", 'api_key = "' + rand(28, seed=26) + '"'),
]

NEAR_MISSES = [
    f'id = "{uuid_like()}"',  # a UUID without a provider's word
    'commit_sha = "' + rand(40, HEX, seed=30) + '"',  # a hash
    '"integrity": "sha512-' + rand(86, seed=31) + '=="',  # a lockfile integrity string
    'src="data:image/png;base64,' + rand(300, seed=32) + '"',  # an inline image
    "STRIPE_SECRET_KEY=" + "sk_" + "live_" + "x" * 24,  # a placeholder
    "api_key = 'your-api-key-here'",
    "JWT_SECRET=${JWT_SECRET}",
    "password = process.env.DB_PASSWORD",
    "DATABASE_URL=postgres://app:changeme@db:5432/app",
    "aws = " + "AK" + "IAIOSFODNN7EXAMPLE",  # AWS's documentation example
    'token = "' + "a" * 30 + '"',
    "publishable = " + "pk_" + "live_" + rand(24, seed=33),  # meant for browsers
]


@pytest.mark.parametrize(
    ("rule", "line"), POSITIVES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(POSITIVES)]
)
def test_each_rule_finds_its_format_and_never_keeps_the_value(rule, line):
    found, _ = scan_text(f"# config\n{line}\n", "src/settings.py", Where.SERVER)
    assert [f.rule for f in found] == [rule]
    (finding,) = found
    assert finding.line == 2
    secret_part = line.split("=")[-1].strip("'\" ")[-12:]
    assert secret_part not in repr(finding.to_dict())
    assert len(finding.fingerprint) == 16


@pytest.mark.parametrize("line", NEAR_MISSES)
def test_near_misses_are_not_findings(line):
    assert scan_text(f"{line}\n", "src/app.js", Where.SERVER)[0] == []


def test_lockfiles_skip_the_keyword_rules():
    text = '"resolved_token": "' + rand(40, seed=40) + '"\n'
    assert scan_text(text, "package-lock.json", Where.SERVER)[0] == []
    assert scan_text(text, "src/app.js", Where.SERVER)[0] != []


def test_redaction_shows_at_most_four_characters_and_the_length():
    key = stripe_live()
    (finding,) = scan_text(f"k={key}\n", "a.py", Where.SERVER)[0]
    assert finding.redacted == f"sk_l****({len(key)} chars)"
    short = "DATABASE_URL=postgres://u:" + rand(8, seed=41) + "@db.prod.net/x"
    (db,) = scan_text(short, "a.py", Where.SERVER)[0]
    assert db.redacted == "****(8 chars)"  # a short secret shows none of its characters


def test_allow_mark_on_the_line_or_above_keeps_a_finding_quiet():
    text = (
        f"a = '{stripe_live(1)}'  # launchtui: allow-secret\n"
        "# launchtui: allow-secret\n"
        f"b = '{stripe_live(2)}'\n"
        "\n"
        f"c = '{stripe_live(3)}'\n"
    )
    found, suppressed = scan_text(text, "a.py", Where.SERVER)
    assert suppressed == 2
    assert [f.line for f in found] == [5]


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_ranking_puts_client_bundles_first_then_server_code_then_test_keys(tmp_path):
    write(tmp_path, "src/server.js", f"const k = '{stripe_live(1)}';\n")
    write(tmp_path, "dist/assets/app.js", f'var k="{stripe_live(2)}";')
    write(tmp_path, "dist/assets/app.js.map", f'{{"sources":["{stripe_live(2)}"]}}')
    write(tmp_path, "tests/fixtures/stripe.json", f'{{"key": "{stripe_test()}"}}\n')
    write(tmp_path, ".next/server/page.js", f'k="{github()}"')
    write(tmp_path, ".next/static/chunk.js", f'k="{google()}"')
    report = scan_repository(tmp_path)
    ranked = sorted(report.findings, key=lambda f: (f.risk, f.path))
    assert [(f.path, f.risk) for f in ranked] == [
        (".next/static/chunk.js", 1),
        ("dist/assets/app.js", 1),
        ("dist/assets/app.js.map", 1),
        (".next/server/page.js", 2),
        ("src/server.js", 2),
        ("tests/fixtures/stripe.json", 4),
    ]
    assert not report.not_scanned and not report.incomplete


def test_a_baseline_of_fingerprints_keeps_accepted_findings_quiet(tmp_path):
    write(tmp_path, "a.py", f"k = '{stripe_live(1)}'\nj = '{github()}'\n")
    first = scan_repository(tmp_path)
    accepted = next(f for f in first.findings if f.rule == "github-token")
    write(tmp_path, ".launchtui-secrets-baseline", f"# accepted\n{accepted.fingerprint}  # gh\n")
    again = scan_repository(tmp_path)
    assert [f.rule for f in again.findings] == ["stripe-secret-key"]
    assert again.suppressed == 1
    write(tmp_path, "bad-baseline", "not-a-fingerprint\n")
    with pytest.raises(ScanError, match="not a fingerprint"):
        scan_repository(tmp_path, baseline=tmp_path / "bad-baseline")


def test_hostile_tree_ends_fast_with_a_clear_report(tmp_path):
    write(tmp_path, "src/ok.js", f"k='{stripe_live()}'\n")
    with open(tmp_path / "huge.log", "wb") as handle:  # 1 GB, sparse: costs no disk
        handle.truncate(1024**3)
    (tmp_path / "blob.dat").write_bytes(b"\0\x01\x02" * 10000 + stripe_live(9).encode())
    (tmp_path / "image.png").write_bytes(b"\x89PNG" + os.urandom(2000))
    minified = "var a=1;" * 12500  # 100,000 characters on one line
    write(tmp_path, "dist/app.min.js", minified + f'x="{google()}";' + minified)
    os.symlink(tmp_path, tmp_path / "loop")
    os.symlink(tmp_path / "src", tmp_path / "src" / "again")
    os.mkfifo(tmp_path / "pipe")
    started = time.monotonic()
    report = scan_repository(tmp_path)
    assert time.monotonic() - started < 3
    assert {(f.path, f.rule) for f in report.findings} == {
        ("src/ok.js", "stripe-secret-key"),
        ("dist/app.min.js", "google-api-key"),
    }
    assert report.not_scanned == [
        ("huge.log", "too large to scan (1073741824 bytes, limit 33554432)")
    ]
    assert report.binary_skipped == 2


def test_an_unreadable_folder_is_an_error_not_an_empty_pass(tmp_path):
    with pytest.raises(ScanError, match="does not exist"):
        scan_repository(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScanError, match="not a folder"):
        scan_repository(tmp_path / "file")


@pytest.fixture
def shared():
    path = shared_tmp()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_unreadable_files_and_folders_are_listed_as_not_scanned(shared):
    write(shared, "app.py", f"k = '{github()}'\n")
    write(shared, "secret.env", f"k = '{stripe_live()}'\n")
    write(shared, "private/notes.txt", "x")
    (shared / "secret.env").chmod(0)
    (shared / "private").chmod(0)

    def scan() -> dict[str, object]:
        return scan_repository(shared).to_dict()

    report = as_nobody(scan) if os.geteuid() == 0 else scan()
    assert [f["path"] for f in report["findings"]] == ["app.py"]
    assert sorted(report["not_scanned"], key=lambda n: n["path"]) == [
        {"path": "private", "why": "unreadable folder: Permission denied"},
        {"path": "secret.env", "why": "unreadable: Permission denied"},
    ]
    (shared / "private").chmod(0o755)


def test_an_unreadable_root_is_an_error(shared):
    shared.chmod(0o700)

    def scan() -> dict[str, object]:
        try:
            scan_repository(shared)
        except ScanError as exc:
            return {"error": str(exc)}
        return {}

    outcome = as_nobody(scan) if os.geteuid() == 0 else scan()
    assert outcome == {"error": f"cannot read {shared}: Permission denied"}


def test_a_time_budget_stops_the_walk_and_says_so(tmp_path):
    for n in range(50):
        write(tmp_path, f"f{n}.txt", "hello\n")
    report = scan_repository(tmp_path, budget=0.0)
    assert report.incomplete.startswith("time budget ran out after 0 files")
