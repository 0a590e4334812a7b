"""The header readers of the performance checks: Cache-Control (RFC 9111), the IETF
RateLimit / RateLimit-Policy Structured Fields (draft-ietf-httpapi-ratelimit-headers-10, with
its examples) and the older RateLimit-* / X-RateLimit-* fields, and the identities."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from launchtui.perf import cache_control, identity, ratelimit
from launchtui.perf.cache_control import Sharing

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "sharing"),
    [
        ("private, no-store", Sharing.KEPT_OUT),
        ("no-store", Sharing.KEPT_OUT),
        ("Private, Max-Age=600", Sharing.KEPT_OUT),  # names are case-insensitive
        ("public, max-age=600", Sharing.SHARED),
        ("s-maxage=60", Sharing.SHARED),
        ("max-age=600", Sharing.SHARED),
        ('private="Set-Cookie", max-age=600', Sharing.SHARED),  # qualified: only that field
        ("no-cache", Sharing.UNCLEAR),
        ("max-age=0", Sharing.UNCLEAR),
        ("", Sharing.UNCLEAR),
        (None, Sharing.UNCLEAR),
    ],
)
def test_cache_control_sharing(header, sharing):
    assert cache_control.judge(header).sharing is sharing


def test_cache_control_parse_quoted_and_odd_values():
    # an unparsable part ("bogus value") is skipped, the rest read
    assert cache_control.parse('no-cache="Set-Cookie, X-A", bogus value, max-age=5') == {
        "no-cache": "Set-Cookie, X-A",
        "max-age": "5",
    }
    assert "4.2.2" in cache_control.judge(None).reason
    assert "Expires" in cache_control.judge(None, "Thu, 01 Jan 2099 00:00:00 GMT").reason


def test_shared_cache_hits():
    assert cache_control.shared_hit({"age": "0"}) == "Age: 0"
    assert cache_control.shared_hit({"x-cache": "Hit from cloudfront"}).startswith("X-Cache")
    assert cache_control.shared_hit({"cf-cache-status": "HIT"}) == "CF-Cache-Status: HIT"
    assert cache_control.shared_hit({"cf-cache-status": "DYNAMIC", "x-cache": "MISS"}) == ""


def test_the_drafts_examples():
    # draft-ietf-httpapi-ratelimit-headers-10, sections 2 and 3
    assert ratelimit.policies('"default";q=100;w=10') == [ratelimit.Policy("default", 100, 10)]
    assert ratelimit.limits('"default";r=50;t=30') == [ratelimit.Limit("default", 50, 30)]
    several = ratelimit.policies('"permin";q=50;w=60, "perhr";q=1000;w=3600')
    assert [(p.name, p.quota, p.window) for p in several] == [
        ("permin", 50, 60),
        ("perhr", 1000, 3600),
    ]
    keyed = ratelimit.parse_list('"peruser";q=100;w=60;pk=:cHsdsRA=:')
    assert keyed[0].params["pk"] == b"p{\x1d\xb1\x10"
    units = ratelimit.policies('"bytes";q=65535;qu="content-bytes";w=10')
    assert units[0].unit == "content-bytes"
    assert ratelimit.policies("default;q=100;w=60")[0].name == "default"  # a Token, older drafts


def test_structured_field_values_and_errors():
    members = ratelimit.parse_list('1.5;a, ?0, (1 "x");b=tok, :aGk=:')
    assert members[0] == ratelimit.Member(Decimal("1.5"), {"a": True})
    assert members[1].value is False
    assert members[2] == ratelimit.Member((1, "x"), {"b": "tok"})
    assert members[3].value == b"hi"
    assert ratelimit.parse_list("  ") == []
    for bad in ('"open', "a,", "a b", "(1 2", '"a";Q=1', "?2", ":!!:"):
        with pytest.raises(ratelimit.SfError):
            ratelimit.parse_list(bad)


def test_reading_a_429():
    signals = ratelimit.read(
        {
            "retry-after": "42",
            "ratelimit-policy": '"login";q=5;w=60',
            "ratelimit": '"login";r=0;t=40',
        },
        NOW,
    )
    assert signals.tells_when and signals.retry_in == 42
    assert signals.told == [
        "Retry-After: 42 s",
        "RateLimit-Policy login: 5 requests per 60 s",
        "RateLimit login: 0 left, reset in 40 s",
    ]
    dated = ratelimit.read({"retry-after": "Thu, 01 Jan 2026 00:01:00 GMT"}, NOW)
    assert dated.retry_in == 60
    legacy = ratelimit.read({"x-ratelimit-limit": "60", "x-ratelimit-reset": "1767225630"}, NOW)
    assert legacy.retry_in == 30  # GitHub's Unix-time reset
    older = ratelimit.read({"ratelimit-limit": "10", "ratelimit-reset": "7"}, NOW)
    assert older.retry_in == 7 and older.told == ["RateLimit-Limit: 10, RateLimit-Reset: 7"]
    assert not ratelimit.read({}, NOW).tells_when
    broken = ratelimit.read({"retry-after": "soon", "ratelimit": '"x;'}, NOW)
    assert not broken.tells_when and len(broken.problems) == 2


def test_identities_from_credentials_never_show_the_value():
    cookie = identity.from_credential("a", "session=s3cret; theme=dark")
    assert cookie.headers == {"Cookie": "session=s3cret; theme=dark"}
    assert cookie.sends == "a Cookie header" and "s3cret" not in cookie.label
    assert identity.from_credential("b", "Bearer t0k").headers == {"Authorization": "Bearer t0k"}
    assert identity.from_credential("c", "t0k").headers == {"Authorization": "Bearer t0k"}
    assert identity.from_credential("c", "t0k").sends == "an Authorization header"
    with pytest.raises(identity.BadIdentity):
        identity.from_credential("d", "x\r\nInjected: 1")
    assert identity.anonymous().sends == "no credentials"


def test_a_marker_survives_a_per_request_token():
    a = b"<p>Signed in as Mara</p><input name=csrf value=abc111>"
    b = b"<p>Signed in as Jonas</p><input name=csrf value=abc222>"
    mark = identity.marker(a, b)
    assert mark == {"Mara", "abc111"}
    assert identity.carries(a.replace(b"abc111", b"abc333"), mark)
    assert not identity.carries(b, mark)
    assert not identity.carries(a, frozenset())
