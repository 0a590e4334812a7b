"""email.mta-sts against the lab: TXT records on its DNS, policies on its HTTPS server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, run_check
from email_lab import ZONE, dns_only, email_sprint, mail_config, started
from lab_fixtures import HOSTILE_TEXT

from launchtui.email.mta_sts import mx_matches, parse_policy, parse_sts_record, parse_tlsrpt_record
from launchtui.lab import HostSpec, Lab, LabConfig
from launchtui.lab.config import Route, mta_sts_host
from launchtui.model.results import Result, Severity, Status

CHECK = "email.mta-sts"
POLICY_PATH = "/.well-known/mta-sts.txt"


def policy(domain: str, mode: str = "enforce", mx: str = "", max_age: int = 604800) -> str:
    return (
        f"version: STSv1\r\nmode: {mode}\r\nmx: {mx or 'mail.' + domain}\r\nmax_age: {max_age}\r\n"
    )


# name (a subdomain of the lab zone) -> the policy served, None: no mta-sts host at all.
POLICIES: dict[str, str | None] = {
    "good": policy(f"good.{ZONE}"),
    "trial": policy(f"trial.{ZONE}", mode="testing"),
    "wild": policy(f"wild.{ZONE}", mx=f"*.wild.{ZONE}"),
    "strict": policy(f"strict.{ZONE}", mx="mx.elsewhere.example"),
    "loose": policy(f"loose.{ZONE}", mode="testing", mx="mx.elsewhere.example"),
    "off": policy(f"off.{ZONE}", mode="none"),
    "brief": policy(f"brief.{ZONE}", max_age=300),
    "broken": "version: STSv2\nmode: strict\n",
    "hostile": f"version: STSv1\nmode: {HOSTILE_TEXT}\nmx: mail.hostile.{ZONE}\nmax_age: 1\n",
    "huge": "version: STSv1\n" + "# padding\n" * 8000,
    "unreachable": None,
    "notls": policy(f"notls.{ZONE}"),
}


def sts_config() -> LabConfig:
    txt: dict[str, list[str]] = {}
    mx: dict[str, list[str]] = {}
    hosts = [HostSpec(ZONE)]
    for name, served in POLICIES.items():
        domain = f"{name}.{ZONE}"
        txt[f"_mta-sts.{domain}"] = [f"v=STSv1; id={name}2026"]
        if name != "notls":
            txt[f"_smtp._tls.{domain}"] = [f"v=TLSRPTv1; rua=mailto:tls@{domain}"]
        mx[domain] = [f"10 mail.{domain}."] if name != "wild" else [f"10 mx1.{domain}."]
        if served is not None:
            hosts.append(mta_sts_host(domain, served))
    extra = {
        # TXT present, but the host answers 404, redirects, or serves HTML.
        "missing": Route(404, body="Not found."),
        "moved": Route(301, {"Location": f"https://www.{ZONE}/mta-sts.txt"}),
        "html": Route(body=policy(f"html.{ZONE}")),
    }
    for name, route in extra.items():
        domain = f"{name}.{ZONE}"
        txt[f"_mta-sts.{domain}"] = [f"v=STSv1; id={name}1"]
        txt[f"_smtp._tls.{domain}"] = [f"v=TLSRPTv1; rua=mailto:tls@{domain}"]
        mx[domain] = [f"10 mail.{domain}."]
        hosts.append(HostSpec(f"mta-sts.{domain}", routes={POLICY_PATH: route}))
    txt[f"_mta-sts.bad.{ZONE}"] = ["v=STSv1; id=not-valid!"]
    txt[f"_mta-sts.twice.{ZONE}"] = ["v=STSv1; id=one", "v=STSv1; id=two"]
    txt[f"_smtp._tls.bad.{ZONE}"] = ["v=TLSRPTv1; rua=tls@example.com"]
    hosts += [
        HostSpec(f"mta-sts.wrongcert.{ZONE}", cert="wrong-name", routes=mta_sts_host(ZONE).routes),
        dns_only(f"_mta-sts.down.{ZONE}", "servfail"),
        dns_only(f"_mta-sts.silent.{ZONE}", "drop"),
    ]
    txt[f"_mta-sts.wrongcert.{ZONE}"] = ["v=STSv1; id=w1"]
    return mail_config(txt=txt, mx=mx, hosts=hosts)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with started(sts_config(), tmp_path_factory) as running:
        yield running


def check(lab: Lab, tmp_path: Path, name: str) -> Result:
    domain = f"{name}.{ZONE}" if name != ZONE else ZONE
    return run_check(CHECK, email_sprint(lab, tmp_path, domain), domain)


def test_an_enforced_policy_covering_every_mx_with_tls_rpt_passes(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "good")
    assert result.status is Status.PASS, result.summary
    assert result.severity is Severity.LOW
    assert result.summary == (
        f"good.{ZONE}: MTA-STS policy in mode enforce allows every MX host, TLS-RPT reports "
        f"go to mailto:tls@good.{ZONE}"
    )
    assert result.evidence["policy_url"] == f"https://mta-sts.good.{ZONE}{POLICY_PATH}"
    assert result.evidence["policy_mx"] == [f"mail.good.{ZONE}"]
    assert result.evidence["mta_sts_id"] == "good2026"


def test_testing_mode_passes_and_names_the_next_step(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "trial")
    assert result.status is Status.PASS
    assert result.summary.endswith("next step: mode enforce once the TLS reports are clean")


def test_a_wildcard_pattern_matches_one_label(lab: Lab, tmp_path: Path) -> None:
    assert check(lab, tmp_path, "wild").status is Status.PASS


def test_no_records_at_all_warn(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, ZONE)
    assert result.status is Status.WARN
    assert result.summary == (
        f"{ZONE}: no MTA-STS record at _mta-sts.{ZONE}: MTA-STS is not deployed (+1 more)"
    )
    assert f'_mta-sts.{ZONE}. TXT "v=STSv1; id=' in result.fix
    assert f"   mx: mail.{ZONE}" not in result.fix  # the zone has no MX: a placeholder


def test_no_tls_rpt_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "notls")
    assert result.status is Status.WARN
    assert result.summary == (
        f"notls.{ZONE}: no TLS-RPT record at _smtp._tls.notls.{ZONE}: nobody hears when "
        "senders fail TLS to you"
    )


def test_enforce_mode_with_an_mx_the_policy_does_not_allow_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "strict")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"strict.{ZONE}: MX host mail.strict.{ZONE} matches no mx line of the policy: senders "
        "enforcing it refuse to deliver there"
    )
    assert f"   mx: mail.strict.{ZONE}" in result.fix


def test_testing_mode_with_an_unmatched_mx_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "loose")
    assert result.status is Status.WARN
    assert "enforce mode would refuse delivery there" in result.summary


def test_mode_none_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "off")
    assert result.status is Status.WARN
    assert "mode none: senders do not apply it" in result.summary


def test_a_max_age_under_a_day_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "brief")
    assert result.status is Status.WARN
    assert "max_age=300: under a day" in result.summary


def test_an_invalid_policy_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "broken")
    assert result.status is Status.FAIL
    assert result.evidence["policy_errors"] == [
        'version: "STSv2" is not "STSv1"',
        'mode: "strict" is not enforce, testing or none',
        "max_age: required key is missing (seconds, e.g. 604800)",
        "mx: at least one mx line is required (mx: mail.example.com)",
    ]


def test_hostile_policy_text_stays_literal(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "hostile")
    assert result.status is Status.FAIL
    assert result.evidence["policy_errors"] == [
        f'mode: "{HOSTILE_TEXT}" is not enforce, testing or none'
    ]
    assert HOSTILE_TEXT in result.evidence["policy"]


def test_a_policy_over_64_kb_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "huge")
    assert result.status is Status.FAIL
    assert "larger than 64 KB" in result.summary


def test_a_missing_policy_file_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "missing")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"missing.{ZONE}: https://mta-sts.missing.{ZONE}{POLICY_PATH} answered HTTP 404: "
        "senders need 200"
    )


def test_a_redirected_policy_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "moved")
    assert result.status is Status.FAIL
    assert "senders do not follow redirects (RFC 8461 3.3)" in result.summary


def test_a_policy_served_as_html_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "html")
    assert result.status is Status.WARN
    assert "served as text/html" in result.summary


def test_invalid_and_duplicated_records_fail(lab: Lab, tmp_path: Path) -> None:
    bad = check(lab, tmp_path, "bad")
    assert bad.status is Status.FAIL
    assert bad.evidence["mta_sts_errors"] == ['id: "not-valid!" is not 1 to 32 letters or digits']
    assert bad.evidence["tls_rpt_errors"] == [
        'rua: "tls@example.com" is not a mailto: or https: URI'
    ]
    twice = check(lab, tmp_path, "twice")
    assert twice.status is Status.FAIL
    assert twice.summary.startswith(f"twice.{ZONE}: 2 MTA-STS records at _mta-sts.twice.{ZONE}")


def test_an_unreachable_policy_host_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "unreachable")
    assert_could_not_check(result, f"mta-sts.unreachable.{ZONE}")


def test_a_policy_host_with_a_wrong_certificate_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "wrongcert")
    assert result.status is Status.FAIL
    assert result.summary.startswith(
        f"wrongcert.{ZONE}: the certificate of mta-sts.wrongcert.{ZONE} does not verify, so "
        "senders reject the policy (RFC 8461 3.3)"
    )


def test_servfail_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "down")
    assert_could_not_check(result, "SERVFAIL")


def test_a_timeout_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "silent")
    assert_could_not_check(result, "timed out")


def test_policy_parsing_follows_rfc_8461() -> None:
    parsed = parse_policy(
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\n"
        "mode: none\nmax_age: 604800\nextra: yes\n"
    )
    assert parsed.valid
    assert parsed.mode == "enforce"  # a repeated key keeps its first value
    assert parsed.mx == ["mail.example.com", "*.example.net"]
    assert parsed.warnings == [
        "mode: repeated; senders use the first value only",
        "extra: unknown key (senders ignore it)",
    ]
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 0\n").valid  # mx optional
    assert parse_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601").errors
    assert parse_policy("Version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1").errors


def test_mx_patterns_match_as_section_4_1_says() -> None:
    assert mx_matches("mail.example.com", "MAIL.example.com.")
    assert mx_matches("*.example.net", "mx1.example.net")
    assert not mx_matches("*.example.net", "example.net")
    assert not mx_matches("*.example.net", "a.b.example.net")
    assert not mx_matches("mail.example.com", "mail2.example.com")


def test_txt_records_follow_their_abnf() -> None:
    assert parse_sts_record("v=STSv1; id=20160831085700Z;").valid
    assert parse_sts_record("v=STSv1;").errors == [
        "id: required field is missing (id=<1 to 32 letters or digits>)"
    ]
    assert parse_sts_record("id=1; v=STSv1").errors == ['v: the record must start with "v=STSv1"']
    assert parse_tlsrpt_record("v=TLSRPTv1; rua=mailto:reports@example.com").valid
    assert parse_tlsrpt_record(
        "v=TLSRPTv1;rua=mailto:a@example.com, https://reporting.example.com/v1/tlsrpt"
    ).valid
    assert parse_tlsrpt_record("v=TLSRPTv1").errors == [
        "rua: required field is missing (rua=mailto:... or https://...)"
    ]
