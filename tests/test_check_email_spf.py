"""email.spf against the lab: pass, warn, fail and error for the right reasons, the include
tree as evidence, and a fix that merges the corrected record."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import HOSTILE_TEXT
from spf_helpers import spf_world

from launchtui.lab import HostSpec, Lab, LabThread, demo_config
from launchtui.lab.demo_spf import DEMO_SPF, INCLUDES, ZONES
from launchtui.model.results import Result, Severity, Status
from launchtui.model.sprint import EmailConfig, Sprint

CHECK = "email.spf"
Z = "spf.test"
GOOD = "v=spf1 ip4:192.0.2.1 include:_spf.google.com include:spf.mtasv.net -all"

ISSUE19_EMPTY_LABEL = (
    "v=spf1 ip4:192.0.2.0/24 include:_spf.xe:_spf..test a mx:mail.x.test exists:.xdir -all"
)
ISSUE19_MANGLED = (
    "v=spf1 ip4:192.0.2.0/ 24 incx.test a mlude:_spf.x.test a mil.x.test exists:%{i}. -all"
)
TXT = {
    **{owner: [record] for owner, record in INCLUDES.items()},
    f"good.{Z}": [GOOD],
    f"soft.{Z}": ["v=spf1 include:_spf.google.com ~all"],
    f"via-redirect.{Z}": [f"v=spf1 redirect=good.{Z}"],
    f"query.{Z}": ["v=spf1 include:_spf.google.com ?all"],
    f"noall.{Z}": ["v=spf1 include:_spf.google.com"],
    f"plus.{Z}": ["v=spf1 include:_spf.google.com +all"],
    f"over.{Z}": [DEMO_SPF],
    f"two.{Z}": ["v=spf1 include:_spf.google.com -all", "v=spf1 ip4:192.0.2.7 ~all"],
    f"syntax.{Z}": ["v=spf1 include:_spf.google.com ip4:192.0.2.999 -all"],
    f"hostile.{Z}": [f"v=spf1 include:_spf.google.com {HOSTILE_TEXT} -all"],
    f"loop.{Z}": [f"v=spf1 include:_spf.google.com include:loop.{Z} -all"],
    **{f"c{n}.{Z}": [f"v=spf1 include:c{n + 1}.{Z} -all"] for n in range(1, 20)},
    f"c20.{Z}": ["v=spf1 -all"],
    f"voids.{Z}": [f"v=spf1 a:n1.{Z} mx:n2.{Z} a:n3.{Z} include:_spf.google.com -all"],
    f"dangling.{Z}": [f"v=spf1 include:_spf.google.com include:gone.{Z} -all"],
    f"ptr.{Z}": ["v=spf1 ptr include:_spf.google.com -all"],
    f"servfail.{Z}": [f"v=spf1 include:_spf.google.com include:broken.{Z} -all"],
    f"notxt.{Z}": ["just some verification token"],
    f"huge.{Z}": ["v=spf1 " + " ".join(f"a:h{n}.{Z}" for n in range(150)) + " -all"],
    f"twice.{Z}": ["v=spf1 include:_spf.google.com include:_spf.google.com -all"],
    f"macro.{Z}": [f"v=spf1 include:_spf.google.com include:%{{l}}._spf.{Z} -all"],
    # issue 19: mutated records that crashed the check (EmptyLabel, LabelTooLong)
    f"empty-label.{Z}": [ISSUE19_EMPTY_LABEL],
    f"mangled.{Z}": [ISSUE19_MANGLED],
    f"long-label.{Z}": [f"v=spf1 include:{'x' * 64}.{Z} include:_spf.google.com -all"],
    f"macro-label.{Z}": [f"v=spf1 include:%{{l}}{'x' * 63}.{Z} include:_spf.google.com -all"],
    f"too-long.{Z}": [f"v=spf1 include:{'abcdefghi.' * 26}{Z} include:_spf.google.com -all"],
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    config = spf_world(
        Z,
        TXT,
        external=ZONES,
        hosts=[HostSpec(f"broken.{Z}", dns="servfail"), HostSpec(f"drop.{Z}", dns="drop")],
    )
    with LabThread(config, tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture(scope="module")
def base(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("sprint"))


def check(base: Sprint, name: str, senders: tuple[str, ...] = ("google-workspace",)) -> Result:
    domain = f"{name}.{Z}"
    sprint = dataclasses.replace(base, email=EmailConfig(domain=domain, senders=senders))
    return run_check(CHECK, sprint, domain)


def test_a_record_within_limits_authorizing_every_sender_passes(base: Sprint) -> None:
    result = check(base, "good", ("google-workspace", "postmark"))
    assert result.status is Status.PASS
    assert result.severity is Severity.BLOCKER
    assert result.summary == (
        f"good.{Z}: one valid SPF record, 5 of 10 DNS lookups, ends in -all, authorizes "
        "google-workspace, postmark"
    )
    evidence = result.evidence
    assert (evidence["record"], evidence["lookups"], evidence["voids"]) == (GOOD, 5, 0)
    assert evidence["senders"] == {"google-workspace": True, "postmark": True}
    google = evidence["tree"]["children"][0]
    assert (google["domain"], google["lookups"], google["branch_lookups"]) == (
        "_spf.google.com",
        3,
        4,
    )
    assert [c["domain"] for c in google["children"]] == [
        "_netblocks.google.com",
        "_netblocks2.google.com",
        "_netblocks3.google.com",
    ]
    assert result.fix == ""


@pytest.mark.parametrize("name", ["soft", "via-redirect"])
def test_softfail_and_an_all_reached_through_redirect_pass(base: Sprint, name: str) -> None:
    result = check(base, name)
    assert result.status is Status.PASS, result.summary


@pytest.mark.parametrize(
    ("name", "finding", "closing"),
    [
        ("query", "ends in ?all (neutral): servers it does not list are not refused", "~all"),
        ("noall", "has no all term: servers it does not list get neutral", "~all"),
        ("ptr", "ptr is slow and RFC 7208 5.5 says not to use it", "-all"),
    ],
)
def test_neutral_endings_and_ptr_warn(base: Sprint, name: str, finding: str, closing: str) -> None:
    result = check(base, name)
    assert result.status is Status.WARN
    assert finding in result.summary
    assert f'{name}.{Z}. TXT "v=spf1 include:_spf.google.com {closing}"' in result.fix


def test_a_term_built_from_macros_is_noted_as_not_followed(base: Sprint) -> None:
    """RFC 7208 7: %{l} expands to each message's sender, so without one the tree cannot be
    walked past it; the lookup it costs is counted, the branch is said not followed."""
    result = check(base, "macro")
    assert result.status is Status.WARN, result.summary
    assert f"include:%{{l}}._spf.{Z}: uses macros, so it cannot be followed here" in (
        result.summary
    )
    # Google's include and its three netblocks, then the macro include: counted, not walked.
    assert result.evidence["lookups"] == 5
    children = result.evidence["tree"]["children"]
    assert [child["via"] for child in children] == ["include:_spf.google.com"]


def test_a_sender_authorized_twice_warns_and_the_fix_keeps_one(base: Sprint) -> None:
    result = check(base, "twice")
    assert result.status is Status.WARN
    assert result.summary == (
        f"twice.{Z}: Google Workspace (google-workspace) is authorized 2 times "
        "(include:_spf.google.com): each costs lookups again"
    )
    assert result.evidence["lookups"] == 8
    assert f'twice.{Z}. TXT "v=spf1 include:_spf.google.com -all"' in result.fix
    assert "It needs 4 DNS lookups; the limit is 10 (RFC 7208 4.6.4)." in result.fix


def test_plus_all_fails(base: Sprint) -> None:
    result = check(base, "plus")
    assert result.status is Status.FAIL
    assert "ends in +all: any server on the internet may send" in result.summary
    assert f'plus.{Z}. TXT "v=spf1 include:_spf.google.com ~all"' in result.fix


def test_the_demo_record_over_the_limit_and_missing_a_sender_fails_with_a_merged_fix(
    base: Sprint,
) -> None:
    result = check(base, "over", ("google-workspace", "postmark", "sendgrid"))
    assert result.status is Status.FAIL
    assert result.summary == (
        f"over.{Z}: SPF needs 11 DNS lookups, over the limit of 10: receivers get permerror "
        "for every address the record does not authorize early (and 1 more)"
    )
    assert result.evidence["lookups"] == 11
    assert result.evidence["senders"]["sendgrid"] is False
    assert result.evidence["findings"][1] == (
        "SendGrid (sendgrid) is not authorized: include:sendgrid.net is missing, so its mail "
        "fails SPF"
    )
    branches = {c["via"]: c["branch_lookups"] for c in result.evidence["tree"]["children"]}
    assert branches == {
        "include:_spf.google.com": 4,
        "include:spf.mtasv.net": 1,
        "include:mailgun.org": 3,
        "include:servers.mcsv.net": 1,
    }
    assert result.evidence["branches"] == [
        f"over.{Z}: 11 lookups, 2 void",  # no address or MX here, unlike the demo
        "  include:_spf.google.com: 4 lookups",
        "    include:_netblocks.google.com: 1 lookup",
        "    include:_netblocks2.google.com: 1 lookup",
        "    include:_netblocks3.google.com: 1 lookup",
        "  include:spf.mtasv.net: 1 lookup",
        "  include:mailgun.org: 3 lookups",
        "    include:_spf.mailgun.org: 1 lookup",
        "    include:_spf.eu.mailgun.org: 1 lookup",
        "  include:servers.mcsv.net: 1 lookup",
    ]
    merged = DEMO_SPF.replace(" ~all", " include:sendgrid.net ~all")
    trimmed = (
        "v=spf1 ip4:127.0.0.1 a mx include:_spf.google.com include:spf.mtasv.net "
        "include:sendgrid.net ~all"
    )
    assert result.fix.splitlines()[:6] == [
        f"Publish exactly one SPF record at over.{Z}, replacing what is there now:",
        f'  over.{Z}. TXT "{merged}"',
        "It needs 12 DNS lookups; the limit is 10 (RFC 7208 4.6.4).",
        "Even merged, that is over the limit: receivers would get permerror.",
        "[email].senders does not list Mailgun (include:mailgun.org, 3 lookups), Mailchimp "
        "(include:servers.mcsv.net, 1 lookup). If you no longer send through them, drop them; "
        "the record then needs 8 lookups:",
        f'  over.{Z}. TXT "{trimmed}"',
    ]


def test_without_declared_senders_the_fix_drops_no_service(base: Sprint) -> None:
    result = check(base, "over", ())
    assert result.status is Status.FAIL
    assert "does not list" not in result.fix
    assert "List the services that send your mail in [email].senders" in result.fix
    assert (
        "Still over: flatten the costliest includes (include:_spf.google.com (4 lookups), "
        "include:mailgun.org (3 lookups), include:spf.mtasv.net (1 lookup))" in result.fix
    )


def test_a_missing_sender_alone_fails(base: Sprint) -> None:
    result = check(base, "soft", ("google-workspace", "postmark"))
    assert result.status is Status.FAIL
    assert result.summary.startswith(f"soft.{Z}: Postmark (postmark) is not authorized")
    assert '"v=spf1 include:_spf.google.com include:spf.mtasv.net ~all"' in result.fix
    assert "It needs 5 DNS lookups; the limit is 10 (RFC 7208 4.6.4)." in result.fix


def test_no_record_fails_and_the_fix_writes_one(base: Sprint) -> None:
    for name in ("nothing", "notxt"):
        result = check(base, name, ("google-workspace", "sendgrid"))
        assert result.status is Status.FAIL
        assert result.summary.startswith(f"{name}.{Z} publishes no SPF record")
        assert '"v=spf1 include:_spf.google.com include:sendgrid.net ~all"' in result.fix


def test_two_records_fail_and_the_fix_merges_them(base: Sprint) -> None:
    result = check(base, "two")
    assert result.status is Status.FAIL
    assert result.summary.startswith(f"two.{Z}: two.{Z} publishes 2 SPF records")
    # One record with both records' terms (in whichever order DNS gave them), and the -all.
    record = result.fix.splitlines()[1].partition(" TXT ")[2].strip('"').split(" ")
    assert sorted(record) == ["-all", "include:_spf.google.com", "ip4:192.0.2.7", "v=spf1"]
    assert record[0] == "v=spf1" and record[-1] == "-all"
    assert "It needs 4 DNS lookups; the limit is 10 (RFC 7208 4.6.4)." in result.fix


def test_a_syntax_error_fails_naming_the_term(base: Sprint) -> None:
    result = check(base, "syntax")
    assert result.status is Status.FAIL
    assert 'syntax error in "ip4:192.0.2.999"' in result.summary
    assert "Left out because they do not parse: ip4:192.0.2.999." in result.fix


def test_hostile_text_fails_and_stays_literal_data(base: Sprint) -> None:
    result = check(base, "hostile")
    assert result.status is Status.FAIL
    assert 'syntax error in "[bold"' in result.summary
    assert result.evidence["record"] == f"v=spf1 include:_spf.google.com {HOSTILE_TEXT} -all"


def test_an_include_loop_fails_without_hanging(base: Sprint) -> None:
    result = check(base, "loop")
    assert result.status is Status.FAIL
    assert f"include:loop.{Z}: include loop back to loop.{Z}" in result.evidence["findings"]


def test_a_deep_include_chain_fails_on_the_lookup_limit(base: Sprint) -> None:
    result = check(base, "c1", ())
    assert result.status is Status.FAIL
    assert result.summary.startswith(f"c1.{Z}: SPF needs 12 DNS lookups")
    assert any("too deep" in finding for finding in result.evidence["findings"])


def test_a_huge_record_is_judged_with_bounded_queries(base: Sprint) -> None:
    result = check(base, "huge", ())
    assert result.status is Status.FAIL
    assert result.evidence["lookups"] == 150
    assert result.evidence["voids"] == 60  # queries stop at 60
    assert (
        f"huge.{Z}: a:h60.{Z} and later terms: not queried for void lookups"
        in (result.evidence["findings"])
    )


def test_more_than_two_void_lookups_fail(base: Sprint) -> None:
    result = check(base, "voids")
    assert result.status is Status.FAIL
    assert result.evidence["voids"] == 3
    assert "3 void DNS lookups, over the limit of 2" in " ".join(result.evidence["findings"])


def test_an_include_of_a_domain_without_spf_fails_and_is_dropped_from_the_fix(
    base: Sprint,
) -> None:
    result = check(base, "dangling")
    assert result.status is Status.FAIL
    assert f"gone.{Z} has no SPF record" in result.summary
    assert '"v=spf1 include:_spf.google.com -all"' in result.fix


@pytest.mark.parametrize(("name", "reason"), [("servfail", "SERVFAIL"), ("drop", "timed out")])
def test_dns_failures_are_errors_never_a_pass(base: Sprint, name: str, reason: str) -> None:
    result = check(base, name)
    assert_could_not_check(result, reason)


def test_the_demo_reports_the_seeded_spf_fault(tmp_path: Path) -> None:
    with LabThread(demo_config(base_port=0), tmp_path / "lab") as demo:
        sprint = lab_sprint(demo, tmp_path)
        senders = ("google-workspace", "postmark", "sendgrid")
        sprint = dataclasses.replace(sprint, email=EmailConfig(senders=senders))
        result = run_check(CHECK, sprint, "harborclub.test")
    assert result.status is Status.FAIL
    assert result.evidence["lookups"] == 11
    assert result.evidence["senders"] == {
        "google-workspace": True,
        "postmark": True,
        "sendgrid": False,
    }


def test_the_lab_lists_the_seeded_spf_fault(tmp_path: Path) -> None:
    with LabThread(demo_config(base_port=0), tmp_path / "lab") as demo:
        lines = demo.describe()
    assert (
        "  harborclub.test: SPF needs 11 DNS lookups (limit 10) and does not include "
        "SendGrid (sendgrid.net)" in lines
    )


def test_a_refused_query_is_an_error(base: Sprint) -> None:
    sprint = dataclasses.replace(base, email=EmailConfig(domain="elsewhere.example"))
    result = run_check(CHECK, sprint, "elsewhere.example")  # not a zone the lab serves
    assert_could_not_check(result, "REFUSED")


@pytest.mark.parametrize(
    ("name", "term", "reason"),
    [
        ("empty-label", "include:_spf.xe:_spf..test", "has a zero-length label"),
        ("mangled", "ip4:192.0.2.0/", "/ is not a prefix length from 0 to 32"),
        ("long-label", f"include:{'x' * 64}.{Z}", "has a label longer than 63 characters"),
    ],
)
def test_a_domain_spec_that_is_no_domain_name_fails_naming_the_term(
    base: Sprint, name: str, term: str, reason: str
) -> None:
    # issue 19: these records crashed the check with dnspython's EmptyLabel / LabelTooLong.
    # RFC 7208 7.1: a domain-spec must be a domain name; 4.6: a syntax error is permerror.
    result = check(base, name)
    assert result.status is Status.FAIL
    assert f'syntax error in "{term}"' in result.summary
    assert reason in result.summary
    assert "internal error" not in result.summary
    assert term in result.fix  # "Left out because they do not parse: ..."
    assert "Left out because they do not parse" in result.fix


def test_the_mangled_record_leaves_out_every_term_that_does_not_parse(base: Sprint) -> None:
    result = check(base, "mangled")
    for term in ("ip4:192.0.2.0/", "incx.test", "mlude:_spf.x.test", "exists:%{i}."):
        assert term in result.fix
    assert "internal error" not in result.summary


@pytest.mark.parametrize("name", ["macro-label", "too-long"])
def test_includes_never_queried_as_written_do_not_crash_the_fix(base: Sprint, name: str) -> None:
    # A label made of a macro and 63 more characters is no name to query as written; a name
    # over 253 characters is cut from the left (RFC 7208 7.3) before it is queried.
    result = check(base, name)
    assert result.status in (Status.PASS, Status.WARN, Status.FAIL)
    assert "internal error" not in result.summary
    assert "Publish exactly one SPF record" in result.fix or result.status is Status.PASS
