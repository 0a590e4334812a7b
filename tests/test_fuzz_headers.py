"""Property-based tests (issue 19) of the HTTP header parsers: HSTS, Set-Cookie,
Referrer-Policy, X-Frame-Options, CSP frame-ancestors, Location, Cache-Control and the
RateLimit fields. Valid values built from each grammar parse to what was generated; mutated
ones end in a result or the parser's documented error, never another exception."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fuzz_net_strategies import mutated
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.checks.edge import http_hsts
from launchtui.checks.edge.http_security_headers import (
    REFERRER_POLICIES,
    _frame_protection,
    _soft_problems,
    frame_ancestors,
    frame_options,
    parse_set_cookie,
    referrer_policy,
    split_header_values,
)
from launchtui.net.commands import Commands
from launchtui.net.fetched import Fetched
from launchtui.net.redirects import _normal, resolve_location
from launchtui.perf import cache_control, ratelimit

TCHAR = "!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"
token = st.text(TCHAR, min_size=1, max_size=12)
ows = st.sampled_from(["", " ", "\t", "  "])


def _case(draw: st.DrawFn, word: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)


# --- HSTS (RFC 6797 6.1) ---------------------------------------------------------------


@st.composite
def hsts_values(draw: st.DrawFn) -> tuple[str, http_hsts.Policy]:
    age = draw(st.integers(0, 10**12))
    sub, preload = draw(st.booleans()), draw(st.booleans())
    parts = [
        f"{_case(draw, 'max-age')}{draw(ows)}={draw(ows)}"
        + (f'"{age}"' if draw(st.booleans()) else str(age))
    ]
    if sub:
        parts.append(_case(draw, "includeSubDomains"))
    if preload:
        parts.append(_case(draw, "preload"))
    reserved = {"max-age", "includesubdomains", "preload"}
    extra = draw(
        st.lists(token.filter(lambda t: t.lower() not in reserved), max_size=3, unique_by=str.lower)
    )
    parts += [f"{name}={draw(token)}" if draw(st.booleans()) else name for name in extra]
    order = draw(st.permutations(parts))
    sep = draw(ows) + ";" + draw(ows)
    return sep.join(order), http_hsts.Policy(age, sub, preload)


@given(hsts_values())
def test_fuzz_hsts_valid_values_parse_to_what_was_generated(
    case: tuple[str, http_hsts.Policy],
) -> None:
    value, policy = case
    assert http_hsts.parse(value) == policy


@given(mutated(hsts_values().map(lambda case: case[0])))
@example("max-age=²")
@example("max-age=" + "9" * 5000)  # int() refused it: ValueError escaped parse
@example("max-age=31536000; [bold]includeSubDomains")
def test_fuzz_hsts_mutated_values_end_in_a_policy_or_malformed(value: str) -> None:
    try:
        http_hsts.parse(value)
    except http_hsts.Malformed as exc:
        assert str(exc)
    assert isinstance(http_hsts._passes(value), bool)


# --- Set-Cookie (RFC 6265bis 5.6) --------------------------------------------------------

cookie_octets = st.text(
    "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\'), max_size=20
)
attribute = st.one_of(
    st.sampled_from(["Secure", "HttpOnly", "Partitioned"]),
    st.builds("SameSite={}".format, st.sampled_from(["Strict", "Lax", "None", "strict", "Bogus"])),
    st.builds("Path=/{}".format, st.text("abc/-_", max_size=8)),
    st.builds("Max-Age={}".format, st.integers(-5, 10**9)),
    st.builds("Domain={}".format, st.sampled_from(["example.com", ".example.com"])),
)


@st.composite
def set_cookies(draw: st.DrawFn) -> tuple[str, str, str, list[str]]:
    name, value = draw(token.filter(lambda t: "=" not in t)), draw(cookie_octets)
    attributes = draw(st.lists(attribute, max_size=5))
    return (
        f"{name}={value}" + "".join(f";{draw(ows)}{a}" for a in attributes),
        name,
        value,
        attributes,
    )


@given(set_cookies())
def test_fuzz_set_cookie_valid_values_parse_to_what_was_generated(
    case: tuple[str, str, str, list[str]],
) -> None:
    header, name, value, attributes = case
    cookie = parse_set_cookie(header)
    assert (cookie.name, cookie.value_length, cookie.raw_attributes) == (
        name,
        len(value),
        attributes,
    )
    expected = {}
    for a in attributes:
        key, _, val = a.partition("=")
        expected[key.lower()] = val
    assert cookie.attributes == expected
    assert ("Secure" in cookie.missing()) == ("secure" not in expected)


@given(mutated(set_cookies().map(lambda case: case[0])))
@example("[bold]sid[/]=x; SameSite=[red]; Secure=\x00")
def test_fuzz_set_cookie_mutated_values_end_in_a_verdict(header: str) -> None:
    cookie = parse_set_cookie(header)
    fails, warns = cookie.problems()
    assert all(isinstance(p, str) for p in fails + warns)
    assert isinstance(cookie.describe(), str)
    assert cookie.same_site in (None, "strict", "lax", "none", "default")


# --- Referrer-Policy, X-Frame-Options, CSP frame-ancestors ------------------------------

policy_names = st.sampled_from(sorted(REFERRER_POLICIES))


@given(st.lists(st.one_of(policy_names, token), min_size=1, max_size=5), ows)
def test_fuzz_referrer_policy_is_the_last_known_token(tokens: list[str], space: str) -> None:
    known = [t.lower() for t in tokens if t.lower() in REFERRER_POLICIES]
    assert referrer_policy([f"{space},{space}".join(tokens)]) == (known[-1] if known else "")


@given(st.lists(mutated(policy_names), max_size=3))
@example(['"no-referrer', "origin"])
def test_fuzz_referrer_policy_mutated_values_end_in_a_policy(values: list[str]) -> None:
    assert referrer_policy(values) in REFERRER_POLICIES | {""}
    assert all(isinstance(v, str) for v in split_header_values(values))


xfo = st.sampled_from(["deny", "sameorigin"]).flatmap(
    lambda word: st.builds(lambda upper: word.upper() if upper else word, st.booleans())
)


@given(xfo, ows)
def test_fuzz_x_frame_options_valid_value_is_read(value: str, space: str) -> None:
    assert frame_options([space + value + space]) == value.lower()


@given(st.lists(mutated(xfo), max_size=3))
def test_fuzz_x_frame_options_mutated_values_end_in_a_verdict(values: list[str]) -> None:
    assert isinstance(frame_options(values), str)


source = st.one_of(
    st.sampled_from(["'self'", "'none'", "*", "https:", "https://*.example.com"]),
    st.builds("https://{}.example".format, st.text("abcdefgh", min_size=1, max_size=8)),
)
directive_names = st.sampled_from(["default-src", "script-src", "img-src", "report-uri"])


@st.composite
def csp_policies(draw: st.DrawFn) -> tuple[str, list[str]]:
    sources = draw(st.lists(source, max_size=4))
    others = draw(
        st.lists(
            st.tuples(directive_names, st.lists(source, max_size=3)),
            max_size=3,
            unique_by=lambda d: d[0],
        )
    )
    directives = [f"{n} {' '.join(s)}".strip() for n, s in others]
    directives.insert(
        draw(st.integers(0, len(directives))), " ".join([_case(draw, "frame-ancestors"), *sources])
    )
    return (draw(ows) + ";" + draw(ows)).join(directives), sources


@given(csp_policies())
def test_fuzz_csp_frame_ancestors_valid_policy_is_read(case: tuple[str, list[str]]) -> None:
    policy, sources = case
    assert frame_ancestors([policy]) == [sources]


@given(st.lists(mutated(csp_policies().map(lambda case: case[0])), max_size=2))
def test_fuzz_csp_mutated_policies_end_in_source_lists(policies: list[str]) -> None:
    for sources in frame_ancestors(policies):
        assert all(isinstance(s, str) and s for s in sources)


# --- Location (RFC 9110 10.2.2) -----------------------------------------------------------

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
segment = st.text("abcxyz019-_~", min_size=1, max_size=8)


@st.composite
def locations(draw: st.DrawFn) -> tuple[str, str]:
    """(Location value, the absolute URL it means from base https://base.example/dir/page)."""
    path = "/" + "/".join(draw(st.lists(segment, max_size=4)))
    query = draw(st.one_of(st.just(""), st.builds("?q={}".format, segment)))
    if draw(st.booleans()):
        return path + query, f"https://base.example{path}{query}"
    scheme = draw(st.sampled_from(["http", "https"]))
    host = ".".join(draw(st.lists(label, min_size=1, max_size=3)))
    port = draw(st.one_of(st.just(""), st.builds(":{}".format, st.integers(1, 65535))))
    url = f"{scheme}://{host}{port}{path}{query}"
    return url, url


BASE = "https://base.example/dir/page"


@given(locations(), ows)
def test_fuzz_location_valid_values_resolve_to_what_was_generated(
    case: tuple[str, str], space: str
) -> None:
    location, url = case
    assert resolve_location(BASE, space + location + space) == url


@given(mutated(locations().map(lambda case: case[0])))
@example("https://[::1/")
@example("http://x:99999/")
@example("http://x:-1/")
@example("//\u2100.example/")
def test_fuzz_location_mutated_values_end_in_a_url_or_none(location: str) -> None:
    target = resolve_location(BASE, location)
    if target is not None:
        assert target.startswith(("http://", "https://"))
        assert isinstance(_normal(target), str)


# --- Cache-Control (RFC 9111 5.2) ----------------------------------------------------------

qdtext = st.text("".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\'), max_size=10)


@st.composite
def cache_controls(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    names = draw(st.lists(token, min_size=1, max_size=5, unique_by=str.lower))
    expected, parts = {}, []
    for name in names:
        kind = draw(st.sampled_from(["bare", "token", "quoted"]))
        if kind == "bare":
            expected[name.lower()], text = "", name
        elif kind == "token":
            value = draw(token)
            expected[name.lower()], text = value, f"{name}={value}"
        else:
            pieces = draw(
                st.lists(st.one_of(qdtext, st.sampled_from(['\\"', "\\\\", "\\a"])), max_size=3)
            )
            value = "".join(pieces)
            unescaped = "".join(p[1] if p.startswith("\\") else p for p in pieces)
            expected[name.lower()], text = unescaped, f'{name}="{value}"'
        parts.append(text)
    return (draw(ows) + "," + draw(ows)).join(parts), expected


@given(cache_controls())
def test_fuzz_cache_control_valid_values_parse_to_what_was_generated(
    case: tuple[str, dict[str, str]],
) -> None:
    header, expected = case
    assert cache_control.parse(header) == expected


@given(
    mutated(cache_controls().map(lambda case: case[0])), st.one_of(st.none(), st.text(max_size=5))
)
@example("max-age=²", None)  # "²".isdigit(), int("²") raised ValueError
@example("max-age=" + "9" * 5000, None)
@example("s-maxage=١٢", None)
def test_fuzz_cache_control_mutated_values_end_in_a_verdict(
    header: str, expires: str | None
) -> None:
    rules = cache_control.judge(header, expires)
    assert isinstance(rules.sharing, cache_control.Sharing) and rules.reason
    assert rules.browser_lifetime is None or rules.browser_lifetime >= 0
    assert isinstance(cache_control.shared_hit({"age": header, "x-cache": header}), str)


# --- RateLimit, RateLimit-Policy (RFC 9651 lists), Retry-After ---------------------------

sf_string = st.text("".join(chr(c) for c in range(0x20, 0x7F)), max_size=10)
sf_int = st.integers(-(10**15) + 1, 10**15 - 1)


def _sf(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def ratelimit_policies(draw: st.DrawFn) -> tuple[str, list[ratelimit.Policy]]:
    members, expected = [], []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(sf_string)
        q, w = draw(st.one_of(st.none(), sf_int)), draw(st.one_of(st.none(), sf_int))
        unit = draw(st.one_of(st.just(""), st.sampled_from(["requests", "content-bytes"])))
        params = [(k, str(v)) for k, v in (("q", q), ("w", w)) if v is not None]
        if unit:
            params.append(("qu", _sf(unit)))
        params.append(("pk", ":" + draw(st.sampled_from(["", "YWJj", "AAEC"])) + ":"))
        draw(st.randoms()).shuffle(params)
        members.append(_sf(name) + "".join(f";{k}={v}" for k, v in params))
        expected.append(ratelimit.Policy(name, q, w, unit))
    return ("," + draw(ows)).join(members), expected


@given(ratelimit_policies())
def test_fuzz_ratelimit_policy_valid_values_parse_to_what_was_generated(
    case: tuple[str, list[ratelimit.Policy]],
) -> None:
    header, expected = case
    assert ratelimit.policies(header) == expected


@given(st.lists(st.tuples(sf_string, sf_int, st.integers(0, 10**6)), min_size=1, max_size=3))
def test_fuzz_ratelimit_valid_values_parse_to_what_was_generated(
    items: list[tuple[str, int, int]],
) -> None:
    header = ", ".join(f"{_sf(n)};r={r};t={t}" for n, r, t in items)
    assert ratelimit.limits(header) == [ratelimit.Limit(n, r, t) for n, r, t in items]


@given(st.one_of(st.decimals(-999, 999, places=3, allow_nan=False), st.booleans()))
def test_fuzz_ratelimit_bare_items_round_trip(value: Decimal | bool) -> None:
    text = ("?1" if value else "?0") if isinstance(value, bool) else str(value)
    assert ratelimit.parse_list(f"a;v={text}")[0].params["v"] == value


NOW = datetime(2026, 1, 1, tzinfo=UTC)


@given(
    mutated(ratelimit_policies().map(lambda case: case[0])),
    mutated(st.sampled_from(["120", "Wed, 21 Oct 2026 07:28:00 GMT", "0"])),
    mutated(st.sampled_from(["60", "1767225600", "0"])),
)
@example('"default";q=100;w=10', "²", "²")
@example('"a";q=?', "Wed, 21 Oct 99999 07:28:00 GMT", "9" * 400)
def test_fuzz_ratelimit_mutated_values_end_in_signals_or_sf_error(
    header: str, retry: str, reset: str
) -> None:
    for parse in (ratelimit.policies, ratelimit.limits):
        try:
            parse(header)
        except ratelimit.SfError as exc:
            assert str(exc)
    signals = ratelimit.read(
        {
            "ratelimit-policy": header,
            "ratelimit": header,
            "retry-after": retry,
            "x-ratelimit-reset": reset,
            "ratelimit-reset": reset,
        },
        NOW,
    )
    assert signals.retry_in is None or signals.retry_in >= 0
    assert all(isinstance(line, str) for line in signals.told + signals.problems)


@pytest.mark.parametrize("value", ["²", "٣", "１２"])
def test_fuzz_retry_after_non_ascii_digits_are_unreadable(value: str) -> None:
    assert ratelimit.retry_after(value, NOW) is None


# --- the checks' judging of these headers: a verdict, never an internal error --------------


@given(st.lists(mutated(hsts_values().map(lambda case: case[0])), min_size=1, max_size=3))
@example(["max-age=" + "9" * 5000, "max-age=²"])
def test_fuzz_hsts_check_judges_mutated_headers(values: list[str]) -> None:
    first = http_hsts._judge("example.com", values[0], {}, len(values), Commands())
    assert first.summary
    if len(values) > 1:
        assert http_hsts._duplicated("example.com", first, values, Commands()).summary


header_values = st.one_of(
    mutated(csp_policies().map(lambda case: case[0])),
    mutated(xfo),
    mutated(policy_names),
    mutated(set_cookies().map(lambda case: case[0])),
)
header_names = st.sampled_from(
    ["content-security-policy", "x-frame-options", "referrer-policy", "x-content-type-options"]
)


@given(st.lists(st.tuples(header_names, header_values), max_size=6))
def test_fuzz_security_headers_check_judges_mutated_headers(headers: list[tuple[str, str]]) -> None:
    page = Fetched("https://example.com/", 200, "HTTP/1.1", tuple(headers), b"", False, 1)
    protection, fails = _frame_protection(page)
    assert isinstance(protection, str) and all(isinstance(f, str) for f in fails)
    assert all(isinstance(p, str) for p in _soft_problems(page))
