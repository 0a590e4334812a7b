"""deploy.secrets through the engine, as `check` runs it: skip without [deploy].repo, pass,
warn (test keys only; a folder without git; a file too large to scan), fail (a live key, also
only in history), error (a missing or unreadable repository). Evidence never holds a value."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from check_helpers import run_check
from secret_fixtures import (
    as_nobody,
    commit,
    github,
    new_repo,
    shared_tmp,
    stripe_live,
    stripe_test,
)

from launchtui.checks.registry import checks_for_stages
from launchtui.model.results import Severity, Status
from launchtui.model.targets import Target
from launchtui.sprint import store


def sprint_for(tmp_path: Path, repo: str | None) -> object:
    path = tmp_path / "acme.toml"
    deploy = f'\n[deploy]\nrepo = "{repo}"\n' if repo is not None else ""
    path.write_text('[sprint]\nname = "Acme"\n\n[site]\napex = "acme.community"\n' + deploy)
    return store.load(path).sprint


def target(sprint) -> Target:  # type: ignore[no-untyped-def]
    return Target.for_url(sprint.deploy_repo.as_uri())


def test_registered_as_a_blocker_of_the_deploy_stage_and_the_audit():
    (check,) = [c for c in checks_for_stages(["deploy"]) if c.id == "deploy.secrets"]
    assert check.severity is Severity.BLOCKER and check.audit
    assert check in checks_for_stages(["audit"])


def test_skip_without_a_declared_repository(tmp_path):
    sprint = sprint_for(tmp_path, None)
    (check,) = [c for c in checks_for_stages(["deploy"]) if c.id == "deploy.secrets"]
    (only,) = check.targets(sprint)  # type: ignore[arg-type]
    result = run_check("deploy.secrets", sprint, only)  # type: ignore[arg-type]
    assert result.status is Status.SKIP and result.target == "[deploy].repo"


def test_pass_on_a_clean_repository_with_history(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"a.py": "key = os.environ['STRIPE']\n"}, "start")
    sprint = sprint_for(tmp_path, "app")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.PASS, result.summary
    assert result.summary == "no secret in 1 files and 1 commits"
    assert Target.parse(result.target) == target(sprint)


def test_fail_on_a_live_key_in_a_bundle_and_one_only_in_history(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"server.js": f"k = '{stripe_live(1)}'\n"}, "oops")
    commit(repo, {"server.js": "k = process.env.K\n", "dist/app.js": f'g="{github()}"'}, "b")
    sprint = sprint_for(tmp_path, "app")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.FAIL
    assert result.summary.startswith(
        "2 live secrets found; worst: GitHub token (live key served to browsers) at dist/app.js:1"
    )
    assert [f["risk"] for f in result.evidence["findings"]] == [1, 3]
    assert "Rotate every live key" in result.fix
    dumped = json.dumps(result.to_dict())
    assert stripe_live(1) not in dumped and github() not in dumped


def test_warn_on_test_keys_only_and_on_a_folder_without_git(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"tests/fixture.json": f'"{stripe_test()}"'}, "fixture")
    sprint = sprint_for(tmp_path, "app")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.WARN
    assert result.summary == "no live secret found, but 1 test-mode key"
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("x = 1\n")
    sprint = sprint_for(tmp_path, "plain")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.WARN
    assert "not a git repository: its history was not checked" in result.summary


def test_warn_when_a_file_could_not_be_scanned(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"a.py": "x = 1\n"}, "start")
    with open(repo / "dump.sql", "wb") as handle:
        handle.truncate(1024**3)  # sparse: 1 GB that costs no disk
    sprint = sprint_for(tmp_path, "app")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.WARN
    assert "1 file(s) not scanned" in result.summary
    assert result.evidence["not_scanned"][0].startswith("dump.sql: too large to scan")


def test_error_when_the_repository_is_missing(tmp_path):
    sprint = sprint_for(tmp_path, "gone")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.ERROR
    assert result.summary == f"could not check: {tmp_path / 'gone'} does not exist"


@pytest.fixture
def shared():
    path = shared_tmp()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_error_when_the_repository_cannot_be_read(shared):
    repo = new_repo(shared / "app")
    commit(repo, {"a.py": "x = 1\n"}, "start")
    repo.chmod(0o700)
    sprint = sprint_for(shared, "app")

    def run() -> list[str]:
        result = run_check("deploy.secrets", sprint, target(sprint))
        return [str(result.status), result.summary]

    status, summary = as_nobody(run) if os.geteuid() == 0 else run()
    assert status == "error"
    assert summary == f"could not check: cannot read {repo}: Permission denied"


def test_error_when_the_scan_runs_out_of_time(tmp_path, monkeypatch):
    import launchtui.checks.deploy.secrets as check_module

    repo = new_repo(tmp_path / "app")
    commit(repo, {"a.py": "x = 1\n"}, "start")
    monkeypatch.setattr(check_module, "SCAN_BUDGET", 0.0)  # no time at all: nothing checked
    sprint = sprint_for(tmp_path, "app")
    result = run_check("deploy.secrets", sprint, target(sprint))
    assert result.status is Status.ERROR
    assert (
        result.summary == "could not check: time budget ran out after 0 files of the working tree"
    )
