"""The lab's Sentry-shaped ingest reads envelopes as the documented format has them
(develop.sentry.dev/sdk/foundations/transport/envelopes/): its answers to good, malformed
and unauthenticated requests; and the DSN parsing and envelope of launchtui.monitoring.sentry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from launchtui.lab.error_ingest import KEEP, SentryIngest, parse_envelope
from launchtui.lab.receivers import Request
from launchtui.monitoring.sentry import DsnError, canary_envelope, parse_dsn

EVENT_ID = "9ec79c33ec9942ab8353589fcb2e04dc"
HOST = "ingest.errortracker.test"


def _post(
    ingest: SentryIngest, body: bytes, auth: str | None = None, target: str = ""
) -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = {"x-sentry-auth": auth or f"Sentry sentry_version=7, sentry_key={ingest.public_key}"}
    reply = ingest.reply(Request(HOST, "POST", target or "/api/4507/envelope/", headers, body))
    return reply.status, json.loads(reply.body)


def _envelope(payload: bytes, length: bool = True, header: str = "") -> bytes:
    item = {"type": "event", **({"length": len(payload)} if length else {})}
    head = header or json.dumps({"event_id": EVENT_ID, "dsn": "https://k@h/4507"})
    return b"\n".join([head.encode(), json.dumps(item).encode(), payload])


EVENT = json.dumps({"event_id": EVENT_ID, "message": "hello\nworld"}).encode()


def test_the_documented_example_shapes_are_accepted():
    ingest = SentryIngest()
    # with a length the payload may hold anything, newlines included; without one it ends
    # at the newline; a trailing newline is optional
    for body in (_envelope(EVENT), _envelope(EVENT) + b"\n", _envelope(EVENT, length=False)):
        assert _post(ingest, body) == (200, {"id": EVENT_ID})
    attachment = b'{"type":"attachment","length":5,"filename":"a.txt"}\n\x00\x01\n\x02\x03'
    body = _envelope(EVENT) + b"\n" + attachment
    assert _post(ingest, body) == (200, {"id": EVENT_ID})
    assert len(ingest.events) == 4


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "envelope header is not JSON"),
        (b"[1]\n", "envelope header is not a JSON object"),
        (b"{}\n", "no event item"),
        (b'{}\n{"type":"event","length":500}\n{}', "length 500 does not fit"),
        (b'{}\n{"type":"event","length":2}\n{}xx', "not followed by a newline"),
        (b'{}\n{"type":"event"}\n{"event_id":"nothex"}', "no event_id of 32 hex digits"),
        (
            b'{"event_id":"' + b"1" * 32 + b'"}\n' + b'{"type":"event"}\n' + EVENT,
            "envelope's event_id is not its event's",
        ),
    ],
)
def test_a_malformed_envelope_is_a_400_saying_why(body, reason):
    ingest = SentryIngest()
    status, answer = _post(ingest, body)
    assert status == 400 and reason in answer["detail"]
    assert not ingest.events


def test_the_key_and_project_are_checked():
    ingest = SentryIngest()
    body = _envelope(EVENT)
    assert _post(ingest, body, auth="Sentry sentry_key=other")[0] == 401
    assert _post(ingest, body, auth="Bearer x")[0] == 401
    assert _post(ingest, body, target="/api/1/envelope/")[0] == 404
    # the documented alternative to the header: sentry_key in the query
    query = f"/api/4507/envelope/?sentry_key={ingest.public_key}&sentry_version=7"
    assert _post(ingest, body, auth="none", target=query) == (200, {"id": EVENT_ID})


def test_modes_and_the_bounded_memory():
    ingest = SentryIngest(mode="rate-limited")
    reply = ingest.reply(
        Request(
            HOST,
            "POST",
            "/api/4507/envelope/",
            {"x-sentry-auth": f"Sentry sentry_key={ingest.public_key}"},
            _envelope(EVENT),
        )
    )
    assert reply.status == 429 and ("Retry-After", "60") in reply.headers
    ingest.mode = "revoked"
    assert _post(ingest, _envelope(EVENT)) == (
        401,
        {"detail": "event submission rejected with_reason: DisabledKey"},
    )
    ingest.mode = "ok"
    for _ in range(KEEP + 5):
        _post(ingest, _envelope(EVENT))
    assert len(ingest.events) == KEEP


def test_the_canary_envelope_is_what_the_ingest_reads():
    dsn = parse_dsn("https://0123456789abcdef0123456789abcdef@sentry.example.com/42")
    body = canary_envelope(dsn, EVENT_ID, datetime(2026, 12, 6, tzinfo=UTC))
    header = json.loads(body.split(b"\n")[0])
    assert header == {
        "event_id": EVENT_ID,
        "sent_at": "2026-12-06T00:00:00.000Z",
        "dsn": dsn.text,
    }
    assert parse_envelope(body)["event_id"] == EVENT_ID


def test_dsns_parse_strictly_and_never_say_their_key():
    dsn = parse_dsn(" https://abc123@o1.ingest.sentry.io/4505 ")
    assert dsn.envelope_url == "https://o1.ingest.sentry.io/api/4505/envelope/"
    assert dsn.shown == "https://o1.ingest.sentry.io/4505"
    assert "abc123" not in repr(dsn)
    legacy = parse_dsn("http://abc123:secret9@glitchtip.local:8000/sub/path/7")
    assert legacy.envelope_url == "http://glitchtip.local:8000/sub/path/api/7/envelope/"
    assert "secret9" not in legacy.auth
    assert (
        parse_dsn("https://abc@[::1]:9000/3").envelope_url == "https://[::1]:9000/api/3/envelope/"
    )
    for bad in (
        "",
        "abc123",
        "https://abc123@/1",
        "https://ab-c@h/1",
        "https://abc123@h/",
        "https://abc123@h:99999/1",
    ):
        with pytest.raises(DsnError) as caught:
            parse_dsn(bad)
        assert "abc123" not in str(caught.value)


def test_the_demo_lab_says_where_its_error_tracker_is_without_its_key(tmp_path):
    from launchtui.lab import Lab, demo_config

    lab = Lab(demo_config(base_port=0), tmp_path)
    lines = lab.describe()
    assert f"  error tracker (Sentry ingest) https://{HOST}/api/4507/envelope/" in lines
    assert lab.error_ingest.public_key not in "\n".join(lines)
