"""Property-based tests (issue 19) of the HTML scanner (launchtui.net.html) and of health
answers (launchtui.deploy.health). Pages and health documents built from their grammar read
back as what was generated; mutated ones end in a result (or health.Malformed), never another
exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fuzz_net_strategies import mutated
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.checks.deploy.health import _report_evidence
from launchtui.deploy import health
from launchtui.net import html

url = st.one_of(
    st.builds(
        "https://{}.example/{}".format,
        st.text("abcxyz", min_size=1, max_size=6),
        st.text("abc/-_.?=", max_size=10),
    ),
    st.builds("/{}".format, st.text("abcdef/-_.", max_size=10)),
    st.just("http://plain.example/x.js"),
)
text_between = st.text(
    st.characters(blacklist_characters="<&\x00", blacklist_categories=["Cs"]), max_size=20
)
ELEMENTS = [(tag, attribute) for tag, attribute in html._LOADS.items()]


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, list[html.Resource]]:
    parts, expected = [], []
    for _ in range(draw(st.integers(0, 6))):
        parts.append(draw(text_between))
        if draw(st.booleans()):
            parts.append(f"<!-- <img src={draw(url)}> -->")
        address = draw(url)
        quote = draw(st.sampled_from(['"', "'"]))
        if draw(st.integers(0, 4)) == 0:
            parts.append(
                f"<link rel={quote}preload stylesheet{quote} href={quote}{address}{quote}>"
            )
            expected.append(html.Resource("stylesheet", "href", address))
            continue
        tag, attribute = draw(st.sampled_from(ELEMENTS))
        shown = tag.upper() if draw(st.booleans()) else tag
        parts.append(f"<{shown} class=x {attribute}={quote} {address} {quote}>")
        expected.append(html.Resource(tag, attribute, address))
        if tag in ("script", "iframe", "audio", "video", "object", "form"):
            parts.append(f"{draw(text_between)}</{tag}>")
    return "".join(parts), expected


@given(pages())
def test_fuzz_html_valid_pages_list_what_was_generated(
    case: tuple[str, list[html.Resource]],
) -> None:
    text, expected = case
    page = html.resources(text)
    assert page.resources == expected and page.complete
    heads = [(r.tag, r.url) for r in expected if r.tag in ("script", "stylesheet")]
    assert [(r.tag, r.url) for r in html.head_resources(text)] == heads


@given(mutated(pages().map(lambda case: case[0])), st.integers(0, 5))
@example('<img srcset=" , ,"><script src="[bold]x">', 5)
@example('<a b=">" ' * 200, 5)
@example("<script src=x><!--", 1)
@example("<link rel=stylesheet href=\x00>", 1)
def test_fuzz_html_mutated_pages_end_in_resources(text: str, limit: int) -> None:
    page = html.resources(text, limit)
    assert len(page.resources) <= limit
    assert all(r.url.strip() == r.url and r.url for r in page.resources)
    assert all(isinstance(r.describe(), str) for r in page.resources)
    assert len(html.head_resources(text, limit)) <= limit


@given(st.binary(max_size=50), mutated(st.sampled_from(["text/html; charset=utf-8", "text/html"])))
@example(b"\xff\xfe", "text/html; charset=utf-7")
@example(b"abc", 'text/html; charset=""')
@example(b"abc", "text/html; charset=[bold]")
@example(b"", "text/html; charset=\x00utf-8")  # ValueError: embedded null character
def test_fuzz_html_decode_never_fails(body: bytes, content_type: str) -> None:
    assert isinstance(html.decode(body, content_type), str)


# --- health answers ------------------------------------------------------------------------

words = st.sampled_from(sorted(health.UP_WORDS | health.DEGRADED_WORDS | health.DOWN_WORDS))
name = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=8)


@st.composite
def health_documents(
    draw: st.DrawFn,
) -> tuple[dict[str, Any], str, str, str, list[tuple[str, str]]]:
    status = draw(words)
    shown = status.upper() if draw(st.booleans()) else status
    version = draw(st.text("0123456789.v", min_size=1, max_size=8))
    commit = draw(st.text("0123456789abcdef", min_size=7, max_size=40))
    checks = draw(st.dictionaries(name, words, max_size=4))
    document = {
        "status": shown,
        "version": version,
        "commit": commit,
        "checks": {n: {"status": w} for n, w in checks.items()},
    }
    return document, health.state_of(status), version, commit, list(checks.items())


@given(health_documents())
def test_fuzz_health_valid_answers_parse_to_what_was_generated(
    case: tuple[dict[str, Any], str, str, str, list[tuple[str, str]]],
) -> None:
    document, state, version, commit, checks = case
    report = health.parse(json.dumps(document).encode(), "application/json")
    assert (report.state, report.version, report.commit) == (state, version, commit)
    assert [(d.name, d.status) for d in report.dependencies] == checks


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "status",
        "checks",
        "components",
        "details",
        "workers",
        "version",
        "commit",
        "releaseId",
        "last_heartbeat",
        "heartbeat",
        "name",
        "code",
    ]
)
health_like = st.recursive(
    json_values,
    lambda inner: st.dictionaries(keys, inner, max_size=5) | st.lists(inner, max_size=3),
    max_leaves=20,
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _judge(body: bytes, content_type: str | None) -> None:
    try:
        report = health.parse(body, content_type)
    except health.Malformed as exc:
        assert str(exc)
        return
    _report_evidence(report, {})
    assert isinstance(report.release, str) and isinstance(report.unreported(), list)
    for worker in report.workers:
        health.heartbeat_problem(worker, NOW)


@given(health_like)
@example({"checks": [None]})  # AttributeError: 'list' object has no attribute 'values'
@example({"workers": {"w": "9999-12-31T23:59:59-23:59"}})
@example({"workers": {"w": "0001-01-01T00:00:00+23:59"}})
@example({"workers": [{"last_heartbeat": 1e300}, {"heartbeat": -1e18}]})
@example({"status": {"code": {"x": 1}}, "components": {"db": {"components": {"a": []}}}})
def test_fuzz_health_any_json_ends_in_a_report(document: Any) -> None:
    _judge(json.dumps(document).encode(), "application/json")


@given(
    mutated(health_documents().map(lambda case: json.dumps(case[0]))),
    st.sampled_from([None, "application/json", "text/plain", "application/health+json"]),
)
@example("[" * 100_000, "application/json")
@example('{"n": ' + "9" * 5000 + "}", "application/json")
@example('{"status": "[bold]up[/]"}', None)
def test_fuzz_health_mutated_answers_end_in_a_report_or_malformed(
    text: str, content_type: str | None
) -> None:
    _judge(text.encode("utf-8", "surrogatepass"), content_type)
