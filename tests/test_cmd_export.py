"""`launchtui export` end to end: a sprint checked against the lab, exported by a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from lab_fixtures import ZONE

from launchtui.sprint import store
from launchtui.sprint.history import history_path
from launchtui.sprint.tasks_store import record_task

pytest_plugins = ["lab_fixtures"]

SECRET = "supersecret-value"
TOKEN_VAR = "LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN"


def launchtui(*args: str, secret: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHTUI_CRED_")}
    if secret:
        env[TOKEN_VAR] = SECRET
    return subprocess.run(
        [sys.executable, "-m", "launchtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture(scope="module")
def checked(lab, tmp_path_factory) -> Path:
    """The demo sprint on the lab, checked with --save, with some task state recorded."""
    path = lab.write_sprint(tmp_path_factory.mktemp("export") / "lab.toml")
    doc = tomlkit.parse(path.read_text())
    doc["site"]["hostnames"] = [f"www.{ZONE}", f"app.{ZONE}", f"community.{ZONE}"]
    doc["deploy"] = {"env_required": ["DATABASE_URL", "STRIPE_SECRET_KEY"]}
    path.write_text(tomlkit.dumps(doc))
    done = launchtui("check", str(path), "--save", "--timeout", "2", secret=False)
    assert done.returncode == 1, done.stderr  # the expired certificate of community.
    record_task(
        path,
        "handover",
        "registrar-settings",
        done=True,
        owner="Priya",
        note="Registrar: Gandi, auto-renew on, transfer lock on.",
        updated_at="2026-11-27T21:00:00Z",
    )
    return path


@pytest.fixture
def sprint(checked, request) -> Path:
    """A copy of the checked sprint next to it (its lab CA path is relative), so that a test
    cannot spoil it for the next."""
    copy = checked.with_name(f"{request.node.name}.toml")
    copy.write_bytes(checked.read_bytes())
    history_path(copy).write_bytes(history_path(checked).read_bytes())  # the evidence
    return copy


def test_markdown_export_of_a_checked_sprint(sprint, private_keyring):
    done = launchtui("export", str(sprint))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert SECRET not in text and SECRET not in done.stderr
    assert (
        "| `cloudflare_api_token` | Cloudflare API token (Zone read) | environment variable "
        in text
    )
    assert "LAUNCHTUI\\_CRED\\_CLOUDFLARE\\_API\\_TOKEN" in text
    assert "| 1 | Registrar settings | yes | Priya |" in text
    assert "Registrar: Gandi, auto-renew on, transfer lock on." in text
    assert f"| blocker | fail | blocker | tls.certificate | community.{ZONE} |" in text
    assert f"| app.{ZONE} | pass | A 127.0.0.1<br>AAAA nodata |   | proxied |" in text
    assert "| `DATABASE_URL` | database_url (from its name) |" in text
    assert "| `STRIPE_SECRET_KEY` | payment_key (from its name) |" in text
    # A result is saved under its check's stage (dns.resolve: edge), even when the audit ran it.
    assert f"| dns.resolve | edge | app.{ZONE} | pass |" in text
    assert "| dns.resolve | audit |" not in text


def test_a_saved_run_holds_no_secret(sprint):
    """A run saved with the Cloudflare token in the environment (edge.cloudflare uses it):
    neither the sprint file nor its run history (database and journal) holds it."""
    done = launchtui("check", str(sprint), "--stage", "edge", "--save", "--timeout", "2")
    assert done.returncode in (0, 1), done.stderr
    history = history_path(sprint)
    files = [sprint, *history.parent.glob(f"{history.name}*")]
    assert history in files
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_json_export_parses(sprint, private_keyring):
    done = launchtui("export", str(sprint), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout
    data = json.loads(done.stdout)
    assert data["deployment"]["credentials"][0]["source"] == "environment"
    assert data["handover"][0] == {
        "id": "registrar-settings",
        "stage": "handover",
        "title": "Registrar settings",
        "in_catalogue": True,
        "done": True,
        "owner": "Priya",
        "note": "Registrar: Gandi, auto-renew on, transfer lock on.",
        "evidence": "",
        "updated_at": "2026-11-27T21:00:00Z",
    }
    assert {c["target"] for c in data["checks"]} >= {f"app.{ZONE}", f"community.{ZONE}"}
    assert [entry["hostname"] for entry in data["routing"]] == [
        ZONE,
        f"www.{ZONE}",
        f"app.{ZONE}",
        f"community.{ZONE}",
    ]


def test_output_file_is_written_and_the_sprint_never_overwritten(sprint, private_keyring, tmp_path):
    output = tmp_path / "handover.md"
    done = launchtui("export", str(sprint), "-o", str(output))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert output.read_text().startswith("# Handover: ")
    before = sprint.read_bytes()
    refused = launchtui("export", str(sprint), "--output", str(sprint))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "is the sprint file itself" in refused.stderr
    assert sprint.read_bytes() == before
    missing = launchtui("export", str(sprint), "-o", str(tmp_path / "no" / "x.md"))
    assert missing.returncode == 2 and "cannot write" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_sprint_errors_are_one_line_exit_2(sprint, tmp_path):
    sprint.write_text(sprint.read_text() + '\n[tasks.deploy.rollback-tested]\ndone = "yes"\n')
    done = launchtui("export", str(sprint))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert 'tasks.deploy.rollback-tested.done: expected true or false, got a string ("yes")' in (
        done.stderr
    )
    missing = launchtui("export", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    usage = launchtui("export", str(sprint), "--format", "html")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_export_leaves_the_sprint_file_alone(sprint, private_keyring):
    before = sprint.read_bytes()
    assert launchtui("export", str(sprint)).returncode == 0
    assert sprint.read_bytes() == before
    assert store.load(sprint).original == before


def test_a_reader_that_goes_away_ends_the_output_quietly(sprint):
    """`launchtui export SPRINT | head`: the reader has gone when the export writes; no
    traceback, no "unexpected error", and the exit status of a process SIGPIPE stopped."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "launchtui", "export", str(sprint)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    assert done.stderr == ""
