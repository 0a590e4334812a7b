"""email.dmarc against the lab's DNS: RFC 9989 discovery by the DNS Tree Walk, launch policy,
RFC 9990 authorization of report destinations, failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, lab_dig, run_check
from email_lab import HOSTILE_DMARC as HOSTILE
from email_lab import HUGE_DMARC as HUGE
from email_lab import RECORDS, ZONE, dmarc_config, email_sprint, started
from lab_fixtures import HOSTILE_TEXT

from launchtui.lab import Lab
from launchtui.model.results import Result, Severity, Status

CHECK = "email.dmarc"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with started(dmarc_config(), tmp_path_factory) as running:
        yield running


def check(lab: Lab, tmp_path: Path, domain: str) -> Result:
    return run_check(CHECK, email_sprint(lab, tmp_path, domain), domain)


def test_p_none_with_reports_passes_for_launch_and_names_the_next_step(
    lab: Lab, tmp_path: Path
) -> None:
    result = check(lab, tmp_path, "monitor.test")
    assert result.status is Status.PASS
    assert result.severity is Severity.BLOCKER
    assert result.summary == (
        "monitor.test: DMARC p=none at _dmarc.monitor.test with reports to "
        "mailto:dmarc@monitor.test: monitoring only, enough for launch; next step "
        "p=quarantine, then p=reject, once the reports show every sender aligned"
    )
    assert result.evidence["record"] == RECORDS["monitor.test"][0]
    assert result.evidence["tags"] == {
        "v": "DMARC1",
        "p": "none",
        "rua": "mailto:dmarc@monitor.test",
    }
    # Policy discovery stops at the first record; the organizational domain's walk goes on
    # to the top-level domain (RFC 9989 4.10.1, 4.10.2).
    assert result.evidence["walked"] == ["_dmarc.monitor.test"]
    assert result.evidence["queried"] == ["_dmarc.monitor.test", "_dmarc.test"]
    assert result.evidence["organizational_domain"] == "monitor.test"


def test_an_enforcing_policy_with_reports_passes(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "reject.test")
    assert result.status is Status.PASS
    assert result.summary == (
        "reject.test: DMARC p=reject at _dmarc.reject.test with reports to mailto:dmarc@reject.test"
    )


def test_a_subdomain_falls_back_to_the_organizational_domain(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "mail.parent.test")
    assert result.status is Status.PASS
    assert result.evidence["walked"] == ["_dmarc.mail.parent.test", "_dmarc.parent.test"]
    assert result.evidence["organizational_domain"] == "parent.test"
    assert result.evidence["found_at"] == "_dmarc.parent.test"
    assert "at _dmarc.parent.test (inherited)" in result.summary


def test_no_record_fails_with_a_starter_record(lab: Lab, tmp_path: Path) -> None:
    sprint = email_sprint(lab, tmp_path, "empty.test")
    result = run_check(CHECK, sprint, "empty.test")
    assert result.status is Status.FAIL
    assert result.summary == "empty.test: no DMARC record at _dmarc.empty.test or _dmarc.test"
    assert (
        '_dmarc.empty.test. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@empty.test"'
        in result.fix
    )
    assert f"`{lab_dig(sprint)} _dmarc.empty.test TXT`" in result.fix


def test_a_subdomain_with_no_record_anywhere_names_both_names(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, f"news.{ZONE}")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"news.{ZONE}: no DMARC record at _dmarc.news.{ZONE} or _dmarc.{ZONE} or _dmarc.test"
    )


def test_a_record_receivers_discard_counts_as_missing_and_is_named(
    lab: Lab, tmp_path: Path
) -> None:
    result = check(lab, tmp_path, "lowercase.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        "lowercase.test: no DMARC record at _dmarc.lowercase.test or _dmarc.test; the TXT "
        "record at "
        "_dmarc.lowercase.test does not start with v=DMARC1, so receivers ignore it"
    )
    assert result.evidence["ignored"] == [
        {"name": "_dmarc.lowercase.test", "record": "v=dmarc1; p=reject"}
    ]


def test_p_none_without_reports_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "norua.test")
    assert result.status is Status.FAIL
    assert "p=none without rua" in result.summary
    assert "rua=mailto:dmarc-reports@norua.test" in result.fix


def test_enforcement_without_reports_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "blind.test")
    assert result.status is Status.WARN
    assert result.summary.startswith(
        "blind.test: DMARC p=reject at _dmarc.blind.test, but no rua: nobody receives"
    )


def test_pct_is_warned_as_removed_and_rfc7489_receivers_told_apart(
    lab: Lab, tmp_path: Path
) -> None:
    """RFC 9989 Appendix A.6: pct is historic; its receivers quarantine all failing mail."""
    result = check(lab, tmp_path, "partial.test")
    assert result.status is Status.WARN
    assert result.evidence["findings"] == [
        "pct=25: removed in RFC 9989 (Appendix A.6), receivers ignore it and apply the policy "
        "to all failing mail; for a gradual rollout use t=y (testing) and the aggregate reports "
        "instead"
    ]
    assert result.evidence["rfc7489"] == [
        "pct=25: an RFC 7489 receiver applies p=quarantine to only 25% of failing mail; "
        "RFC 9989 receivers apply it to all"
    ]
    assert (
        '_dmarc.partial.test. TXT "v=DMARC1; p=quarantine; rua=mailto:d@partial.test"' in result.fix
    )
    assert "pct" not in result.fix.split("Replace the record:")[1]


def test_sp_weaker_than_p_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "weaksp.test")
    assert result.status is Status.WARN
    assert result.evidence["findings"] == [
        "sp=none is weaker than p=reject: subdomains can be spoofed more easily"
    ]


def test_an_unauthorized_external_destination_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "outsourced.test")
    assert result.status is Status.WARN
    destinations = result.evidence["external_destinations"]
    assert [(d["uri"], d["authorized"]) for d in destinations] == [
        ("mailto:agg@reports.example", True),
        ("mailto:f@forensic.example", False),
    ]
    assert destinations[1]["query"] == "outsourced.test._report._dmarc.forensic.example"
    assert result.evidence["findings"] == [
        "ruf address mailto:f@forensic.example is not authorized: "
        "outsourced.test._report._dmarc.forensic.example has no v=DMARC1 record, so receivers "
        "send it no reports (RFC 9990 section 4)"
    ]
    assert 'outsourced.test._report._dmarc.forensic.example. TXT "v=DMARC1;"' in result.fix


def test_an_authorized_external_destination_passes(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "trusted.test")
    assert result.status is Status.PASS
    assert result.evidence["external_destinations"][0]["authorized"] is True


def test_several_records_fail(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "several.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        "several.test: 2 DMARC records at _dmarc.several.test; receivers discard them all "
        "(RFC 9989 4.10), so no DMARC applies"
    )
    assert sorted(result.evidence["records"]) == sorted(RECORDS["several.test"])


def test_an_invalid_policy_fails_and_says_receivers_read_it_as_none(
    lab: Lab, tmp_path: Path
) -> None:
    result = check(lab, tmp_path, "typo.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        'typo.test: the DMARC record at _dmarc.typo.test is invalid: p: "block" is not a '
        "policy (none, quarantine or reject; RFC 9989 4.7); receivers treat it as p=none "
        "because rua is valid (RFC 9989 4.10.1)"
    )
    assert '_dmarc.typo.test. TXT "v=DMARC1; p=none; rua=mailto:d@typo.test"' in result.fix


def test_duplicated_tags_fail(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "twice.test")
    assert result.status is Status.FAIL
    assert result.evidence["errors"] == [
        "p: duplicated tag (2 times); receivers may read any of them"
    ]


def test_control_characters_and_markup_stay_literal_in_evidence(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "hostile.test")
    assert result.status is Status.FAIL
    assert result.evidence["record"] == HOSTILE
    assert result.evidence["errors"][0] == (
        f'p: "{HOSTILE_TEXT}" is not a policy (none, quarantine or reject; RFC 9989 4.7)'
    )


def test_a_huge_record_over_many_strings_is_read_whole(lab: Lab, tmp_path: Path) -> None:
    assert len(HUGE) > 4000
    result = check(lab, tmp_path, "huge.test")
    assert result.status is Status.WARN  # 160 unknown tags, reported (capped)
    assert result.evidence["record"].startswith(HUGE[:2048])
    assert result.evidence["record"].endswith(f"({len(HUGE) - 2048} more characters)")
    assert len(result.evidence["warnings"]) == 21


def test_servfail_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, f"broken.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")


def test_a_timeout_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, f"silent.{ZONE}")
    assert_could_not_check(result, "timed out")


def test_a_refusal_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "elsewhere.example")  # a zone the lab does not serve
    assert_could_not_check(result, "REFUSED")


def test_servfail_on_the_authorization_lookup_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "extfail.test")
    assert_could_not_check(result, f"extfail.test._report._dmarc.{ZONE}")
    assert result.evidence["record"] == RECORDS["extfail.test"][0]


def test_a_discarded_record_below_an_inherited_one_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "news.parent.test")
    assert result.status is Status.WARN
    assert result.evidence["findings"] == [
        "the TXT record at _dmarc.news.parent.test does not start with v=DMARC1, so receivers "
        "ignore it and apply _dmarc.parent.test instead"
    ]


def test_hundreds_of_report_addresses_are_bounded(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "flood.test")
    assert result.status is Status.WARN
    assert len(result.evidence["external_destinations"]) == 20
    assert result.evidence["findings"][0].startswith(
        "rua address mailto:r0@reports.example is not authorized"
    )


def test_a_destination_too_long_to_look_up_is_not_authorized(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "longhost.test")
    assert result.status is Status.WARN
    [destination] = result.evidence["external_destinations"]
    assert destination["authorized"] is False
    assert len(destination["query"]) > 253


def test_a_pct_out_of_range_is_no_longer_invalid(lab: Lab, tmp_path: Path) -> None:
    """RFC 9989 Appendix A.6: pct is historic, not validated; the record is valid."""
    result = check(lab, tmp_path, "pct150.test")
    assert result.status is Status.WARN
    assert result.summary.startswith(
        "pct150.test: DMARC p=reject at _dmarc.pct150.test, but pct=150: removed in RFC 9989"
    )
    assert "errors" not in result.evidence
    assert 'TXT "v=DMARC1; p=reject; rua=mailto:d@pct150.test"' in result.fix


def test_a_record_without_p_acts_as_p_none_and_warns(lab: Lab, tmp_path: Path) -> None:
    """RFC 9989 4.7 p and 4.10.1: no p with a valid rua is read as p=none."""
    result = check(lab, tmp_path, "nop.test")
    assert result.status is Status.WARN
    assert result.evidence["policy"] == "none"
    assert result.summary == (
        "nop.test: DMARC p=none at _dmarc.nop.test, but p: missing, so receivers act as "
        "p=none because rua is valid (RFC 9989 4.10.1); write p=none explicitly, then move to "
        "quarantine and reject"
    )
    assert '_dmarc.nop.test. TXT "v=DMARC1; p=none; rua=mailto:d@nop.test"' in result.fix


def test_testing_mode_warns_and_says_what_is_applied(lab: Lab, tmp_path: Path) -> None:
    """RFC 9989 4.7 t: t=y asks receivers to apply one level below the policy."""
    result = check(lab, tmp_path, "testmode.test")
    assert result.status is Status.WARN
    assert result.evidence["policy"] == "quarantine"
    assert result.summary.startswith(
        "testmode.test: DMARC p=reject in testing mode (t=y: quarantine applied) at "
        "_dmarc.testmode.test, but t=y: testing mode, receivers do not apply p=reject but "
        "p=quarantine (RFC 9989 4.7)"
    )
    assert result.evidence["rfc7489"] == [
        "t=y: an RFC 7489 receiver does not know t and applies p=reject in full"
    ]


def test_np_weaker_than_p_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "weaknp.test")
    assert result.status is Status.WARN
    assert result.evidence["findings"][0] == (
        "np=none is weaker than p=reject: non-existent subdomains can be spoofed more easily"
    )


def test_a_public_suffix_domain_policy_alone_fails(lab: Lab, tmp_path: Path) -> None:
    """RFC 9989 4.10.1: a registrant without a record gets the PSD's policy (psd=y), whose
    reports go to the registry: the domain has no DMARC of its own."""
    result = check(lab, tmp_path, "shop.registry.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        "shop.registry.test: no DMARC record of its own at _dmarc.shop.registry.test; only the "
        "public suffix domain's policy at _dmarc.registry.test (psd=y) applies, and its reports "
        "go to the registry, not to you"
    )
    assert result.evidence["walked"] == ["_dmarc.shop.registry.test", "_dmarc.registry.test"]
    assert result.evidence["organizational_domain"] == "shop.registry.test"
    assert '_dmarc.shop.registry.test. TXT "v=DMARC1; p=none;' in result.fix
    assert result.evidence["rfc7489"] == [
        "psd=y at _dmarc.registry.test: an RFC 7489 receiver does not look at public suffix "
        "domains and applies no DMARC"
    ]


def test_the_walk_of_a_long_name_asks_eight_names_and_finds_the_parent(
    lab: Lab, tmp_path: Path
) -> None:
    """RFC 9989 4.10: past eight labels, the walk jumps to the last seven."""
    result = check(lab, tmp_path, "a.b.c.d.e.f.g.parent.test")
    assert result.status is Status.PASS
    assert result.evidence["walked"] == [
        "_dmarc.a.b.c.d.e.f.g.parent.test",
        "_dmarc.c.d.e.f.g.parent.test",
        "_dmarc.d.e.f.g.parent.test",
        "_dmarc.e.f.g.parent.test",
        "_dmarc.f.g.parent.test",
        "_dmarc.g.parent.test",
        "_dmarc.parent.test",
    ]


def test_several_records_under_a_parent_fail_and_name_the_policy_applied(
    lab: Lab, tmp_path: Path
) -> None:
    """RFC 9989 4.10 step 2: several records are discarded and the walk goes on."""
    result = check(lab, tmp_path, "dup.parent.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        "dup.parent.test: 2 DMARC records at _dmarc.dup.parent.test; receivers discard them "
        "all (RFC 9989 4.10), so _dmarc.parent.test's policy applies instead"
    )
    assert result.evidence["rfc7489"] == [
        "several records at _dmarc.dup.parent.test: an RFC 7489 receiver stops there and "
        "applies no DMARC, instead of _dmarc.parent.test's policy"
    ]


def test_the_rollout_ladder_has_no_pct_and_names_what_to_watch(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "empty.test")
    assert "pct" not in result.fix
    assert "p=quarantine once the reports show no legitimate source failing" in result.fix
    assert "p=reject once the quarantine weeks show only unknown sources failing" in result.fix
