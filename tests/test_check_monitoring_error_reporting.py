"""monitoring.error-reporting against the lab's Sentry-shaped ingest over HTTPS: the canary
accepted, the key rejected, rate limited, the network failing (each reason named), and the
DSN's key never shown."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import socket
from collections.abc import Iterator

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check

from launchtui.checks.context import check_context
from launchtui.checks.engine import run_one
from launchtui.checks.registry import all_checks
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread
from launchtui.lab.config import ERROR_INGEST_HOST, ERROR_TRACKER_ZONE, error_ingest_host
from launchtui.lab.error_ingest import RETRY_AFTER
from launchtui.model.monitoring import MonitoringConfig
from launchtui.model.results import Result, Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts

CHECK = "monitoring.error-reporting"
TARGET = "[monitoring].error_dsn"
CREDENTIAL = "sentry_dsn"
ENV = "LAUNCHTUI_CRED_SENTRY_DSN"
ZONE = "harborclub.test"
STALLED = f"stalled.{ERROR_TRACKER_ZONE}"
SELF_SIGNED = f"selfsigned.{ERROR_TRACKER_ZONE}"
GONE = f"gone.{ERROR_TRACKER_ZONE}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    config = LabConfig(
        zone=ZONE,
        hosts=[
            HostSpec(f"app.{ZONE}", app=True),
            error_ingest_host(),
            dataclasses.replace(error_ingest_host(STALLED), tls="stall"),
            dataclasses.replace(error_ingest_host(SELF_SIGNED), cert="self-signed"),
            HostSpec(GONE, dns="nxdomain"),
        ],
        external_zones={ERROR_TRACKER_ZONE: []},
        txt={},
        mx={},
        caa={},
        dns_port=0,
        https_port=0,
        http_port=0,
    )
    with LabThread(config, tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture
def ingest(lab: Lab) -> Iterator[Lab]:
    lab.error_ingest.mode = "ok"
    lab.error_ingest.events.clear()
    yield lab
    lab.error_ingest.mode = "ok"


@pytest.fixture(scope="module")
def base(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    sprint = lab_sprint(lab, tmp_path_factory.mktemp("errors"))
    return dataclasses.replace(sprint, monitoring=MonitoringConfig(error_dsn=CREDENTIAL))


def _run(sprint: Sprint, timeouts: Timeouts | None = None) -> Result:
    return run_check(CHECK, sprint, TARGET, *([timeouts] if timeouts else []))


def _dsn(lab: Lab, monkeypatch: pytest.MonkeyPatch, host: str = ERROR_INGEST_HOST) -> str:
    dsn = lab.error_ingest.dsn(host)
    monkeypatch.setenv(ENV, dsn)
    return dsn


def _no_key(result: Result, key: str) -> None:
    everything = json.dumps([result.summary, result.evidence, result.fix])
    assert key not in everything


def test_declared_in_the_monitoring_stage_and_the_lab_gives_the_dsn(lab, base):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert (check.stage, check.severity) == ("monitoring", "high")
    assert [t.text for t in check.targets(base)] == [TARGET]
    environment = lab.credential_environment()
    assert environment[ENV] == lab.error_ingest.dsn()
    assert re.fullmatch(r"https://[0-9a-f]{32}@ingest\.errortracker\.test/4507", environment[ENV])


def test_the_canary_is_accepted_with_its_event_id(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch)
    result = _run(base)
    assert result.status is Status.PASS, result.summary
    (event,) = ingest.error_ingest.events
    assert result.evidence["event_id"] == event["event_id"] == result.evidence["returned_id"]
    assert result.summary == (
        f"canary event {event['event_id']} accepted by https://{ERROR_INGEST_HOST}/4507"
    )
    assert event["tags"] == {"launchtui": "canary"}
    assert (event["level"], event["platform"]) == ("info", "other")
    assert event["message"].startswith("launchtui canary")
    _no_key(result, ingest.error_ingest.public_key)


def test_the_canary_is_sent_once_per_run(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch)
    check = next(c for c in all_checks() if c.id == CHECK)
    target = check.targets(base)[0]

    async def twice() -> list[Result]:
        async with check_context(base) as ctx:
            return [await run_one(check, target, ctx) for _ in range(2)]

    first, second = asyncio.run(twice())
    assert first.status is second.status is Status.PASS
    assert len(ingest.error_ingest.events) == 1


def test_a_revoked_key_fails_with_the_trackers_words(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch)
    ingest.error_ingest.mode = "revoked"
    result = _run(base)
    assert result.status is Status.FAIL
    assert "rejected the DSN's key (401: " in result.summary
    assert "DisabledKey" in result.evidence["body"]
    assert "Client Keys" in result.fix
    _no_key(result, ingest.error_ingest.public_key)


def test_a_dsn_with_another_key_fails_the_same_way(ingest, base, monkeypatch):
    monkeypatch.setenv(ENV, f"https://{'ab' * 16}@{ERROR_INGEST_HOST}/4507")
    result = _run(base)
    assert result.status is Status.FAIL and "(401: " in result.summary
    assert "ab" * 16 not in json.dumps([result.summary, result.evidence, result.fix])


def test_rate_limited_fails_naming_when_to_retry(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch)
    ingest.error_ingest.mode = "rate-limited"
    result = _run(base)
    assert result.status is Status.FAIL
    assert f"rate limiting events (429, retry after {RETRY_AFTER} s" in result.summary
    assert "being dropped" in result.summary
    assert result.evidence["retry_after"] == str(RETRY_AFTER)
    assert result.evidence["rate_limits"] == f"{RETRY_AFTER}:error;default:key"
    assert "Rate Limits" in result.fix
    assert not ingest.error_ingest.events


def test_another_project_is_a_literal_404(ingest, base, monkeypatch):
    monkeypatch.setenv(ENV, f"https://{ingest.error_ingest.public_key}@{ERROR_INGEST_HOST}/99")
    result = _run(base)
    assert result.status is Status.FAIL
    assert "answered 404 to the canary event" in result.summary
    assert "project not found" in result.summary


def test_a_200_with_another_id_is_not_proof(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch)
    ingest.error_ingest.mode = "wrong-id"
    result = _run(base)
    assert result.status is Status.FAIL
    assert f"answered 200 with id '{'0' * 32}'" in result.summary


def test_no_dsn_declared_warns_with_the_fix(base):
    result = _run(dataclasses.replace(base, monitoring=MonitoringConfig()))
    assert result.status is Status.WARN
    assert "no error tracking declared" in result.summary
    assert 'error_dsn = "sentry_dsn"' in result.fix


def test_a_declared_dsn_not_set_is_an_error_saying_how_to_set_it(base, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    result = _run(base)
    assert_could_not_check(result, "the sentry_dsn credential (the error tracker's DSN) is not set")
    assert f"launchtui credentials set {base.id} sentry_dsn" in result.fix
    assert ENV in result.fix


@pytest.mark.parametrize(
    "value",
    [
        "not a dsn sekrit123",
        "https://ingest.errortracker.test/4507",  # no key
        "https://sekrit123@ingest.errortracker.test/project",  # no numeric project id
        "ftp://sekrit123@ingest.errortracker.test/4507",
        "https://sekrit123@ingest.errortracker.test/4507?x=1",
    ],
)
def test_a_value_that_is_no_dsn_fails_without_showing_it(base, monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    result = _run(base)
    assert result.status is Status.FAIL
    assert "is not a Sentry DSN" in result.summary
    assert "sekrit123" not in json.dumps([result.summary, result.evidence, result.fix])


def test_a_stalled_ingest_is_a_timeout(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch, STALLED)
    result = _run(base, Timeouts.uniform(0.5))
    assert_could_not_check(result, "/api/4507/envelope/: timed out")


def test_a_refused_connection_is_named(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mapped = {**base.network.connect_to, (ERROR_INGEST_HOST, 443): ("127.0.0.1", port)}
    sprint = dataclasses.replace(base, network=dataclasses.replace(base.network, connect_to=mapped))
    assert_could_not_check(_run(sprint), "Connect call failed")


def test_an_untrusted_certificate_is_named(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch, SELF_SIGNED)
    assert_could_not_check(_run(base), "certificate verify failed: self-signed certificate")
    assert not ingest.error_ingest.events


def test_a_host_that_does_not_resolve_is_named(ingest, base, monkeypatch):
    _dsn(ingest, monkeypatch, GONE)
    assert_could_not_check(_run(base), f"{GONE} does not resolve (NXDOMAIN")


def test_the_key_is_in_no_output_nor_file_of_a_cli_run(ingest, tmp_path, monkeypatch):
    import subprocess
    import sys

    import tomlkit

    key = ingest.error_ingest.public_key
    _dsn(ingest, monkeypatch)
    path = ingest.write_sprint(tmp_path / "lab.toml")
    document = tomlkit.parse(path.read_text())
    document["monitoring"] = {"error_dsn": CREDENTIAL}
    document["credentials"][CREDENTIAL] = "Sentry DSN of the app"
    path.write_text(tomlkit.dumps(document))
    outputs = []
    command = (sys.executable, "-m", "launchtui")
    for output in ("text", "json"):
        done = subprocess.run(
            [*command, "check", str(path), "--stage", "monitoring", "--format", output],
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs.append(done.stdout + done.stderr)
    data = json.loads(done.stdout)  # the last: --format json
    (row,) = [c for c in data["checks"] if c["id"] == CHECK]
    assert row["status"] == "pass", row
    assert len(ingest.error_ingest.events) == 2  # one canary a run
    assert all(key not in text for text in outputs)
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert key.encode() not in file.read_bytes(), file
