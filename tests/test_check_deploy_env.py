"""deploy.env and `launchtui env-check`: real dotenv files, the real process environment of a
subprocess, and the platforms' APIs as loopback doubles in their documented shapes. No value
may appear in any output: only lengths and fingerprints."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from check_helpers import FAST, assert_could_not_check
from platform_doubles import (
    DB_URL,
    LIVE_KEY,
    PLATFORM_TOKEN,
    SECRETS,
    TEST_KEY,
    TOKEN_VALUE,
    Double,
    serve,
)
from secret_fixtures import as_nobody, shared_tmp

from launchtui.checks.context import check_context
from launchtui.checks.engine import run_checks
from launchtui.checks.registry import all_checks
from launchtui.deploy.env import fingerprint
from launchtui.model.results import Result, Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts
from launchtui.sprint import store

CHECK = "deploy.env"
REQUIRED = '["DATABASE_URL", "STRIPE_SECRET_KEY", "POSTMARK_TOKEN", "DEBUG"]'
GOOD_ENV = (
    "# production\n"
    f'export DATABASE_URL="{DB_URL}"\n'
    f"STRIPE_SECRET_KEY='{LIVE_KEY}'\n"
    f"POSTMARK_TOKEN={TOKEN_VALUE}   # the server token\n"
    "DEBUG=false\n"
)


def write_sprint(
    tmp_path: Path, source: str | None, required: str = REQUIRED, extra: str = ""
) -> Path:
    lines = [
        '[sprint]\nname = "Acme"\n[site]\napex = "acme.community"\n[deploy]',
        f"env_required = {required}",
    ]
    if source is not None:
        lines.append(f'env_source = "{source}"')
    path = tmp_path / "acme.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def load(path: Path) -> Sprint:
    return store.load(path).sprint


def results(sprint: Sprint, timeouts: Timeouts = FAST) -> dict[str, Result]:
    """Every target of the check, in one run (one context), as the engine runs them."""
    check = next(c for c in all_checks() if c.id == CHECK)

    async def go() -> list[Result]:
        async with check_context(sprint, timeouts=timeouts) as ctx:
            return await run_checks([check], ctx)

    return {r.target: r for r in asyncio.run(go())}


def no_secret_in(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
            assert secret[8:24] not in text  # nor a recognisable piece of it


def dump(found: dict[str, Result]) -> str:
    return json.dumps([r.to_dict() for r in found.values()])


# -- a dotenv file ----------------------------------------------------------------------------


def test_a_complete_env_file_passes_and_shows_only_length_and_fingerprint(tmp_path):
    (tmp_path / ".env.production").write_text(GOOD_ENV)
    found = results(load(write_sprint(tmp_path, "dotenv:.env.production")))
    assert {t: r.status for t, r in found.items()} == dict.fromkeys(
        ["DATABASE_URL", "STRIPE_SECRET_KEY", "POSTMARK_TOKEN", "DEBUG"], Status.PASS
    )
    evidence = found["DATABASE_URL"].evidence
    assert evidence["length"] == len(DB_URL)
    assert evidence["fingerprint"] == fingerprint(DB_URL) and len(evidence["fingerprint"]) == 15
    assert evidence["source"] == "dotenv:.env.production"
    assert evidence["kind"] == "database_url" and evidence["kind_from"] == "name"
    no_secret_in(dump(found))


def test_missing_empty_placeholder_test_key_and_localhost_fail_and_debug_warns(tmp_path):
    (tmp_path / ".env.production").write_text(
        'DATABASE_URL="postgres://app:pw@localhost:5432/app"\n'
        f"STRIPE_SECRET_KEY={TEST_KEY}\n"
        "POSTMARK_TOKEN=\n"
        "DEBUG=True\n"
        "APP_URL=https://your-app.example.com\n"
        "SESSION_SECRET=changeme\n"
        'WEBHOOK_SECRET="${STRIPE_WEBHOOK}"\n'
    )
    required = (
        '["DATABASE_URL", "STRIPE_SECRET_KEY", "POSTMARK_TOKEN", "DEBUG", "APP_URL", '
        '"SESSION_SECRET", "WEBHOOK_SECRET", "REDIS_URL"]'
    )
    found = results(load(write_sprint(tmp_path, "dotenv:.env.production", required)))
    status = {t: r.status for t, r in found.items()}
    assert status == {
        "DATABASE_URL": Status.FAIL,
        "STRIPE_SECRET_KEY": Status.FAIL,
        "POSTMARK_TOKEN": Status.FAIL,
        "DEBUG": Status.WARN,
        "APP_URL": Status.FAIL,
        "SESSION_SECRET": Status.FAIL,
        "WEBHOOK_SECRET": Status.FAIL,
        "REDIS_URL": Status.FAIL,
    }
    assert "localhost" in found["DATABASE_URL"].summary
    assert "test-mode" in found["STRIPE_SECRET_KEY"].summary
    assert "empty" in found["POSTMARK_TOKEN"].summary
    assert "debug mode" in found["DEBUG"].summary
    assert "placeholder" in found["APP_URL"].summary
    assert "placeholder" in found["SESSION_SECRET"].summary
    assert "placeholder" in found["WEBHOOK_SECRET"].summary
    assert "not set in dotenv:.env.production" in found["REDIS_URL"].summary
    assert all(r.fix for r in found.values() if r.status is not Status.PASS)
    no_secret_in(dump(found))
    assert "changeme" not in dump(found) and "localhost:5432" not in dump(found)


def test_a_declared_kind_wins_over_the_name(tmp_path):
    (tmp_path / ".env").write_text("MY_ENDPOINT=http://printer.local/\nSUPPORT=hello\n")
    required = '[{ name = "MY_ENDPOINT", kind = "url" }, { name = "SUPPORT", kind = "email" }]'
    found = results(load(write_sprint(tmp_path, "dotenv:.env", required)))
    assert found["MY_ENDPOINT"].status is Status.FAIL
    assert found["MY_ENDPOINT"].evidence["kind_from"] == "declared"
    assert found["SUPPORT"].status is Status.FAIL and "email" in found["SUPPORT"].summary


def test_an_env_file_that_does_not_exist_is_an_error_for_every_variable(tmp_path):
    found = results(load(write_sprint(tmp_path, "dotenv:.env.production")))
    for result in found.values():
        assert_could_not_check(result, "no such file")


def test_an_unreadable_env_file_is_an_error(tmp_path):
    # Root reads any file: as root, the check runs in a child that has become nobody, in a
    # folder nobody can enter.
    folder = shared_tmp() if os.geteuid() == 0 else tmp_path
    env = folder / ".env.production"
    env.write_text(GOOD_ENV)
    env.chmod(0)
    sprint = write_sprint(folder, "dotenv:.env.production")
    sprint.chmod(0o644)

    def check() -> dict[str, object]:
        result = results(load(sprint))["DATABASE_URL"]
        return {"status": str(result.status), "summary": result.summary}

    try:
        found = as_nobody(check) if os.geteuid() == 0 else check()
    finally:
        env.chmod(0o600)
    assert found.get("exception") is None, found
    assert found["status"] == "error" and "permission denied" in str(found["summary"]), found
    assert "internal error" not in str(found["summary"])


def test_a_fifo_is_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.env")
    found = results(load(write_sprint(tmp_path, "dotenv:pipe.env")))
    assert_could_not_check(found["DEBUG"], "not a regular file")


def test_a_file_that_is_not_text_is_an_error(tmp_path):
    (tmp_path / ".env").write_bytes(b"DEBUG=\xff\xfe\x00false\n")
    found = results(load(write_sprint(tmp_path, "dotenv:.env")))
    assert_could_not_check(found["DEBUG"], "not UTF-8 text")


def test_a_directory_or_malformed_file_is_an_error_naming_the_line_not_the_value(tmp_path):
    (tmp_path / "dir").mkdir()
    found = results(load(write_sprint(tmp_path, "dotenv:dir")))
    assert_could_not_check(found["DEBUG"], "is a directory")
    (tmp_path / ".env").write_text(f'DEBUG=false\nSTRIPE_SECRET_KEY="{LIVE_KEY}\n')
    found = results(load(write_sprint(tmp_path, "dotenv:.env")))
    assert_could_not_check(found["DEBUG"], '2: STRIPE_SECRET_KEY: the " quote is never closed')
    no_secret_in(dump(found))


def test_no_required_variables_is_a_skip(tmp_path):
    found = results(load(write_sprint(tmp_path, "environment", required="[]")))
    assert [r.status for r in found.values()] == [Status.SKIP]


def test_no_source_is_a_skip_that_says_how_to_declare_one(tmp_path):
    found = results(load(write_sprint(tmp_path, None)))
    assert {r.status for r in found.values()} == {Status.SKIP}
    assert "env_source" in found["DEBUG"].fix


# -- the repo's .env.example ----------------------------------------------------------------


def test_env_example_agreeing_passes_and_disagreeing_warns(tmp_path):
    (tmp_path / ".env").write_text(GOOD_ENV)
    repo = tmp_path / "app"
    repo.mkdir()
    (repo / ".env.example").write_text(
        "DATABASE_URL=postgres://user:pass@localhost/app\nSTRIPE_SECRET_KEY=sk_test_xxx\n"
        "POSTMARK_TOKEN=\nDEBUG=false\n"
    )
    path = write_sprint(tmp_path, "dotenv:.env")
    path.write_text(path.read_text() + 'repo = "app"\n')
    assert results(load(path))[".env.example"].status is Status.PASS
    (repo / ".env.example").write_text("DATABASE_URL=\nSENTRY_DSN=\n")
    example = results(load(path))[".env.example"]
    assert example.status is Status.WARN
    assert example.evidence["not_required"] == ["SENTRY_DSN"]
    assert example.evidence["not_documented"] == ["STRIPE_SECRET_KEY", "POSTMARK_TOKEN", "DEBUG"]
    (repo / ".env.example").unlink()
    assert results(load(path))[".env.example"].status is Status.WARN


# -- the process environment ----------------------------------------------------------------


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launchtui", "env-check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env if env is not None else os.environ.copy(),
    )


def clean_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in GOOD_NAMES}
    return env | values


GOOD_NAMES = ("DATABASE_URL", "STRIPE_SECRET_KEY", "POSTMARK_TOKEN", "DEBUG")


def test_from_environment_in_a_subprocess_passes_then_fails_on_a_test_key(tmp_path):
    path = write_sprint(tmp_path, None)
    env = clean_env(
        DATABASE_URL=DB_URL, STRIPE_SECRET_KEY=LIVE_KEY, POSTMARK_TOKEN=TOKEN_VALUE, DEBUG="0"
    )
    done = run_cli(str(path), "--from-environment", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 pass" in done.stdout
    no_secret_in(done.stdout, done.stderr)
    env["STRIPE_SECRET_KEY"] = TEST_KEY
    del env["POSTMARK_TOKEN"]
    done = run_cli(str(path), "--from-environment", "--format", "json", env=env)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    by_target = {c["target"]: c for c in report["checks"]}
    assert by_target["STRIPE_SECRET_KEY"]["status"] == "fail"
    assert by_target["POSTMARK_TOKEN"]["status"] == "fail"
    assert by_target["STRIPE_SECRET_KEY"]["evidence"]["fingerprint"] == fingerprint(TEST_KEY)
    assert report["run"]["exit_code"] == 1
    no_secret_in(done.stdout, done.stderr)


def test_the_sprint_files_env_source_environment_works_as_the_ci_gate(tmp_path):
    path = write_sprint(tmp_path, "environment")
    done = run_cli(str(path), env=clean_env())
    assert done.returncode == 1 and "not set in environment" in done.stdout


# -- the CLI end to end -------------------------------------------------------------------------


def test_env_file_junit_and_the_files_are_left_untouched(tmp_path):
    env_file = tmp_path / "prod.env"
    env_file.write_text(GOOD_ENV.replace("DEBUG=false", "DEBUG=1"))
    path = write_sprint(tmp_path, None)
    before = path.read_bytes()
    done = run_cli(str(path), "--env-file", str(env_file), "--format", "junit")
    assert done.returncode == 0, done.stderr  # a warning does not fail the gate
    suite = ET.fromstring(done.stdout)
    names = [case.get("name") for case in suite.iter("testcase")]
    assert any("DEBUG" in (name or "") for name in names)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.history*")) and not (tmp_path / ".launchtui").exists()
    no_secret_in(done.stdout, done.stderr, path.read_text())


def test_usage_errors_are_one_line_and_exit_2(tmp_path):
    path = write_sprint(tmp_path, None)
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, expected in [
        ((str(path),), "say where the values are"),
        ((str(path), "--platform", "heroku"), "needs --app NAME"),
        ((str(path), "--app", "x"), "--app goes with --platform"),
        ((str(path), "--platform", "fly", "--app", "bad name!"), "--app:"),
        ((str(tmp_path / "missing.toml"), "--from-environment"), "missing.toml"),
        ((), "needs a SPRINT"),
        ((str(write_sprint(empty, None, "[]")), "--from-environment"), "no [deploy]"),
    ]:
        done = run_cli(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert expected in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_ci_steps_for_github_and_gitlab(tmp_path):
    path = write_sprint(tmp_path, None)
    github = run_cli("--ci", "github", str(path))
    assert github.returncode == 0
    assert "DATABASE_URL: ${{ secrets.DATABASE_URL }}" in github.stdout
    assert f"launchtui env-check {path} --from-environment" in github.stdout
    gitlab = run_cli("--ci", "gitlab")
    assert gitlab.returncode == 0
    assert "--from-environment --format junit > env-check.xml" in gitlab.stdout
    assert "junit: env-check.xml" in gitlab.stdout
    try:
        import yaml
    except ImportError:
        return
    assert isinstance(yaml.safe_load(github.stdout), list)
    assert "env-check" in yaml.safe_load(gitlab.stdout)


# -- the platforms, through their API doubles ---------------------------------------------------


@pytest.mark.parametrize("platform", ["heroku", "vercel", "render"])
def test_a_platform_listing_is_judged_like_a_file(tmp_path, monkeypatch, platform):
    double = Double()
    double.values["STRIPE_SECRET_KEY"] = TEST_KEY
    del double.values["POSTMARK_TOKEN"]
    with serve(monkeypatch, double, platform):
        found = results(load(write_sprint(tmp_path, f"{platform}:acme-prod")))
    assert found["DATABASE_URL"].status is Status.PASS
    assert found["STRIPE_SECRET_KEY"].status is Status.FAIL
    assert found["POSTMARK_TOKEN"].status is Status.FAIL
    assert found["DEBUG"].status is Status.PASS
    assert found["DATABASE_URL"].evidence["source"] == f"{platform}:acme-prod"
    assert len(double.seen) == 1, "the listing is read once per run"
    request = double.seen[0]
    assert request["authorization"] == f"Bearer {PLATFORM_TOKEN}"
    assert PLATFORM_TOKEN not in request[":path"]
    no_secret_in(dump(found))


def test_heroku_asks_the_v3_media_type(tmp_path, monkeypatch):
    with serve(monkeypatch, Double(), "heroku") as double:
        results(load(write_sprint(tmp_path, "heroku:acme-prod")))
    assert double.seen[0][":path"] == "/apps/acme-prod/config-vars"
    assert double.seen[0]["accept"] == "application/vnd.heroku+json; version=3"


def test_fly_checks_presence_only_and_says_so(tmp_path, monkeypatch):
    double = Double()
    del double.values["DEBUG"]
    with serve(monkeypatch, double, "fly"):
        found = results(load(write_sprint(tmp_path, "fly:acme-prod")))
    assert found["DATABASE_URL"].status is Status.PASS
    assert "presence was checked, the value was not" in found["DATABASE_URL"].summary
    assert found["DATABASE_URL"].evidence["checked"] == "presence only"
    assert "length" not in found["DATABASE_URL"].evidence
    assert found["DEBUG"].status is Status.FAIL
    body = json.loads(double.bodies[0])
    assert "secrets { name digest createdAt }" in body["query"]
    assert body["variables"] == {"name": "acme-prod"}
    assert double.seen[0][":method"] == "POST"


def test_vercel_sensitive_is_presence_only_and_preview_only_is_missing(tmp_path, monkeypatch):
    double = Double(sensitive={"STRIPE_SECRET_KEY"}, preview_only={"POSTMARK_TOKEN"})
    with serve(monkeypatch, double, "vercel"):
        found = results(load(write_sprint(tmp_path, "vercel:acme-web")))
    assert found["STRIPE_SECRET_KEY"].status is Status.PASS
    assert found["STRIPE_SECRET_KEY"].evidence["checked"] == "presence only"
    assert found["POSTMARK_TOKEN"].status is Status.FAIL
    assert double.seen[0][":path"] == "/v10/projects/acme-web/env?decrypt=true"


def test_render_follows_the_cursor_across_pages(tmp_path, monkeypatch):
    double = Double(filler=150)
    with serve(monkeypatch, double, "render"):
        found = results(load(write_sprint(tmp_path, "render:srv-abc123")))
    assert {r.status for r in found.values()} == {Status.PASS}
    paths = [seen[":path"] for seen in double.seen]
    assert paths == [
        "/v1/services/srv-abc123/env-vars?limit=100",
        "/v1/services/srv-abc123/env-vars?limit=100&cursor=c99",
    ]


@pytest.mark.parametrize(
    ("platform", "mode", "reason"),
    [
        ("heroku", "401", "HTTP 401 (the token was refused"),
        ("vercel", "401", "Invalid credentials provided."),
        ("render", "404", "HTTP 404"),
        ("heroku", "malformed", "the body is not JSON"),
        ("vercel", "shape", "not the documented shape"),
        ("render", "shape", "not the documented shape"),
        ("fly", "graphql-error", "Could not find App"),
        ("fly", "401", "HTTP 401"),
    ],
)
def test_an_api_that_refuses_or_answers_nonsense_is_an_error(
    tmp_path, monkeypatch, platform, mode, reason
):
    with serve(monkeypatch, Double(mode=mode), platform):
        found = results(load(write_sprint(tmp_path, f"{platform}:acme-prod")))
    for result in found.values():
        assert_could_not_check(result, reason)
    no_secret_in(dump(found))


def test_an_api_that_never_answers_is_an_error_in_bounded_time(tmp_path, monkeypatch):
    with serve(monkeypatch, Double(mode="hang"), "heroku"):
        found = results(
            load(write_sprint(tmp_path, "heroku:acme-prod")), timeouts=Timeouts.uniform(0.5)
        )
    assert_could_not_check(found["DATABASE_URL"], "could not read the values")


def test_an_api_that_refuses_connections_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LAUNCHTUI_RENDER_API", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("LAUNCHTUI_CRED_RENDER_API_KEY", PLATFORM_TOKEN)
    found = results(load(write_sprint(tmp_path, "render:srv-1")))
    assert_could_not_check(found["DEBUG"], "cannot connect")


def test_a_missing_platform_credential_is_an_error_naming_it(tmp_path, private_keyring):
    found = results(load(write_sprint(tmp_path, "heroku:acme-prod")))
    assert_could_not_check(found["DEBUG"], "no heroku_api_key credential")
    assert "LAUNCHTUI_CRED_HEROKU_API_KEY" in found["DEBUG"].summary


def test_the_platform_cli_end_to_end_keeps_every_value_and_the_token_out(tmp_path, monkeypatch):
    double = Double()
    double.values["STRIPE_SECRET_KEY"] = TEST_KEY
    with serve(monkeypatch, double, "vercel"):
        path = write_sprint(tmp_path, None)
        done = run_cli(str(path), "--platform", "vercel", "--app", "acme-web", "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert {c["target"]: c["status"] for c in report["checks"]}["STRIPE_SECRET_KEY"] == "fail"
    no_secret_in(done.stdout, done.stderr, path.read_text())


def test_the_check_runs_in_the_deploy_stage_and_the_quick_audit():
    check = next(c for c in all_checks() if c.id == CHECK)
    assert check.stage == "deploy" and check.audit and check.severity.value == "blocker"


def test_check_save_keeps_values_out_of_the_sprint_file_and_history(tmp_path):
    (tmp_path / ".env.production").write_text(GOOD_ENV.replace(LIVE_KEY, TEST_KEY))
    path = write_sprint(tmp_path, "dotenv:.env.production")
    done = subprocess.run(
        [sys.executable, "-m", "launchtui", "check", str(path), "--stage", "deploy", "--save"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    written = [
        p.read_text(errors="replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and p.name != ".env.production"
    ]
    assert len(written) >= 2, "the sprint file and its run history"
    no_secret_in(done.stdout, done.stderr, *written)
    assert "deploy.env" in path.read_text()
