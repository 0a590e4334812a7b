"""check_host() on RFC 7208's own examples: Appendix A's DNS world served by the lab, and every
row of the macro expansion table of section 7.4."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator

import dns.name
import pytest
from spf_helpers import evaluate, spf_world

from launchtui.email import spf_macros
from launchtui.email.spf import SpfResult
from launchtui.email.spf_macros import MacroEnv
from launchtui.email.spf_terms import Mechanism, SpfSyntaxError, parse_term
from launchtui.lab import Lab, LabConfig, LabThread

pytest_plugins = ["lab_fixtures"]

# Appendix A's zone data (A.1 to A.4 share it).
RFC_RECORDS = [
    ("example.com", "A", "192.0.2.10"),
    ("example.com", "A", "192.0.2.11"),
    ("amy.example.com", "A", "192.0.2.65"),
    ("bob.example.com", "A", "192.0.2.66"),
    ("mail-a.example.com", "A", "192.0.2.129"),
    ("mail-b.example.com", "A", "192.0.2.130"),
    ("www.example.com", "CNAME", "example.com."),
    ("mail-c.example.org", "A", "192.0.2.140"),
    ("10.2.0.192.in-addr.arpa", "PTR", "example.com."),
    ("11.2.0.192.in-addr.arpa", "PTR", "example.com."),
    ("65.2.0.192.in-addr.arpa", "PTR", "amy.example.com."),
    ("66.2.0.192.in-addr.arpa", "PTR", "bob.example.com."),
    ("129.2.0.192.in-addr.arpa", "PTR", "mail-a.example.com."),
    ("130.2.0.192.in-addr.arpa", "PTR", "mail-b.example.com."),
    ("140.2.0.192.in-addr.arpa", "PTR", "mail-c.example.org."),
    # A rogue reverse domain that claims to be something it is not.
    ("4.0.0.10.in-addr.arpa", "PTR", "bob.example.com."),
]
RFC_MX = {
    "example.com": ["10 mail-a.example.com.", "20 mail-b.example.com."],
    "example.org": ["10 mail-c.example.org."],
}
RFC_EXTERNAL = ("example.org", "2.0.192.in-addr.arpa", "0.0.10.in-addr.arpa")


def rfc_world(
    txt: dict[str, list[str]], records: list[tuple[str, str, str]] | None = None
) -> LabConfig:
    extra = records or []
    return spf_world(
        "example.com", txt, records=[*RFC_RECORDS, *extra], mx=RFC_MX, external=RFC_EXTERNAL
    )


@pytest.fixture
def world(start_lab: Callable[[LabConfig], Lab]) -> Callable[[str], Lab]:
    """A lab where example.com publishes `record` over Appendix A's zone data."""
    return lambda record: start_lab(rfc_world({"example.com": [record]}))


# A.1: each record at example.com, then (client address, expected result) pairs.
A1 = [
    ("v=spf1 +all", [("192.0.2.10", "pass"), ("203.0.113.9", "pass")]),
    ("v=spf1 a -all", [("192.0.2.10", "pass"), ("192.0.2.11", "pass"), ("192.0.2.65", "fail")]),
    ("v=spf1 a:example.org -all", [("192.0.2.10", "fail"), ("192.0.2.140", "fail")]),
    ("v=spf1 mx -all", [("192.0.2.129", "pass"), ("192.0.2.130", "pass"), ("192.0.2.10", "fail")]),
    ("v=spf1 mx:example.org -all", [("192.0.2.140", "pass"), ("192.0.2.129", "fail")]),
    (
        "v=spf1 mx mx:example.org -all",
        [
            ("192.0.2.129", "pass"),
            ("192.0.2.130", "pass"),
            ("192.0.2.140", "pass"),
            ("192.0.2.10", "fail"),
        ],
    ),
    (
        "v=spf1 mx/30 mx:example.org/30 -all",
        [
            ("192.0.2.128", "pass"),
            ("192.0.2.131", "pass"),
            ("192.0.2.141", "pass"),
            ("192.0.2.143", "pass"),
            ("192.0.2.132", "fail"),
            ("192.0.2.144", "fail"),
        ],
    ),
    # amy.example.com validates; bob's forward address is not 10.0.0.4; mail-c is not in
    # example.com.
    ("v=spf1 ptr -all", [("192.0.2.65", "pass"), ("10.0.0.4", "fail"), ("192.0.2.140", "fail")]),
    ("v=spf1 ip4:192.0.2.128/28 -all", [("192.0.2.65", "fail"), ("192.0.2.129", "pass")]),
]


@pytest.mark.parametrize(("record", "cases"), A1, ids=[record for record, _ in A1])
def test_appendix_a1_simple_examples(
    world: Callable[[str], Lab], record: str, cases: list[tuple[str, str]]
) -> None:
    lab = world(record)
    for ip, expected in cases:
        outcome = evaluate(lab, ip, "user@example.com")
        assert (ip, str(outcome.result)) == (ip, expected), outcome.reason
        assert outcome.record == record


def test_appendix_a1_void_a_lookup_is_counted(world: Callable[[str], Lab]) -> None:
    outcome = evaluate(world("v=spf1 a:example.org -all"), "192.0.2.10", "user@example.com")
    assert (outcome.result, outcome.lookups, outcome.voids) == (SpfResult.FAIL, 1, 1)


def test_appendix_a2_multiple_domains_share_one_policy_by_redirect(
    start_lab: Callable[[LabConfig], Lab],
) -> None:
    redirect = "v=spf1 redirect=_spf.example.com"
    lab = start_lab(
        rfc_world(
            {
                "la.example.com": [redirect],
                "ny.example.com": [redirect],
                "sf.example.com": [redirect],
                "_spf.example.com": ["v=spf1 mx:example.com -all"],
            }
        )
    )
    for city in ("la", "ny", "sf"):
        outcome = evaluate(lab, "192.0.2.129", f"sales@{city}.example.com")
        assert outcome.result is SpfResult.PASS
        assert outcome.lookups == 2  # the redirect and the mx
        assert evaluate(lab, "192.0.2.65", f"sales@{city}.example.com").result is SpfResult.FAIL


@pytest.fixture(scope="module")
def dnsbl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A.3: mobile users by local part, remote users by local part and address."""
    config = rfc_world(
        {
            "example.com": [
                "v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all"
            ],
            "mobile-users._spf.example.com": ["v=spf1 exists:%{l1r+}.%{d}"],
            "remote-users._spf.example.com": ["v=spf1 exists:%{ir}.%{l1r+}.%{d}"],
        },
        records=[
            ("mary.mobile-users._spf.example.com", "A", "127.0.0.2"),
            ("fred.mobile-users._spf.example.com", "A", "127.0.0.2"),
            ("15.15.168.192.joel.remote-users._spf.example.com", "A", "127.0.0.2"),
            ("16.15.168.192.joel.remote-users._spf.example.com", "A", "127.0.0.2"),
        ],
    )
    with LabThread(config, tmp_path_factory.mktemp("dnsbl")) as lab:
        yield lab


@pytest.mark.parametrize(
    ("sender", "ip", "expected"),
    [
        ("mary@example.com", "198.51.100.7", "pass"),
        ("fred@example.com", "203.0.113.40", "pass"),
        ("fred+news@example.com", "203.0.113.40", "pass"),  # %{l1r+}: the part before "+"
        ("joel@example.com", "192.168.15.15", "pass"),
        ("joel@example.com", "192.168.15.16", "pass"),
        ("joel@example.com", "192.168.15.17", "fail"),
        ("bob@example.com", "198.51.100.7", "fail"),
        ("bob@example.com", "192.0.2.129", "pass"),  # the mx
    ],
)
def test_appendix_a3_dnsbl_style(dnsbl: Lab, sender: str, ip: str, expected: str) -> None:
    outcome = evaluate(dnsbl, ip, sender)
    assert str(outcome.result) == expected, outcome.reason
    assert outcome.voids <= 2


def test_appendix_a3_the_exists_names_are_the_expanded_macros(dnsbl: Lab) -> None:
    outcome = evaluate(dnsbl, "192.168.15.15", "joel@example.com")
    exists = [step for step in outcome.trace if step.term.startswith("exists:")]
    assert exists[-1].outcome == ("15.15.168.192.joel.remote-users._spf.example.com A: match: pass")


A4 = {
    "example.com": [
        "v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all",
    ],
    "ip4._spf.example.com": ["v=spf1 -ip4:192.0.2.0/24 +all"],
    "ptr._spf.example.com": ["v=spf1 -ptr +all"],
}


def test_appendix_a4_multiple_requirements(start_lab: Callable[[LabConfig], Lab]) -> None:
    lab = start_lab(rfc_world(A4))
    # Outside 192.0.2.0/24: ip4._spf passes, so the "-include" matches: fail.
    outside = evaluate(lab, "198.51.100.7", "user@example.com")
    assert outside.result is SpfResult.FAIL
    assert outside.reason == "example.com: -include:ip4._spf.%{d} matched"
    # Inside the range the PTR requirement decides. As published, "-ptr" has no domain, so
    # its target is the current domain ptr._spf.example.com (5.5), which no client's name
    # is under: the literal record therefore fails every address.
    inside = evaluate(lab, "192.0.2.65", "user@example.com")
    assert inside.result is SpfResult.FAIL
    assert inside.reason == "example.com: -include:ptr._spf.%{d} matched"


def test_appendix_a4_with_the_ptr_requirement_naming_the_domain(
    start_lab: Callable[[LabConfig], Lab],
) -> None:
    lab = start_lab(rfc_world({**A4, "ptr._spf.example.com": ["v=spf1 -ptr:%{o} +all"]}))
    assert evaluate(lab, "192.0.2.65", "user@example.com").result is SpfResult.PASS
    # In range, but 10.0.0.4-style rogue PTRs never validate; .140 is mail-c.example.org.
    assert evaluate(lab, "192.0.2.140", "user@example.com").result is SpfResult.FAIL
    assert evaluate(lab, "198.51.100.7", "user@example.com").result is SpfResult.FAIL


# Section 7.4: strong-bad@email.example.com from 192.0.2.3 (and 2001:db8::cb01).
MACRO_TABLE = [
    ("%{s}", "strong-bad@email.example.com"),
    ("%{o}", "email.example.com"),
    ("%{d}", "email.example.com"),
    ("%{d4}", "email.example.com"),
    ("%{d3}", "email.example.com"),
    ("%{d2}", "example.com"),
    ("%{d1}", "com"),
    ("%{dr}", "com.example.email"),
    ("%{d2r}", "example.email"),
    ("%{l}", "strong-bad"),
    ("%{l-}", "strong.bad"),
    ("%{lr}", "strong-bad"),
    ("%{lr-}", "bad.strong"),
    ("%{l1r-}", "strong"),
    ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
    ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
    ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
    ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
    ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
]
IPV6_ROW = (
    "%{ir}.%{v}._spf.%{d2}",
    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
)
SENDER = "strong-bad@email.example.com"


def env(ip: str) -> MacroEnv:
    return MacroEnv(SENDER, "email.example.com", ipaddress.ip_address(ip))


@pytest.mark.parametrize(("macro", "expected"), MACRO_TABLE)
def test_section_7_4_macro_table(macro: str, expected: str) -> None:
    assert spf_macros.expand(spf_macros.parse(macro), env("192.0.2.3")) == expected


def test_section_7_4_ipv6_row() -> None:
    # The same DNS name whatever the case of its letters (RFC 4343); 7.3 does not say which
    # case the nibbles take, and they are upper case (see test_spf_rfc7208_suite's v-macro-ip6).
    macro, expected = IPV6_ROW
    expanded = spf_macros.expand(spf_macros.parse(macro), env("2001:db8::cb01"))
    assert dns.name.from_text(expanded) == dns.name.from_text(expected)


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("%{S}", "strong-bad%40email.example.com"),  # upper case: URL-escaped (7.3)
        ("%{L}", "strong-bad"),
        ("%%%_%-", "% %20"),
        ("%{o2}", "example.com"),
        ("%{d127}", "email.example.com"),  # more parts asked than there are
        ("%{l=}", "strong-bad"),
        ("%{s.}", "strong-bad@email.example.com"),
    ],
)
def test_escapes_and_transformers(macro: str, expected: str) -> None:
    assert spf_macros.expand(spf_macros.parse(macro), env("192.0.2.3")) == expected


@pytest.mark.parametrize("spec", ["%{l}.%-", "%%", "example.%_", "%{d}.%%"])
def test_section_7_1_a_domain_spec_may_end_in_an_escape(spec: str) -> None:
    # 7.1: domain-end = ( "." toplabel [ "." ] ) / macro-expand, and macro-expand includes
    # "%%" / "%_" / "%-".
    mechanism = parse_term(f"a:{spec}")
    assert isinstance(mechanism, Mechanism) and mechanism.domain is not None
    assert spf_macros.expand(mechanism.domain, env("192.0.2.3")).endswith(("%", " ", "%20"))


def test_section_7_1_a_top_label_after_an_escape_needs_its_dot() -> None:
    with pytest.raises(SpfSyntaxError, match="is not a domain name with a top-level label"):
        parse_term("a:example.%-com")


@pytest.fixture(scope="module")
def macro_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """email.example.com authorizes through exists: on the table's composite rows, and its
    exp= text holds every other row, so the lab's DNS carries each expansion."""
    exp_text = " ".join(macro for macro, _ in MACRO_TABLE)
    v4 = MACRO_TABLE[14][1]
    config = spf_world(
        "example.com",
        {
            "email.example.com": [
                "v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all exp=explain._spf.%{d2}"
            ],
            "explain._spf.example.com": [exp_text],
        },
        records=[(v4, "A", "127.0.0.2"), (IPV6_ROW[1], "A", "127.0.0.2")],
    )
    with LabThread(config, tmp_path_factory.mktemp("macros")) as lab:
        yield lab


@pytest.mark.parametrize("ip", ["192.0.2.3", "2001:db8::cb01"])
def test_section_7_4_names_are_queried_in_the_lab(macro_lab: Lab, ip: str) -> None:
    outcome = evaluate(macro_lab, ip, SENDER)
    assert outcome.result is SpfResult.PASS
    assert outcome.reason == "email.example.com: exists:%{ir}.%{v}._spf.%{d2} matched"


def test_section_7_4_rows_expanded_from_a_txt_record(macro_lab: Lab) -> None:
    outcome = evaluate(macro_lab, "192.0.2.4", SENDER)
    assert outcome.result is SpfResult.FAIL
    expected = [value for _, value in MACRO_TABLE]
    expected[14] = "4.2.0.192.in-addr._spf.example.com"
    expected[16] = "bad.strong.lp.4.2.0.192.in-addr._spf.example.com"
    expected[17] = "4.2.0.192.in-addr.strong.lp._spf.example.com"
    assert outcome.explanation.split(" ") == expected
