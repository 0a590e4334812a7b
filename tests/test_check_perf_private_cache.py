"""perf.private-cache against a lab of its own: member pages, a shared cache caching by file
extension (web cache deception), credentials that never show.

RFC 9111 (HTTP Caching): private 5.2.2.7, no-store 5.2.2.5, public 5.2.2.9, s-maxage 5.2.2.10,
heuristic freshness 4.2.2, Age 5.1.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import tomlkit
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE

from launchtui.checks.performance.private_cache import deception_variants
from launchtui.checks.registry import all_checks
from launchtui.credentials import env_var
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread, Route
from launchtui.lab.members import CREDENTIALS
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts

CHECK = "perf.private-cache"
A, B = CREDENTIALS


def _fixed(cache: dict[str, str], status: int = 200) -> dict[str, Route]:
    return {"/me": Route(status, cache, body="<h1>Your page</h1>")}


HOSTS = [
    HostSpec(ZONE),
    HostSpec(f"app.{ZONE}", app=True, shared_cache=True),  # the first app host: the flows
    HostSpec(f"nocdn.{ZONE}", app=True),  # the same app, no cache in front
    HostSpec(f"bare.{ZONE}", routes=_fixed({})),  # no Cache-Control
    HostSpec(f"browser.{ZONE}", routes=_fixed({"Cache-Control": "private, max-age=600"})),
    HostSpec(f"nocache.{ZONE}", routes=_fixed({"Cache-Control": "no-cache"})),
    HostSpec(f"hit.{ZONE}", routes=_fixed({"Cache-Control": "private", "Age": "42"})),
    HostSpec(f"broken.{ZONE}", routes=_fixed({}, 500)),
    HostSpec(f"slow.{ZONE}", tls="stall"),
    HostSpec(f"gone.{ZONE}", https=False),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    config = LabConfig(hosts=HOSTS, dns_port=0, https_port=0, http_port=0, latency={})
    with LabThread(config, tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture(scope="module")
def base(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("private"))


@pytest.fixture
def members(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The lab's members' session cookies in the environment, as `launchtui demo` sets them."""
    cookies = lab.app_state.cookies()
    for name, value in cookies.items():
        monkeypatch.setenv(env_var(name), value)
    return cookies


def _url(host: str, path: str) -> str:
    return f"https://{host}.{ZONE}{path}"


def _run(base: Sprint, url: str, identities: tuple[str, ...] = (A, B), **kw: object):  # type: ignore[no-untyped-def]
    sprint = dataclasses.replace(base, perf_identities=identities)
    return run_check(CHECK, sprint, url, **kw)  # type: ignore[arg-type]


def _no_secret(result, cookies: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    shown = result.summary + result.fix + json.dumps(result.evidence)
    for value in cookies.values():
        assert value.split("=", 1)[1] not in shown


def test_targets_are_the_private_pages_and_posts_once_each(base):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert (check.stage, check.severity, check.audit) == ("performance", "blocker", True)
    texts = [t.text for t in check.targets(base)]
    assert texts == [_url("app", p) for p in ("/api/posts", "/account", "/profile", "/settings")]
    bare = dataclasses.replace(base, private_urls=(), flows={})
    assert [t.text for t in check.targets(bare)] == ["[flows].private"]
    assert run_check(CHECK, bare, "[flows].private").status is Status.SKIP


def test_a_correct_member_page_passes_and_no_credential_shows(base, members):
    result = _run(base, _url("app", "/account"))
    assert result.status is Status.PASS, result.summary
    assert "no-store" in result.summary and "got its own page" in result.summary
    assert len(result.evidence["deception"]) == 4
    assert "a Cookie header" in result.evidence["identity_a"]
    _no_secret(result, members)


def test_the_same_list_for_every_member_passes_on_its_headers(base, members):
    result = _run(base, _url("app", "/api/posts"))
    assert result.status is Status.PASS, result.summary
    assert "same page for both" in result.summary


def test_a_public_member_page_is_a_leak_through_the_shared_cache(base, members):
    result = _run(base, _url("app", "/profile"))
    assert result.status is Status.FAIL
    problems = " ".join(result.evidence["problems"])
    assert "credential member_b_session was served credential member_a_session's page" in (
        result.summary
    )
    assert "public" in problems and "X-Cache: HIT" in problems
    assert "private, no-store" in result.fix
    _no_secret(result, members)


def test_one_identity_is_compared_with_an_anonymous_visitor(base, members):
    result = _run(base, _url("app", "/profile"), (A,))
    assert result.status is Status.FAIL
    assert "anonymous visitor was served" in result.summary


def test_each_cache_deception_variant_of_an_open_path_fails(base, members):
    result = _run(base, _url("app", "/settings"))
    assert result.status is Status.FAIL, result.summary
    lines = result.evidence["deception"]
    assert len(lines) == 4
    assert all(line.startswith("cache deception:") for line in lines), lines
    assert all("anonymous visitor" in line and "X-Cache: HIT" in line for line in lines)
    for marker in ("/launchtui-", ";launchtui-", "%2Flaunchtui-", "/.css?launchtui-probe="):
        assert any(marker in line for line in lines), marker
    _no_secret(result, members)


def test_an_open_path_without_a_cache_in_front_passes_with_a_note(base, members):
    result = _run(base, _url("nocdn", "/settings"))
    assert result.status is Status.PASS, result.summary
    assert all("not cached" in line for line in result.evidence["deception"])


def test_deception_variants_carry_a_unique_suffix():
    one = deception_variants("https://a.test/account/", "abc123")
    assert one == [
        "https://a.test/account/launchtui-abc123.css",
        "https://a.test/account;launchtui-abc123.css",
        "https://a.test/account%2Flaunchtui-abc123.css",
        "https://a.test/account/.css?launchtui-probe=abc123",
    ]
    assert deception_variants("https://a.test/p?x=1", "n")[3].endswith("?x=1&launchtui-probe=n")


@pytest.mark.parametrize(
    ("host", "status", "words"),
    [
        ("bare", Status.WARN, "heuristic freshness"),
        ("nocache", Status.WARN, "neither private nor no-store"),
        ("browser", Status.PASS, "only the member's browser"),
        ("hit", Status.FAIL, "Age: 42"),
    ],
)
def test_cache_control_verdicts(base, members, host, status, words):
    result = _run(base, _url(host, "/me"))
    assert result.status is status, result.summary
    assert words in result.summary


def test_no_identities_declared_skips_saying_nothing_was_verified(base):
    result = _run(base, _url("app", "/account"), ())
    assert result.status is Status.SKIP
    assert "no [performance].identities declared" in result.summary
    assert "nothing about its caching is verified" in result.summary
    assert "identities = [" in result.fix


def test_a_credential_not_set_is_an_error(base, monkeypatch):
    monkeypatch.delenv(env_var(A), raising=False)
    monkeypatch.delenv(env_var(B), raising=False)
    result = _run(base, _url("app", "/account"), ("perf_test_unset",))
    # not set (a keyring without it), or no keyring at all: an error either way, never a pass
    assert_could_not_check(result, "could not check: credential perf_test_unset")


def test_a_session_not_accepted_is_an_error(base, monkeypatch):
    monkeypatch.setenv(env_var(A), "session=not-a-member")
    monkeypatch.setenv(env_var(B), "Bearer nope")
    result = _run(base, _url("app", "/account"))
    assert_could_not_check(result, "answers 302 to /login to credential member_a_session")
    assert "not-a-member" not in result.summary + json.dumps(result.evidence)


def test_a_5xx_refusal_and_timeout_are_errors(base, members):
    assert_could_not_check(_run(base, _url("broken", "/me")), "answers 500")
    refused = re.compile(r"cannot connect|refused")
    assert_could_not_check(_run(base, _url("gone", "/me")), refused)
    quick = Timeouts.uniform(0.5)
    assert_could_not_check(_run(base, _url("slow", "/me"), timeouts=quick), "timed out")


def test_no_credential_value_in_the_output_the_sprint_file_or_the_history(lab, tmp_path):
    """`launchtui check --stage performance` as CI runs it, credentials from the environment:
    their values are in no output, no result saved in the sprint file, no history row."""
    path = lab.write_sprint(tmp_path / "lab.toml")
    document = tomlkit.parse(path.read_text())
    document["performance"]["rate_limit_probe"] = False  # no bursts needed here
    path.write_text(tomlkit.dumps(document))
    cookies = lab.app_state.cookies()
    env = {**os.environ, **{env_var(name): value for name, value in cookies.items()}}
    done = subprocess.run(
        [sys.executable, "-m", "launchtui", "check", str(path), "--stage", "performance", "--save"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "perf.private-cache" in done.stdout, done.stderr
    assert "fail" in done.stdout  # /profile and /settings
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"perf.private-cache" in written  # the results were saved
    for value in cookies.values():
        token = value.split("=", 1)[1]
        assert token not in done.stdout + done.stderr
        assert token.encode() not in written
