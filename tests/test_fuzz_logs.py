"""Property-based tests of the log-line parsers (issue 19, item 2): generated combined and JSON
lines parse to the generated fields; mutated and binary lines give an event or a skip, never an
exception; template() is bounded and stable."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone

from fuzz_mutations import mutate
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.logs.classify import FlowPaths, classifier, classify
from launchtui.logs.read import MAX_LINE, SourceReport, _lines
from launchtui.logs.template import MAX_TEMPLATE, template
from launchtui.model.logs import COMBINED, JSON_LINES

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RULES = classifier(FlowPaths())

# from 1974: epoch milliseconds are told from seconds by being over 1e11 (1973-03 on)
times = st.datetimes(min_value=datetime(1974, 1, 1), max_value=datetime(2200, 1, 1)).map(
    lambda t: t.replace(microsecond=0)
)
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)
path_chars = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters=' "\\?#', min_codepoint=33),
    max_size=40,
)
paths = path_chars.map(lambda p: "/" + p)
clients = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.from_regex(r"[a-z0-9][a-z0-9.-]{0,30}", fullmatch=True),
)
statuses = st.integers(min_value=100, max_value=599)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"])
queries = st.one_of(st.just(""), path_chars.map(lambda q: "?" + q))


def _events(data: bytes) -> tuple[list, SourceReport]:  # type: ignore[type-arg]
    report = SourceReport("fuzz.log")
    events = list(_lines(io.BytesIO(data), "fuzz.log", report, None, _RULES))
    return events, report


def _clf(at: datetime, minutes: int) -> str:
    zone = timezone(timedelta(minutes=minutes))
    local = at.replace(tzinfo=UTC).astimezone(zone)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return (
        f"{local.day:02d}/{_MONTHS[local.month - 1]}/{local.year:04d}:"
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {sign}{hours:02d}{mins:02d}"
    )


@st.composite
def combined_lines(draw: st.DrawFn) -> tuple[str, datetime, int, str, str, str]:
    at = draw(times)
    minutes = draw(offsets)
    client = draw(clients)
    method = draw(methods)
    path = draw(paths)
    status = draw(statuses)
    size = draw(st.one_of(st.just("-"), st.integers(0, 10**9).map(str)))
    tail = draw(st.sampled_from(["", ' "-" "curl/8.0"', ' "https://r.test/" "Mozilla/5.0 (X11)"']))
    line = (
        f'{client} - - [{_clf(at, minutes)}] "{method} {path}{draw(queries)} HTTP/1.1" '
        f"{status} {size}{tail}"
    )
    return line, at.replace(tzinfo=UTC), status, path, client, method


@given(combined_lines())
def test_fuzz_combined_lines_parse_to_their_fields(
    generated: tuple[str, datetime, int, str, str, str],
) -> None:
    line, at, status, path, client, method = generated
    events, report = _events(line.encode() + b"\n")
    assert len(events) == 1, report
    event = events[0]
    assert event.format == COMBINED
    assert (event.at, event.status, event.path, event.client, event.method) == (
        at,
        status,
        path,
        client,
        method,
    )
    assert event.classes == classify(status, path)


@st.composite
def json_lines(draw: st.DrawFn) -> tuple[str, datetime, int | None, str, str]:
    at = draw(times).replace(tzinfo=UTC)
    style = draw(st.sampled_from(["iso", "isoz", "epoch", "epoch_ms"]))
    stamp: object
    if style == "iso":
        stamp = at.isoformat()
    elif style == "isoz":
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif style == "epoch":
        stamp = int(at.timestamp())
    else:
        stamp = int(at.timestamp()) * 1000
    obj: dict[str, object] = {
        draw(st.sampled_from(["time", "timestamp", "ts", "@timestamp"])): stamp
    }
    status = draw(st.one_of(st.none(), statuses))
    if status is not None:
        obj[draw(st.sampled_from(["status", "status_code", "statusCode"]))] = status
    path = draw(paths)
    obj[draw(st.sampled_from(["path", "url", "uri"]))] = path + draw(queries)
    client = draw(clients)
    obj[draw(st.sampled_from(["ip", "client_ip", "remote_addr"]))] = client
    obj["level"] = draw(st.sampled_from(["info", "warn", "error", "debug"]))
    obj["msg"] = draw(st.text(max_size=80))
    return json.dumps(obj, ensure_ascii=draw(st.booleans())), at, status, path, client


@given(json_lines())
def test_fuzz_json_lines_parse_to_their_fields(
    generated: tuple[str, datetime, int | None, str, str],
) -> None:
    line, at, status, path, client = generated
    events, report = _events(line.encode() + b"\n")
    assert len(events) == 1, report
    event = events[0]
    assert event.format == JSON_LINES
    assert (event.at, event.status, event.path, event.client) == (at, status, path, client)


LINE_BITS = ["\x00", "\x1b[31m", "\r", "\x7f", "[bold]", "\ufeff"]


@st.composite
def mutated_lines(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["combined", "json", "binary", "huge"]))
    if kind == "binary":
        return draw(st.binary(max_size=300))
    if kind == "huge":
        return b"9" * draw(st.integers(MAX_LINE - 2, MAX_LINE + 3)) + b"\n" + b"x\n"
    line = draw(combined_lines())[0] if kind == "combined" else draw(json_lines())[0]
    return mutate(draw, line, bits=LINE_BITS).encode("utf-8", "surrogatepass")


@given(mutated_lines())
@example(b'{"ts": "\xc2\xb2"}\n')  # a superscript digit: str.isdigit() but not float()
@example(b'{"time": "0001-01-01T00:00:00+01:00"}\n')  # before datetime.min in UTC
@example(b'1.2.3.4 - - [01/Jan/0001:00:00:00 +0100] "GET / HTTP/1.1" 200 1\n')
@example(b'2001:7c:d9bb:: - - [01/Jan/2000:00:00:00 +0000] "POST /? HTTP/1.1" 000 -\n')  # no status
@example(b'{"time": 1, "status": 200, "url": {"a": 1}, "msg": [1, {"b": null}]}\n')
def test_fuzz_mutated_lines_give_an_event_or_a_skip(data: bytes) -> None:
    events, report = _events(data)
    assert report.events + report.skipped == report.lines
    assert len(events) == report.events
    for event in events:
        assert event.at.tzinfo is not None
        assert event.status is None or 100 <= event.status <= 999


@given(st.text(max_size=2000))
@example("id 123e4567-e89b-12d3-a456-426614174000 from 10.0.0.1:443 user a@b.test")
def test_fuzz_template_is_bounded_and_stable(message: str) -> None:
    once = template(message)
    assert len(once) <= MAX_TEMPLATE
    assert template(message) == once
    assert len(template(once)) <= MAX_TEMPLATE
    if len(once) < MAX_TEMPLATE:
        assert template(once) == template(template(once))
