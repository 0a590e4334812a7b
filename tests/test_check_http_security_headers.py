"""http.security-headers against the lab and a hostile TLS server: pass, warn, fail, error."""

from __future__ import annotations

import contextlib
import dataclasses
import socket

import pytest
from check_helpers import assert_could_not_check, https_site, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request

from launchtui.checks.edge.http_security_headers import (
    frame_options,
    parse_set_cookie,
    referrer_policy,
)
from launchtui.checks.registry import all_checks
from launchtui.model.results import Status

pytest_plugins = ["lab_fixtures"]

CHECK = "http.security-headers"
APP = f"https://app.{ZONE}"
HOSTILE_HOST = "headers.example.test"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("headers"))


@pytest.fixture
def raw_server(sprint, tmp_path):
    """serve(head) -> a sprint whose https://headers.example.test/ answers `head` verbatim."""
    with https_site(sprint, tmp_path, HOSTILE_HOST) as serve_handler:

        def serve(head: bytes):
            async def handler(reader, writer):
                await read_request(reader)
                with contextlib.suppress(ConnectionError, OSError):
                    writer.write(head + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
                    await writer.drain()
                writer.close()

            return serve_handler(handler)

        yield serve


def test_targets_are_the_canonical_home_the_login_flow_and_each_hostname(sprint):
    check = next(c for c in all_checks() if c.id == CHECK)
    targets = [t.text for t in check.targets(sprint)]
    assert targets[:2] == [f"{APP}/login", f"{APP}/"]
    assert f"https://bare.{ZONE}/" in targets
    assert len(targets) == len(set(targets))


def test_the_login_page_with_hardened_headers_and_flagged_cookie_passes(sprint):
    result = run_check(CHECK, sprint, f"{APP}/login")
    assert result.status is Status.PASS, result.summary
    headers = result.evidence["headers"]
    assert headers["x-frame-options"] == ["DENY"]
    assert headers["content-security-policy"] == ["default-src 'self'; frame-ancestors 'none'"]
    [cookie] = result.evidence["cookies"]
    assert cookie == "session=<32 chars>; Path=/; Secure; HttpOnly; SameSite=Lax"
    assert result.fix == ""


def test_csp_frame_ancestors_is_frame_protection_enough(sprint):
    result = run_check(CHECK, sprint, f"https://csp-only.{ZONE}/")
    assert result.status is Status.PASS, result.summary


def test_no_security_headers_at_all_fails(sprint):
    result = run_check(CHECK, sprint, f"https://bare.{ZONE}/")
    assert result.status is Status.FAIL
    assert result.evidence["headers"] == {}
    assert result.evidence["problems"] == [
        "no frame protection (X-Frame-Options or CSP frame-ancestors)",
        "X-Content-Type-Options is not nosniff",
        "no Content-Security-Policy",
        "no Referrer-Policy",
    ]
    assert "X-Frame-Options: DENY" in result.fix
    assert f"curl -sI --connect-to bare.{ZONE}:443:127.0.0.1:" in result.fix


def test_a_session_cookie_without_secure_and_httponly_fails(sprint):
    result = run_check(CHECK, sprint, f"https://portal.{ZONE}/")
    assert result.status is Status.FAIL
    assert result.summary.endswith("cookie session lacks Secure, HttpOnly, SameSite")
    assert result.evidence["cookies"] == ["session=<6 chars>; Path=/"]
    assert "0f3a9c" not in str(result.to_dict())  # the cookie value is a session token


def test_missing_csp_and_referrer_policy_only_warn(sprint):
    result = run_check(CHECK, sprint, f"https://nocsp.{ZONE}/")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["problems"] == ["no Content-Security-Policy", "no Referrer-Policy"]


def test_hostile_header_values_are_kept_literally(raw_server):
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"X-Frame-Options: [bold]DENY[/bold]\r\n"
        b"Content-Security-Policy: default-src \xff[link=x]\r\n"
        b"Referrer-Policy: unsafe-url\r\n"
        b"Set-Cookie: id=1; [red]HttpOnly\r\n"
    )
    result = run_check(CHECK, raw_server(head), f"https://{HOSTILE_HOST}/")
    assert result.status is Status.FAIL
    headers = result.evidence["headers"]
    assert headers["x-frame-options"] == ["[bold]DENY[/bold]"]
    assert headers["content-security-policy"] == ["default-src \xff[link=x]"]
    assert result.evidence["cookies"] == ["id=<1 chars>; [red]HttpOnly"]
    assert "Referrer-Policy unsafe-url leaks full URLs to other sites" in result.summary


def test_a_missing_page_is_an_error(sprint):
    result = run_check(CHECK, sprint, f"{APP}/nothing-here")
    assert_could_not_check(result, "answered 404")


def test_a_refused_connection_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    network = dataclasses.replace(
        sprint.network, connect_to={(f"app.{ZONE}", 443): ("127.0.0.1", port)}
    )
    result = run_check(CHECK, dataclasses.replace(sprint, network=network), f"{APP}/login")
    assert_could_not_check(result, "cannot connect")


@pytest.mark.parametrize(
    ("header", "name", "attributes", "missing"),
    [
        ("a=b; Secure; HttpOnly; SameSite=Strict", "a", {"secure", "httponly", "samesite"}, []),
        ("a=b;secure;HTTPONLY", "a", {"secure", "httponly"}, ["SameSite"]),
        ('a="b;c"; Path=/', "a", {'c"', "path"}, ["Secure", "HttpOnly", "SameSite"]),
        ("=novalue", "", set(), ["Secure", "HttpOnly", "SameSite"]),
        (
            "a=b; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure",
            "a",
            {"expires", "secure"},
            ["HttpOnly", "SameSite"],
        ),
    ],
)
def test_set_cookie_is_split_by_hand(header, name, attributes, missing):
    cookie = parse_set_cookie(header)
    assert cookie.name == name
    assert set(cookie.attributes) == attributes
    assert cookie.missing() == missing


def test_an_escape_sequence_in_a_header_is_kept_and_is_no_protection(raw_server):
    head = b"HTTP/1.1 200 OK\r\nX-Frame-Options: \x1b[31mDENY\r\n"
    result = run_check(CHECK, raw_server(head), f"https://{HOSTILE_HOST}/")
    assert result.status is Status.FAIL
    assert result.evidence["headers"]["x-frame-options"] == ["\x1b[31mDENY"]
    assert "no frame protection" in result.summary


HOSTILE_URL = f"https://{HOSTILE_HOST}/"
HARDENED = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'self'"),
    ("Referrer-Policy", "no-referrer"),
)


def answering(raw_server, *headers):
    """A sprint whose test page sends HARDENED, but for the names `headers` sends instead,
    then `headers` (one field each, in order)."""
    replaced = {name.lower() for name, _ in headers}
    sent = [header for header in HARDENED if header[0].lower() not in replaced] + list(headers)
    lines = "".join(f"{name}: {value}\r\n" for name, value in sent)
    return raw_server(f"HTTP/1.1 200 OK\r\n{lines}".encode("latin-1"))


def test_the_hardened_test_page_passes(raw_server):
    result = run_check(CHECK, answering(raw_server), HOSTILE_URL)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["frame_protection"] == "X-Frame-Options deny"


# RFC 6265bis (draft-ietf-httpbis-rfc6265bis-22: RFC Editor queue, no RFC number by 2026-10)
# 5.6.7: a SameSite value that is not a case-insensitive match for None, Strict or Lax gives
# enforcement "Default", which 5.7 stores like a cookie without the attribute.


def test_an_unrecognised_samesite_value_is_no_samesite(raw_server):
    cookie = ("Set-Cookie", "session=abc; Secure; HttpOnly; SameSite=Invalid")
    result = run_check(CHECK, answering(raw_server, cookie), HOSTILE_URL)
    assert result.status is Status.WARN, result.summary
    assert result.evidence["problems"] == [
        "cookie session lacks SameSite (SameSite=Invalid is not Strict, Lax or None: browsers "
        "ignore the value, as if SameSite were not there)"
    ]


def test_samesite_values_match_case_insensitively(raw_server):
    cookie = ("Set-Cookie", "session=abc; secure; HTTPONLY; samesite=lAX")
    result = run_check(CHECK, answering(raw_server, cookie), HOSTILE_URL)
    assert result.status is Status.PASS, result.summary


def test_samesite_none_without_secure_fails_and_says_browsers_reject_it(raw_server):
    # draft-west-cookie-incrementalism 3.2, shipped in Chrome 80: SameSite=None needs Secure.
    cookie = ("Set-Cookie", "id=1; HttpOnly; SameSite=None")
    result = run_check(CHECK, answering(raw_server, cookie), HOSTILE_URL)
    assert result.status is Status.FAIL
    assert result.evidence["problems"] == [
        "cookie id lacks Secure (Chrome and Edge reject a SameSite=None cookie without Secure "
        "outright)"
    ]


def test_samesite_none_warns_like_a_missing_samesite(raw_server):
    # 6265bis 5.6.7: "None" is a recognised value, and it asks for cross-site delivery.
    cookie = ("Set-Cookie", "id=1; Secure; HttpOnly; SameSite=None")
    result = run_check(CHECK, answering(raw_server, cookie), HOSTILE_URL)
    assert result.status is Status.WARN
    assert result.evidence["problems"] == [
        "cookie id has SameSite=None: browsers send it with cross-site requests"
    ]


@pytest.mark.parametrize(
    ("header", "same_site", "missing"),
    [
        ("a=b; Secure; HttpOnly; SameSite=STRICT", "strict", []),
        ("a=b; Secure; HttpOnly; SameSite=Invalid", "default", ["SameSite"]),
        ("a=b; Secure; HttpOnly; SameSite", "default", ["SameSite"]),  # no value: 5.6.7 Default
        ("a=b; Secure; HttpOnly; SameSite=", "default", ["SameSite"]),
        # 5.7: the last SameSite attribute sets the same-site-flag.
        ("a=b; Secure; HttpOnly; SameSite=Lax; SameSite=Bogus", "default", ["SameSite"]),
        ("a=b; Secure; HttpOnly; SameSite=Bogus; SameSite=Lax", "lax", []),
        # 5.6.5 and 5.6.6 match the attribute name only: a value after Secure or HttpOnly is
        # ignored, so `Secure=false` still makes the cookie secure-only.
        ("a=b; Secure=false; HttpOnly=no; SameSite=Lax", "lax", []),
        # An attribute whose name is not exactly Secure (an empty name, extra words) is
        # unrecognised and ignored (5.6 step 7).
        ("a=b; =Secure; Secure x; HttpOnly; SameSite=Lax", "lax", ["Secure"]),
        ("a=b", None, ["Secure", "HttpOnly", "SameSite"]),
    ],
)
def test_cookie_attributes_are_judged_by_the_value_browsers_apply(header, same_site, missing):
    cookie = parse_set_cookie(header)
    assert cookie.same_site == same_site
    assert cookie.missing() == missing


# W3C Referrer Policy (Candidate Recommendation 2017, Editor's Draft current), 8.1 "Parse a
# referrer policy from a Referrer-Policy header": the fields' comma-separated tokens in order,
# the policy is the last token that is a referrer policy; unknown tokens are skipped (4.1,
# extension-token; 11.1), and none recognised leaves the empty policy, as with no header.


def test_a_referrer_policy_browsers_do_not_know_is_no_policy(raw_server):
    result = run_check(CHECK, answering(raw_server, ("Referrer-Policy", "whimsy")), HOSTILE_URL)
    assert result.status is Status.WARN
    assert result.evidence["problems"] == [
        "Referrer-Policy: whimsy is ignored by browsers (it names no policy they know), as if "
        "there were none"
    ]


def test_an_unknown_last_token_does_not_hide_unsafe_url(raw_server):
    header = ("Referrer-Policy", "unsafe-url, whimsy")
    result = run_check(CHECK, answering(raw_server, header), HOSTILE_URL)
    assert result.status is Status.WARN
    assert result.evidence["problems"] == [
        "Referrer-Policy unsafe-url leaks full URLs to other sites"
    ]


def test_referrer_policy_fields_combine_into_one_list(raw_server):
    fields = [("Referrer-Policy", "no-referrer"), ("Referrer-Policy", "unsafe-url")]
    result = run_check(CHECK, answering(raw_server, *fields), HOSTILE_URL)
    assert result.evidence["problems"] == [
        "Referrer-Policy unsafe-url leaks full URLs to other sites"
    ]
    fields.reverse()
    assert run_check(CHECK, answering(raw_server, *fields), HOSTILE_URL).status is Status.PASS


@pytest.mark.parametrize(
    ("values", "policy"),
    [
        (["whimsy"], ""),
        ([""], ""),
        (["unsafe-url, whimsy"], "unsafe-url"),
        (["no-referrer, strict-origin-when-cross-origin"], "strict-origin-when-cross-origin"),
        (["No-Referrer"], "no-referrer"),  # ABNF literals are case-insensitive (RFC 5234 2.3)
        (["origin", "whimsy", ""], "origin"),
        ([' "no-referrer" '], ""),  # 4.1: values should not be quoted; a quoted one is unknown
    ],
)
def test_referrer_policy_is_the_last_recognised_token(values, policy):
    assert referrer_policy(values) == policy


def test_no_referrer_when_downgrade_leaks_full_urls_and_warns(raw_server):
    # 3.2: it sends the full URL to any potentially trustworthy (HTTPS) URL, other sites too.
    header = ("Referrer-Policy", "no-referrer-when-downgrade")
    result = run_check(CHECK, answering(raw_server, header), HOSTILE_URL)
    assert result.evidence["problems"] == [
        "Referrer-Policy no-referrer-when-downgrade leaks full URLs to other sites"
    ]


def test_an_origin_only_referrer_policy_passes(raw_server):
    # 3.5 and 3.6: only the origin leaves for other sites, never the path or query.
    header = ("Referrer-Policy", "origin-when-cross-origin")
    assert run_check(CHECK, answering(raw_server, header), HOSTILE_URL).status is Status.PASS


# WHATWG HTML, "The `X-Frame-Options` header" (check a navigation response's adherence to
# `X-Frame-Options`): the values of all fields are got, decoded and split on commas (Fetch),
# lower-cased into a set; a set of more than one with deny, allowall or sameorigin in it
# blocks framing, more than one otherwise allows it, and only "deny" or "sameorigin" alone
# restrict it. A CSP frame-ancestors directive, when present, is used instead (step 2).


def test_deny_twice_in_one_field_is_the_same_as_two_deny_fields(raw_server):
    one_field = answering(raw_server, ("X-Frame-Options", "DENY, DENY"))
    assert run_check(CHECK, one_field, HOSTILE_URL).status is Status.PASS
    two_fields = answering(raw_server, ("X-Frame-Options", "DENY"), ("X-Frame-Options", "deny"))
    result = run_check(CHECK, two_fields, HOSTILE_URL)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["frame_protection"] == "X-Frame-Options deny"


def test_allow_from_is_named_as_ignored_not_just_missing(raw_server):
    header = ("X-Frame-Options", "ALLOW-FROM https://partner.example")
    result = run_check(CHECK, answering(raw_server, header), HOSTILE_URL)
    assert result.status is Status.FAIL
    assert result.evidence["problems"] == [
        "X-Frame-Options: ALLOW-FROM https://partner.example is ignored by browsers "
        "(ALLOW-FROM is obsolete: CSP frame-ancestors replaced it): no frame protection"
    ]


def test_conflicting_values_block_all_framing_and_count_as_protection(raw_server):
    fields = [("X-Frame-Options", "DENY"), ("X-Frame-Options", "SAMEORIGIN")]
    result = run_check(CHECK, answering(raw_server, *fields), HOSTILE_URL)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["frame_protection"] == (
        "X-Frame-Options with conflicting values: browsers block all framing"
    )


def test_several_invalid_values_are_no_protection(raw_server):
    fields = [("X-Frame-Options", "INVALID"), ("X-Frame-Options", "GARBAGE")]
    result = run_check(CHECK, answering(raw_server, *fields), HOSTILE_URL)
    assert result.evidence["problems"] == [
        "X-Frame-Options: INVALID, GARBAGE is ignored by browsers (none of its values is DENY "
        "or SAMEORIGIN): no frame protection"
    ]


@pytest.mark.parametrize(
    ("values", "option"),
    [
        # The web-platform-tests x-frame-options/ cases that follow this algorithm.
        ([",SAMEORIGIN,,DENY,"], "conflict"),
        ([" SAMEORIGIN, DENY"], "conflict"),
        (["DENY", ""], "conflict"),
        (["\x0bDENY"], "\x0bdeny"),  # only tab and space are trimmed
        (['"DENY"'], '"deny"'),
        (['"SAMEORIGIN,DENY"'], '"sameorigin,deny"'),  # a comma inside quotes does not split
        (["ALLOWALL"], "allowall"),
        (["INVALID", "INVALID"], "invalid"),  # one value once deduplicated
        ([""], ""),
        ([], "absent"),
    ],
)
def test_frame_options_follow_the_html_algorithm(values, option):
    assert frame_options(values) == option


def test_csp_frame_ancestors_supersedes_x_frame_options(raw_server):
    # HTML step 2: an enforced policy with frame-ancestors makes browsers skip the XFO header.
    csp = ("Content-Security-Policy", "default-src 'self'; frame-ancestors *")
    result = run_check(CHECK, answering(raw_server, csp), HOSTILE_URL)  # XFO: DENY is sent
    assert result.status is Status.FAIL
    assert result.evidence["problems"] == [
        "CSP frame-ancestors * lets any site frame the page (and makes browsers ignore "
        "X-Frame-Options): no frame protection"
    ]


@pytest.mark.parametrize(
    "policy",
    [
        "default-src 'self'; FRAME-ANCESTORS 'none'",  # CSP3 2.2.1: names are lower-cased
        "default-src 'self', frame-ancestors https://partner.example",  # a second policy
        "frame-ancestors 'self'; frame-ancestors *",  # a repeated directive is ignored
    ],
)
def test_a_restrictive_frame_ancestors_protects_without_x_frame_options(raw_server, policy):
    csp = ("Content-Security-Policy", policy)
    result = run_check(CHECK, answering(raw_server, csp, ("X-Frame-Options", "junk")), HOSTILE_URL)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["frame_protection"].startswith("CSP frame-ancestors ")


def test_nosniff_is_the_first_value_of_the_list(raw_server):
    # Fetch "determine nosniff": values[0] of get, decode, and split.
    header = ("X-Content-Type-Options", "nosniff, nosniff")
    assert run_check(CHECK, answering(raw_server, header), HOSTILE_URL).status is Status.PASS
