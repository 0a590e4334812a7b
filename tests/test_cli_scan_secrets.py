"""`launchtui scan-secrets` end to end, as a real subprocess: exit codes, the three formats
(SARIF validated against a JSON schema), the baseline, and the git hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from secret_fixtures import commit, git, github, new_repo, stripe_live, stripe_test

SCHEMA = Path(__file__).parent / "fixtures" / "sarif-2.1.0.schema.json"


def launchtui(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launchtui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = new_repo(tmp_path / "app")
    commit(repo, {"src/pay.js": f"const k = '{stripe_live(1)}';\n"}, "oops")
    commit(repo, {"src/pay.js": "const k = process.env.STRIPE_SECRET_KEY;\n"}, "fix")
    commit(repo, {"public/app.js": f'k="{github()}"', "tests/f.json": f'"{stripe_test()}"'}, "b")
    return repo


def no_secret_in(text: str) -> None:
    for secret in (stripe_live(1), github(), stripe_test()):
        assert secret not in text and secret[6:] not in text


def test_text_output_ranks_findings_and_exits_1(repo):
    done = launchtui("scan-secrets", str(repo), "--history")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("[live key served to browsers] public/app.js:1  GitHub token  ghp_")
    assert lines[1].startswith("[live key in git history] src/pay.js:1 @ ")
    assert lines[2].startswith("[test key] tests/f.json:1  Stripe secret or restricted API key")
    assert lines[3].startswith("2 live secrets, 1 test key(s), 0 accepted; scanned 3 files, 3 ")
    no_secret_in(done.stdout + done.stderr)


def test_clean_and_test_keys_only_exit_0(tmp_path):
    clean = new_repo(tmp_path / "clean")
    commit(clean, {"a.py": "x = 1\n", "t.json": f'"{stripe_test()}"'}, "start")
    done = launchtui("scan-secrets", str(clean), "--history")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 live secrets, 1 test key(s)" in done.stdout


def test_json_output(repo):
    done = launchtui("scan-secrets", str(repo), "--history", "--format", "json")
    data = json.loads(done.stdout)
    assert [f["risk"] for f in data["findings"]] == [1, 3, 4]
    assert data["commits_scanned"] == 3 and data["incomplete"] == ""
    assert set(data["findings"][0]) >= {"rule", "path", "line", "redacted", "fingerprint"}
    no_secret_in(done.stdout)


def test_sarif_validates_against_the_schema(repo, tmp_path):
    done = launchtui("scan-secrets", str(repo), "--history", "--format", "sarif")
    assert done.returncode == 1
    log = json.loads(done.stdout)
    validator = sarif_validator()
    validator.validate(log)
    (run,) = log["runs"]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning"]
    assert results[1]["properties"]["commit"] == git(repo, "rev-list", "--max-parents=0", "HEAD")
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    no_secret_in(done.stdout)
    # the schema is strict enough to catch a malformed log
    broken = json.loads(done.stdout)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
    del broken["version"]  # a required property
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def sarif_validator() -> jsonschema.protocols.Validator:
    """The validator of the SARIF 2.1.0 schema's own draft (2020-12), formats checked."""
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_write_baseline_then_scan_with_it_is_clean(repo, tmp_path):
    baseline = tmp_path / "accepted.txt"
    launchtui("scan-secrets", str(repo), "--history", "--write-baseline", str(baseline))
    text = baseline.read_text()
    no_secret_in(text)
    done = launchtui("scan-secrets", str(repo), "--history", "--baseline", str(baseline))
    assert done.returncode == 0, done.stdout
    assert "0 live secrets, 0 test key(s), 3 accepted" in done.stdout


def test_usage_errors_and_unreadable_paths_exit_2(tmp_path):
    missing = launchtui("scan-secrets", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"launchtui: scan-secrets: {tmp_path / 'nope'} does not exist"
    both = launchtui("scan-secrets", str(tmp_path), "--history", "--staged")
    assert both.returncode == 2 and "do not go together" in both.stderr
    staged = launchtui("scan-secrets", str(tmp_path), "--staged")
    assert staged.returncode == 2 and "not a git repository" in staged.stderr
    bad = launchtui("scan-secrets", str(tmp_path), "--format", "xml")
    assert bad.returncode == 2


def test_a_scan_that_cannot_finish_exits_2(tmp_path):
    for n in range(20):
        (tmp_path / f"f{n}.txt").write_text("x\n")
    done = launchtui("scan-secrets", str(tmp_path), "--timeout", "0.000001")
    assert done.returncode == 2
    assert "INCOMPLETE: time budget ran out" in done.stdout
    assert "could not finish" in done.stderr


def test_install_hooks_and_refuse_to_replace_one(repo):
    done = launchtui("scan-secrets", "--install-hook", "pre-commit", str(repo))
    assert done.returncode == 0, done.stderr
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert "scan-secrets --staged" in hook.read_text()
    again = launchtui("scan-secrets", "--install-hook", "pre-commit", str(repo))
    assert again.returncode == 2 and "already exists" in again.stderr
    hook.write_text("#!/bin/sh\necho mine\n")
    assert launchtui("scan-secrets", "--install-hook", "pre-commit", str(repo)).returncode == 2
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    forced = launchtui("scan-secrets", "--install-hook", "pre-commit", str(repo), "--force")
    assert forced.returncode == 0 and "scan-secrets --staged" in hook.read_text()
    push = launchtui("scan-secrets", "--install-hook", "pre-push", str(repo))
    assert push.returncode == 0
    assert "scan-secrets --history" in (repo / ".git" / "hooks" / "pre-push").read_text()
    not_repo = launchtui("scan-secrets", "--install-hook", "pre-push", str(repo.parent))
    assert not_repo.returncode == 2 and "not a git repository" in not_repo.stderr


def test_the_pre_commit_hook_stops_a_commit_with_a_live_key(tmp_path):
    repo = new_repo(tmp_path / "hooked")
    commit(repo, {"a.py": "x = 1\n"}, "start")
    assert launchtui("scan-secrets", "--install-hook", "pre-commit", str(repo)).returncode == 0
    (repo / "b.py").write_text(f"k = '{stripe_live(5)}'\n")
    git(repo, "add", "b.py")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    blocked = subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "-m", "key"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert blocked.returncode != 0
    assert "b.py:1" in blocked.stdout + blocked.stderr
    (repo / "b.py").write_text("k = os.environ['STRIPE']\n")
    git(repo, "add", "b.py")
    ok = subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "env"], env=env)
    assert ok.returncode == 0
