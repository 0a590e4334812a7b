"""Reading health answers (launchtui.deploy.health), without the network."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from launchtui.deploy.health import Malformed, Worker, heartbeat_problem, parse, parse_time

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def _parse(value: object, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    return parse(json.dumps(value).encode(), content_type)


def test_launchtuis_shape_reads_everything():
    report = _parse(
        {
            "status": "ok",
            "version": "2.4.1",
            "commit": "7c1e9a2",
            "checks": {"database": {"status": "ok"}, "queue": "down"},
            "workers": {"mailer": {"last_heartbeat": 1_796_549_400}},
        }
    )
    assert (report.shape, report.state, report.release) == (
        "launchtui",
        "up",
        "version 2.4.1, commit 7c1e9a2",
    )
    assert [(d.name, d.state) for d in report.dependencies] == [
        ("database", "up"),
        ("queue", "down"),
    ]
    assert report.workers[0].at == datetime.fromtimestamp(1_796_549_400, UTC)


def test_spring_boot_composites_are_read_one_level_down():
    report = _parse(
        {
            "status": "UP",
            "components": {
                "db": {
                    "status": "UP",
                    "components": {"primary": {"status": "UP"}, "replica": {"status": "DOWN"}},
                },
                "ping": {"status": "UP"},
            },
        }
    )
    assert report.shape == "spring-boot"
    assert [d.describe() for d in report.dependencies] == [
        "db.primary: UP",
        "db.replica: DOWN",
        "ping: UP",
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "shape"),
    [
        (b"<html><body>ok</body></html>", "text/html; charset=utf-8", "html"),
        (b"OK", "text/plain", "text"),
        (b"", "application/json", "text"),  # an empty 200 says up and nothing else
    ],
)
def test_bodies_without_json_are_up_with_nothing_more(body, content_type, shape):
    report = parse(body, content_type)
    assert (report.shape, report.state, report.unreported()) == (
        shape,
        "up",
        ["versions", "dependencies", "workers"],
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"status": "ok"', "not valid JSON"),
        (b'["ok"]', "JSON list, not an object"),
        (b"[" * 100_000, "not valid JSON"),  # deep nesting ends, it does not crash
    ],
)
def test_malformed_json_says_why(body, reason):
    with pytest.raises(Malformed, match=reason):
        parse(body, "application/json")


def test_a_status_missing_from_json_is_unknown_not_up():
    assert _parse({"version": "1"}).state == "unknown"


@pytest.mark.parametrize(
    ("age", "verdict"),
    [
        (timedelta(minutes=9), None),
        (timedelta(minutes=11), "warn"),
        (timedelta(minutes=61), "fail"),
        (timedelta(minutes=-10), "warn"),  # from the future: a clock is wrong
    ],
)
def test_heartbeat_thresholds(age, verdict):
    at = NOW - age
    found = heartbeat_problem(Worker("mailer", at.isoformat(), at), NOW)
    assert (found and found[0]) == verdict


def test_times_are_iso_or_unix_and_anything_else_is_none():
    assert parse_time("2026-12-06T09:30:00Z") == NOW
    assert parse_time("2026-12-06T09:30:00") == NOW  # a bare time is UTC
    assert parse_time(NOW.timestamp()) == NOW
    for value in ("yesterday", None, True, float("nan"), 10**20, {"at": 1}):
        assert parse_time(value) is None
