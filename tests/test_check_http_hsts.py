"""http.hsts against the lab (the first HTTPS response of each host) and its header parser."""

from __future__ import annotations

import contextlib
import dataclasses
import socket

import pytest
from check_helpers import assert_could_not_check, https_site, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request, response

from launchtui.checks.edge.http_hsts import Malformed, parse
from launchtui.model.results import Status

pytest_plugins = ["lab_fixtures"]
CHECK = "http.hsts"
HOST = "hsts.example.test"
HSTS = "Strict-Transport-Security"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("hsts"))


@pytest.fixture
def answering(sprint, tmp_path):
    """answering(*values) -> a sprint whose https://hsts.example.test/ answers 200 with one
    Strict-Transport-Security header field per value, in that order."""
    with https_site(sprint, tmp_path, HOST) as serve_handler:

        def serve(*values):
            async def handler(reader, writer):
                await read_request(reader)
                with contextlib.suppress(ConnectionError, OSError):
                    writer.write(response("200 OK", [(HSTS, value) for value in values]))
                    await writer.drain()
                writer.close()

            return serve_handler(handler)

        yield serve


def test_a_year_with_include_subdomains_passes(sprint):
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.summary == f"app.{ZONE}: HSTS max-age 365 days, includeSubDomains"
    assert result.evidence["header"] == "max-age=31536000; includeSubDomains"
    assert result.evidence["include_subdomains"] is True
    assert result.evidence["preload_ready"] is False


def test_the_header_is_read_from_the_first_response_even_a_redirect(sprint):
    result = run_check(CHECK, sprint, ZONE)  # the apex answers 301 to the app host
    assert result.status is Status.PASS
    assert result.evidence["status"] == 301
    assert result.evidence["url"] == f"https://{ZONE}/"


def test_preload_readiness_is_evidence(sprint):
    result = run_check(CHECK, sprint, f"preload.{ZONE}")
    assert result.status is Status.PASS
    assert result.summary.endswith("730 days, includeSubDomains, preload-ready")
    assert result.evidence["preload"] is True
    assert result.evidence["preload_ready"] is True


def test_a_missing_header_fails(sprint):
    result = run_check(CHECK, sprint, f"help.{ZONE}")
    assert result.status is Status.FAIL
    assert (
        result.summary
        == f"help.{ZONE}: no Strict-Transport-Security header on the HTTPS response (200)"
    )
    assert "max-age=31536000; includeSubDomains" in result.fix


def test_a_short_max_age_warns(sprint):
    result = run_check(CHECK, sprint, f"docs.{ZONE}")
    assert result.status is Status.WARN
    assert result.summary == f"docs.{ZONE}: HSTS max-age is 1 day, under 180 days"
    assert result.evidence["max_age"] == 86400


def test_a_malformed_header_fails(sprint):
    result = run_check(CHECK, sprint, f"hsts-twice.{ZONE}")
    assert result.status is Status.FAIL
    assert "malformed Strict-Transport-Security header (the max-age directive appears twice)" in (
        result.summary
    )
    assert result.evidence["header"] == "max-age=31536000; max-age=1"


def test_an_untrusted_certificate_is_an_error(sprint):
    result = run_check(CHECK, sprint, f"members.{ZONE}")
    assert_could_not_check(result, "Hostname mismatch")


def test_a_refused_port_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connect_to = dict(sprint.network.connect_to)
    connect_to[(f"app.{ZONE}", 443)] = ("127.0.0.1", port)
    closed = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=connect_to)
    )
    result = run_check(CHECK, closed, f"app.{ZONE}")
    assert_could_not_check(
        result, f"cannot connect: [Errno 111] Connect call failed ('127.0.0.1', {port})"
    )


@pytest.mark.parametrize(
    ("header", "max_age", "subdomains", "preload"),
    [
        ("max-age=31536000", 31536000, False, False),
        ('MAX-AGE="600" ; includesubdomains;;preload', 600, True, True),
        ("includeSubDomains; max-age=0; future-directive=x", 0, True, False),
        # RFC 6797 6.1: directive-value = token / quoted-string, and a quoted-string's ";" is
        # part of the value; 6.1.1 shows max-age="31536000" (the value may be quoted).
        ('max-age=31536000; ext="a;b"', 31536000, False, False),
        ('max-age="31536000"', 31536000, False, False),
        ('max-age=600 ; ext="say \\"hi\\"; bye" ; includeSubDomains', 600, True, False),
        ("\tmax-age=600\t;\tpreload\t", 600, False, True),  # OWS is SP or HTAB
    ],
)
def test_parse_reads_directives_case_insensitively(header, max_age, subdomains, preload):
    policy = parse(header)
    assert (policy.max_age, policy.include_subdomains, policy.preload) == (
        max_age,
        subdomains,
        preload,
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("includeSubDomains", "no max-age"),
        ("max-age=abc", "number of seconds"),
        ("max-age=-1", "number of seconds"),
        ("max-age", "number of seconds"),
        ("max-age=1; preload; preload", "preload directive appears twice"),
        ("max-age=1; bad name", "not a directive name"),
        ("max-age=1; x=a b", "not a token or quoted string"),
        ("max-age=١٢", "not a token"),  # Arabic-Indic digits: not ASCII, so not a token
        # RFC 6797 6.1 requirement 2: all directives MUST appear only once, and requirement 5
        # processes unknown ones only in a field that meets 1-4, so a repeated unknown
        # directive (names compare case-insensitively, requirement 3) voids the field too.
        ("max-age=1; ext=a; EXT=b", "ext directive appears twice"),
        ('max-age=1; ext="a;b', "not a token or quoted string"),  # the quote never closes
        ("max-age=1, max-age=2", "not a token or quoted string"),  # two fields folded into one
        ("max-age=1; includeSubDomains=yes", "includeSubDomains takes no value"),  # 6.1.2
        ('max-age="1 day"', "number of seconds"),  # 6.1.1: delta-seconds, quoted or not
    ],
)
def test_parse_rejects_malformed_headers(header, reason):
    with pytest.raises(Malformed, match=reason):
        parse(header)


def test_max_age_zero_fails(sprint):
    result = run_check(CHECK, sprint, f"hsts-off.{ZONE}")
    assert result.status is Status.FAIL
    assert result.summary == f"hsts-off.{ZONE}: max-age=0 tells browsers to forget HSTS"


def test_a_quoted_semicolon_is_part_of_the_value_not_a_separator(answering):
    """RFC 6797 6.1: directive-value = token / quoted-string, so `ext="a;b"` is one directive."""
    result = run_check(CHECK, answering('max-age=31536000; ext="a;b"'), HOST)
    assert result.status is Status.PASS, result.summary
    assert result.summary == f"{HOST}: HSTS max-age 365 days"


def test_a_good_first_header_counts_and_the_duplicate_is_a_warning(answering):
    """RFC 6797 8.1: a UA that receives more than one STS header field MUST process only the
    first; 7.1: an HSTS Host MUST include only one. The first decides, the duplicate warns."""
    result = run_check(CHECK, answering("max-age=31536000; includeSubDomains", "max-age=0"), HOST)
    assert result.status is Status.WARN, result.summary
    assert result.summary == (
        f"{HOST}: HSTS max-age 365 days, includeSubDomains; browsers read only the first of "
        "the 2 Strict-Transport-Security headers"
    )
    assert result.evidence["header"] == "max-age=31536000; includeSubDomains"
    assert result.evidence["ignored_headers"] == ["max-age=0"]
    assert result.evidence["max_age"] == 31536000  # what browsers apply: the first header
    assert "Remove the duplicate" in result.fix
    assert "`Strict-Transport-Security: max-age=31536000; includeSubDomains`" in result.fix


def test_a_good_header_after_a_bad_one_is_ignored_and_the_fix_says_keep_it_alone(answering):
    """RFC 6797 8.1: only the first header field is processed, so a passing second one does
    not help; the fix is to drop the first, not to ask for the max-age the second has."""
    result = run_check(CHECK, answering("max-age=0", "max-age=31536000"), HOST)
    assert result.status is Status.FAIL, result.summary
    assert result.summary == (
        f"{HOST}: max-age=0 tells browsers to forget HSTS; the later `max-age=31536000` is "
        "ignored: browsers read only the first of the 2 Strict-Transport-Security headers"
    )
    assert "Remove the duplicate" in result.fix
    assert "`Strict-Transport-Security: max-age=31536000`" in result.fix
    assert "comes after `max-age=0`" in result.fix


def test_a_malformed_first_header_is_not_rescued_by_a_later_one(answering):
    result = run_check(CHECK, answering('max-age="1', "max-age=63072000; includeSubDomains"), HOST)
    assert result.status is Status.FAIL
    assert result.summary.startswith(f"{HOST}: malformed Strict-Transport-Security header (")
    assert "the later `max-age=63072000; includeSubDomains` is ignored" in result.summary


def test_two_short_headers_warn_on_the_first_and_ask_for_one(answering):
    result = run_check(CHECK, answering("max-age=86400", "max-age=600"), HOST)
    assert result.status is Status.WARN
    assert result.summary == (
        f"{HOST}: HSTS max-age is 1 day, under 180 days; browsers read only the first of the "
        "2 Strict-Transport-Security headers"
    )
    assert "once (browsers read only the first of the 2 headers sent now)" in result.fix
