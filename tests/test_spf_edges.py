"""check_host() edge cases derived from RFC 7208's text, against the lab's DNS server: limits,
errors, hostile records, explanations, identities."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from lab_fixtures import HOSTILE_TEXT
from spf_helpers import evaluate, spf_world

from launchtui.email.spf import SpfResult, identity
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread

pytest_plugins = ["lab_fixtures"]

Z = "spf.test"
CHAIN = 20
BIG = "v=spf1 " + " ".join(f"ip4:10.{n // 256}.{n % 256}.0/24" for n in range(240))
BIG += " ip4:192.0.2.77 -all"  # about 4.5 KB: many TXT strings, only over TCP

TXT: dict[str, list[str]] = {
    f"loop.{Z}": [f"v=spf1 include:loop.{Z} -all"],
    f"ping.{Z}": [f"v=spf1 ip4:192.0.2.1 include:pong.{Z} -all"],
    f"pong.{Z}": [f"v=spf1 include:ping.{Z} -all"],
    **{f"c{n}.{Z}": [f"v=spf1 include:c{n + 1}.{Z} -all"] for n in range(1, CHAIN)},
    f"c{CHAIN}.{Z}": ["v=spf1 +all"],
    f"voids2.{Z}": [f"v=spf1 a:n1.{Z} mx:n2.{Z} -all"],
    f"voids3.{Z}": [f"v=spf1 a:n1.{Z} exists:n2.{Z} a:n3.{Z} +all"],
    f"redirect-none.{Z}": [f"v=spf1 redirect=nothing.{Z}"],
    f"include-none.{Z}": [f"v=spf1 include:nothing.{Z} -all"],
    f"include-notspf.{Z}": [f"v=spf1 include:notspf.{Z} -all"],
    f"notspf.{Z}": ["google-site-verification=abc", "v=spf10 +all"],
    f"plus.{Z}": ["v=spf1 +all"],
    f"query.{Z}": ["v=spf1 ?all"],
    f"soft.{Z}": ["v=spf1 ip4:192.0.2.1 ~all"],
    f"noall.{Z}": ["v=spf1 ip4:192.0.2.1"],
    f"upper.{Z}": ["V=SPF1 IP4:192.0.2.1 -ALL"],
    f"v6.{Z}": [f"v=spf1 a:host6.{Z}/24//64 ip6:2001:db8:99::/48 -all"],
    f"servfail.{Z}": [f"v=spf1 ip4:192.0.2.1 include:broken.{Z} -all"],
    f"timeout.{Z}": [f"v=spf1 ip4:192.0.2.1 a:gone.{Z} -all"],
    f"two.{Z}": ["v=spf1 -all", "v=spf1 +all"],
    f"big.{Z}": [BIG],
    f"hostile.{Z}": [f"v=spf1 ip4:192.0.2.1 {HOSTILE_TEXT} -all"],
    f"unknown-mod.{Z}": ["v=spf1 moo=%{d}.cow -all foo.bar=baz"],
    f"bad-mod.{Z}": ["v=spf1 moo=%{z} -all"],
    f"two-redirects.{Z}": [f"v=spf1 redirect=plus.{Z} redirect=soft.{Z}"],
    f"two-exps.{Z}": [f"v=spf1 -all exp=e1.{Z} exp=e2.{Z}"],
    f"bad-ip.{Z}": ["v=spf1 ip4:192.0.2.300 -all"],
    f"bad-domain.{Z}": ["v=spf1 a:-bad-.%{d}. -all"],
    f"long-label.{Z}": ["v=spf1 exists:%{l}.%{d} -all"],
    f"escapes.{Z}": ["v=spf1 a:macro%%percent%_%_space%-url.%{d} -all"],
    f"helo.{Z}": ["v=spf1 a:%{h} -all"],
    f"redirect-helo.{Z}": ["v=spf1 redirect=%{h}"],
    f"macro-c.{Z}": ["v=spf1 exists:%{c}.x.test -all"],
    f"explained.{Z}": [f"v=spf1 ip4:192.0.2.1 -all exp=why.{Z}"],
    f"why.{Z}": ["%{i} is not one of %{d}'s designated mail servers (client %{c}, via %{r})."],
    f"unexplained.{Z}": [f"v=spf1 -all exp=missing.{Z}"],
    f"two-texts.{Z}": [f"v=spf1 -all exp=texts.{Z}"],
    f"texts.{Z}": ["one", "two"],
    f"bad-exp.{Z}": [f"v=spf1 -all exp=badtext.{Z}"],
    f"badtext.{Z}": ["broken %{z} macro"],
    f"redirected.{Z}": [f"v=spf1 redirect=explained.{Z} exp=never.{Z}"],
    f"never.{Z}": ["the redirecting domain's exp= is not used"],
    f"all-wins.{Z}": [f"v=spf1 -all redirect=plus.{Z}"],
    f"many-mx.{Z}": ["v=spf1 mx -all"],
    f"ptr.{Z}": ["v=spf1 ptr -all"],
    f"ptr-parent.{Z}": ["v=spf1 ptr:%{d2} -all"],
    f"validated.{Z}": [f"v=spf1 exists:%{{p}}.ok.{Z} -all"],
    f"mta.{Z}": ["v=spf1 ip4:192.0.2.9 -all"],
}
RECORDS = [
    (f"host6.{Z}", "A", "192.0.2.1"),
    (f"host6.{Z}", "AAAA", "2001:db8:1::1"),
    *((f"m{n}.{Z}", "A", f"192.0.2.{100 + n}") for n in range(11)),
    (f"relay.{Z}", "A", "192.0.2.5"),
    ("5.2.0.192.in-addr.arpa", "PTR", f"relay.{Z}."),
    ("6.2.0.192.in-addr.arpa", "PTR", f"liar.{Z}."),  # no address: never validated
    (f"relay.{Z}.ok.{Z}", "A", "127.0.0.2"),
    (f"macro%percent  space%20url.escapes.{Z}", "A", "192.0.2.7"),
]


def edge_config() -> LabConfig:
    return spf_world(
        Z,
        TXT,
        records=RECORDS,
        mx={f"many-mx.{Z}": [f"{n} m{n}.{Z}." for n in range(11)]},
        external=("2.0.192.in-addr.arpa",),
        hosts=[HostSpec(f"broken.{Z}", dns="servfail"), HostSpec(f"gone.{Z}", dns="drop")],
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(edge_config(), tmp_path_factory.mktemp("spf")) as started:
        yield started


def test_include_loop_is_a_permerror_at_the_eleventh_lookup(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@loop.{Z}")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.lookups == 11
    assert outcome.reason.startswith("more than 10 DNS lookups")
    mutual = evaluate(lab, "192.0.2.200", f"user@ping.{Z}")
    assert mutual.result is SpfResult.PERMERROR
    # The address authorized before the loop still passes: evaluation stops at the match.
    assert evaluate(lab, "192.0.2.1", f"user@ping.{Z}").result is SpfResult.PASS


def test_twenty_deep_include_chain_stops_at_the_eleventh_lookup(lab: Lab) -> None:
    began = time.monotonic()
    outcome = evaluate(lab, "192.0.2.200", f"user@c1.{Z}")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.lookups == 11
    assert outcome.reason == (
        f"more than 10 DNS lookups (RFC 7208 4.6.4), the 11th at c11.{Z}: include:c12.{Z}"
    )
    assert max(step.depth for step in outcome.trace) == 10
    assert time.monotonic() - began < 30  # no hang
    # Ten deep is within the limit: c11 starts a chain of 10 includes ending in +all.
    assert evaluate(lab, "192.0.2.200", f"user@c11.{Z}").result is SpfResult.PASS


def test_two_void_lookups_are_allowed_the_third_is_a_permerror(lab: Lab) -> None:
    two = evaluate(lab, "192.0.2.200", f"user@voids2.{Z}")
    assert (two.result, two.voids) == (SpfResult.FAIL, 2)
    three = evaluate(lab, "192.0.2.200", f"user@voids3.{Z}")
    assert (three.result, three.voids) == (SpfResult.PERMERROR, 3)
    assert three.reason.startswith("more than 2 void DNS lookups")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("redirect-none", f"redirect=nothing.{Z}: nothing.{Z} has no SPF record"),
        ("include-none", f"include:nothing.{Z}: nothing.{Z} has no SPF record"),
        ("include-notspf", f"include:notspf.{Z}: notspf.{Z} has no SPF record"),
    ],
)
def test_include_or_redirect_to_a_domain_without_spf_is_a_permerror(
    lab: Lab, name: str, reason: str
) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@{name}.{Z}")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.reason == f"{name}.{Z}: {reason}"


@pytest.mark.parametrize(
    ("name", "ip", "expected"),
    [
        ("plus", "203.0.113.1", "pass"),
        ("query", "203.0.113.1", "neutral"),
        ("soft", "203.0.113.1", "softfail"),
        ("soft", "192.0.2.1", "pass"),
        ("noall", "203.0.113.1", "neutral"),  # nothing matched: the default (4.7)
        ("upper", "192.0.2.1", "pass"),  # names and "v=spf1" in any case
        ("upper", "192.0.2.2", "fail"),
        ("nothing", "192.0.2.1", "none"),  # NXDOMAIN
        ("notspf", "192.0.2.1", "none"),  # TXT records, none of them SPF ("v=spf10" is not)
        ("all-wins", "192.0.2.1", "fail"),  # redirect= is ignored when all is present
    ],
)
def test_qualifiers_and_defaults(lab: Lab, name: str, ip: str, expected: str) -> None:
    assert str(evaluate(lab, ip, f"user@{name}.{Z}").result) == expected


def test_an_ipv4_mapped_ipv6_client_is_its_ipv4_address(lab: Lab) -> None:
    outcome = evaluate(lab, "::ffff:192.0.2.1", f"user@soft.{Z}")
    assert (outcome.result, outcome.ip) == (SpfResult.PASS, "192.0.2.1")


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("192.0.2.200", "pass"),  # a:.../24 covers the whole /24 of 192.0.2.1
        ("192.0.3.1", "fail"),
        ("2001:db8:1::ffff", "pass"),  # //64 around 2001:db8:1::1
        ("2001:db8:1:1::1", "fail"),
        ("2001:db8:99:abcd::1", "pass"),  # ip6:2001:db8:99::/48
    ],
)
def test_ip6_and_dual_cidr_lengths(lab: Lab, ip: str, expected: str) -> None:
    assert str(evaluate(lab, ip, f"user@v6.{Z}").result) == expected


def test_servfail_is_a_temperror(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@servfail.{Z}")
    assert outcome.result is SpfResult.TEMPERROR
    assert "SERVFAIL" in outcome.reason
    # At the sender's own domain too.
    assert evaluate(lab, "192.0.2.200", f"user@broken.{Z}").result is SpfResult.TEMPERROR
    # An earlier match never reaches the failing lookup.
    assert evaluate(lab, "192.0.2.1", f"user@servfail.{Z}").result is SpfResult.PASS


def test_a_dropped_query_is_a_temperror(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@timeout.{Z}", timeout=0.5)
    assert outcome.result is SpfResult.TEMPERROR
    assert "timed out" in outcome.reason


def test_slow_dns_over_the_evaluation_budget_is_a_temperror(
    start_lab: Callable[[LabConfig], Lab],
) -> None:
    slow = start_lab(spf_world(Z, {f"soft.{Z}": ["v=spf1 ip4:192.0.2.1 ~all"]}, dns_delay=1.0))
    late = evaluate(slow, "192.0.2.1", f"user@soft.{Z}", timeout=0.3)
    assert late.result is SpfResult.TEMPERROR
    over = evaluate(slow, "192.0.2.1", f"user@soft.{Z}", timeout=5.0, budget=0.3)
    assert (over.result, over.reason) == (
        SpfResult.TEMPERROR,
        "the evaluation took longer than 0.3 s",
    )


def test_two_spf_records_are_a_permerror(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.1", f"user@two.{Z}")
    assert (outcome.result, outcome.reason) == (
        SpfResult.PERMERROR,
        f"two.{Z} publishes 2 SPF records",
    )


def test_a_4kb_record_split_over_many_strings_is_joined(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.77", f"user@big.{Z}")
    assert outcome.result is SpfResult.PASS
    assert outcome.record == BIG and len(BIG) > 4000
    assert evaluate(lab, "192.0.2.78", f"user@big.{Z}").result is SpfResult.FAIL


def test_control_characters_and_markup_are_a_permerror_reported_literally(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@hostile.{Z}")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.reason == (
        f'hostile.{Z}: syntax error in "[bold": not a mechanism or a modifier'
    )
    assert outcome.record == f"v=spf1 ip4:192.0.2.1 {HOSTILE_TEXT} -all"  # kept as data
    # A syntax error anywhere stops evaluation before any term (4.6): even the match.
    assert evaluate(lab, "192.0.2.1", f"user@hostile.{Z}").result is SpfResult.PERMERROR


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad-mod", "syntax error in \"moo=%{z}\": unknown macro letter 'z'"),
        ("two-redirects", f'syntax error in "redirect=soft.{Z}": the redirect= modifier appears'),
        ("two-exps", f'syntax error in "exp=e2.{Z}": the exp= modifier appears more than once'),
        ("bad-ip", "syntax error in \"ip4:192.0.2.300\": '192.0.2.300' is not an IPv4 address"),
        ("macro-c", "syntax error in \"exists:%{c}.x.test\": macro letter 'c' is only allowed in"),
    ],
)
def test_syntax_errors_are_permerrors_naming_the_term(lab: Lab, name: str, reason: str) -> None:
    outcome = evaluate(lab, "192.0.2.1", f"user@{name}.{Z}")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.reason.startswith(f"{name}.{Z}: {reason}")


def test_a_target_name_that_is_no_valid_domain_name_does_not_match(lab: Lab) -> None:
    # RFC 7208 4.8: "The result of evaluating check_host() with a syntactically invalid domain
    # is undefined." As 4.3 and 5 do for a malformed or missing name, launchtui takes it for
    # a name without records: the term does not match and the evaluation goes on.
    local = "x" * 70
    outcome = evaluate(lab, "192.0.2.1", f"{local}@long-label.{Z}")
    assert outcome.result is SpfResult.FAIL  # -all, after exists: did not match
    assert outcome.trace[1].outcome == (
        f"no match: '{local}.long-label.{Z}' has a label longer than 63 characters"
    )
    assert (outcome.lookups, outcome.voids) == (1, 0)  # the term counts; no query was sent


@pytest.mark.parametrize("local", ["a\\1x", "a\x1bb", "a b", "[bold]x[/]"])
def test_a_hostile_local_part_expanded_into_a_name_never_matches_nor_crashes(
    lab: Lab, local: str
) -> None:
    outcome = evaluate(lab, "192.0.2.1", f"{local}@long-label.{Z}")
    assert outcome.result is SpfResult.FAIL
    queried = " " in local or "[" in local  # a space or brackets can be in a DNS name
    assert outcome.trace[1].outcome.endswith("no match (no A record)") is queried


def test_escapes_in_a_domain_spec_expand_and_are_looked_up(lab: Lab) -> None:
    # RFC 7208 7.1: macro-expand = ... / "%%" / "%_" / "%-", and "A literal "%" is expressed
    # by "%%"", "%_" expands to a single " " space", "%-" expands to a URL-encoded space,
    # viz., "%20"". The name that makes, spaces and all, is a DNS name like any other (4.8).
    outcome = evaluate(lab, "192.0.2.7", f"user@escapes.{Z}")
    assert outcome.result is SpfResult.PASS
    assert outcome.trace[1].outcome == "192.0.2.7: match: pass"
    assert evaluate(lab, "192.0.2.8", f"user@escapes.{Z}").result is SpfResult.FAIL


@pytest.mark.parametrize("helo", ["JUMPIN' JUPITER", "OEMCOMPUTER", "[192.0.2.5]"])
def test_an_invalid_helo_in_h_makes_the_term_not_match_and_evaluation_goes_on(
    lab: Lab, helo: str
) -> None:
    # RFC 7208 7.3: "h = HELO/EHLO domain", the name as the client gave it; a domain-spec is
    # checked before expansion (7.1: it may end in a macro), so an invalid HELO is no syntax
    # error, only a target-name no DNS name can match (4.8).
    outcome = evaluate(lab, "192.0.2.5", f"user@helo.{Z}", helo=helo)
    assert outcome.result is SpfResult.FAIL
    assert outcome.trace[-1].term == "-all"
    assert evaluate(lab, "192.0.2.5", f"user@helo.{Z}", helo=f"relay.{Z}").result == "pass"


def test_redirect_to_a_malformed_target_name_is_a_permerror(lab: Lab) -> None:
    # RFC 7208 6.1: "If no SPF record is found, or if the <target-name> is malformed, the
    # result is a "permerror" rather than "none"."
    outcome = evaluate(lab, "192.0.2.5", f"user@redirect-helo.{Z}", helo="OEMCOMPUTER")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.trace[-1].outcome == (
        "no SPF record: the domain is not a multi-label domain name"
    )


def test_unknown_modifiers_are_ignored(lab: Lab) -> None:
    assert evaluate(lab, "192.0.2.1", f"user@unknown-mod.{Z}").result is SpfResult.FAIL


def test_exp_explains_a_fail_with_its_macros(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@explained.{Z}", receiver="mx.example.net")
    assert outcome.result is SpfResult.FAIL
    assert outcome.explanation == (
        f"192.0.2.200 is not one of explained.{Z}'s designated mail servers "
        "(client 192.0.2.200, via mx.example.net)."
    )
    passed = evaluate(lab, "192.0.2.1", f"user@explained.{Z}")
    assert passed.explanation == ""
    assert not any(step.term.startswith("exp=") for step in passed.trace)  # only on fail


@pytest.mark.parametrize("name", ["unexplained", "two-texts", "bad-exp"])
def test_exp_errors_are_ignored(lab: Lab, name: str) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@{name}.{Z}")
    assert (outcome.result, outcome.explanation) == (SpfResult.FAIL, "")
    assert outcome.trace[-1].outcome.startswith("ignored: ")


def test_redirect_uses_the_target_domains_exp(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.200", f"user@redirected.{Z}")
    assert outcome.result is SpfResult.FAIL
    assert outcome.explanation.startswith(f"192.0.2.200 is not one of explained.{Z}'s")


def test_more_than_ten_mx_hosts_is_a_permerror(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.100", f"user@many-mx.{Z}")
    assert outcome.result is SpfResult.PERMERROR
    assert outcome.reason == f"many-mx.{Z}: mx: many-mx.{Z} has 11 MX hosts, more than 10"


def test_ptr_matches_only_validated_names_under_the_target(lab: Lab) -> None:
    passed = evaluate(lab, "192.0.2.5", f"user@ptr-parent.{Z}")  # relay.spf.test, validated
    assert passed.result is SpfResult.PASS
    assert passed.trace[-1].outcome == f"validated names: relay.{Z}: match: pass"
    # The bare ptr targets the current domain, ptr.spf.test: relay.spf.test is not under it.
    assert evaluate(lab, "192.0.2.5", f"user@ptr.{Z}").result is SpfResult.FAIL
    # liar.spf.test has no address, so it never validates.
    liar = evaluate(lab, "192.0.2.6", f"user@ptr-parent.{Z}")
    assert liar.result is SpfResult.FAIL
    assert liar.trace[-2].outcome == "validated names: none: no match"


def test_p_macro_expands_to_the_validated_name(lab: Lab) -> None:
    assert evaluate(lab, "192.0.2.5", f"user@validated.{Z}").result is SpfResult.PASS
    # No validated name: %{p} is "unknown", so unknown.ok.spf.test does not exist.
    assert evaluate(lab, "192.0.2.6", f"user@validated.{Z}").result is SpfResult.FAIL


def test_empty_mail_from_checks_the_helo_identity(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.9", "", helo=f"mta.{Z}")
    assert (outcome.result, outcome.sender, outcome.domain) == (
        SpfResult.PASS,
        f"postmaster@mta.{Z}",
        f"mta.{Z}",
    )
    assert evaluate(lab, "192.0.2.10", "<>", helo=f"mta.{Z}").result is SpfResult.FAIL


def test_identities() -> None:
    assert identity("", "mta.example.com") == "postmaster@mta.example.com"
    assert identity("<>", "mta.example.com") == "postmaster@mta.example.com"
    assert identity("example.com", "") == "postmaster@example.com"
    assert identity("@example.com", "") == "postmaster@example.com"
    assert identity("a@b@example.com", "") == "a@b@example.com"


@pytest.mark.parametrize(
    ("domain", "problem"),
    [
        ("localhost", "is not a multi-label domain name"),
        ("", "is not a multi-label domain name"),
        ("a..b", "has a zero-length label"),
        ("x" * 64 + ".test", "has a label longer than 63 characters"),
        ("[192.0.2.1]", "is an address literal, not a domain name"),
    ],
)
def test_a_malformed_sender_domain_is_none_without_a_lookup(
    lab: Lab, domain: str, problem: str
) -> None:
    # RFC 7208 4.3: "If the <domain> is malformed (e.g., label longer than 63 characters,
    # zero-length label not at the end, etc.) or is not a multi-label domain name, [...]
    # check_host() immediately returns the result "none"."
    outcome = evaluate(lab, "192.0.2.1", f"user@{domain}")
    assert (outcome.result, outcome.reason) == (
        SpfResult.NONE,
        f"{domain!r} {problem} (RFC 7208 4.3)",
    )
    assert [step.outcome for step in outcome.trace] == [f"no SPF record: the domain {problem}"]


def test_a_refused_query_is_a_temperror(lab: Lab) -> None:
    outcome = evaluate(lab, "192.0.2.1", "user@elsewhere.example")
    assert outcome.result is SpfResult.TEMPERROR
    assert "REFUSED" in outcome.reason
