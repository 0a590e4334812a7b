"""email.mx against the lab's DNS: targets that resolve, aliases, IP literals, null MX."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, run_check
from email_lab import ZONE, dns_only, email_sprint, mail_config, started

from launchtui.checks.email.mx import MAX_TARGETS, parse_mx
from launchtui.lab import Lab, LabConfig
from launchtui.model.results import Result, Severity, Status

CHECK = "email.mx"

MX = {
    "good.test": ["10 mail.good.test.", "20 backup.good.test."],
    "alias.test": ["10 mx.alias.test."],
    "literal.test": ["10 192.0.2.25."],
    "mixed.test": ["10 mail.mixed.test.", "20 noaddr.mixed.test."],
    "null.test": ["0 ."],
    "nullplus.test": ["0 .", "10 mail.nullplus.test."],
    "many.test": [f"{n} mx{n:02d}.many.test." for n in range(40)],
    f"sf.{ZONE}": [f"10 broken.{ZONE}."],
}


def mx_config() -> LabConfig:
    return mail_config(
        mx=MX,
        external_zones={
            zone: [] for zone in [*MX, "implicit.test", "nomail.test"] if not zone.endswith(ZONE)
        },
        records=[
            ("mx.alias.test", "CNAME", "mail.alias.test."),
            ("mail.alias.test", "A", "127.0.0.1"),
            ("noaddr.mixed.test", "TXT", '"no address here"'),
            ("implicit.test", "A", "127.0.0.1"),
        ],
        hosts=[
            dns_only(f"broken.{ZONE}", "servfail"),
            dns_only(f"down.{ZONE}", "servfail"),
            dns_only(f"silent.{ZONE}", "drop"),
        ],
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with started(mx_config(), tmp_path_factory) as running:
        yield running


def check(lab: Lab, tmp_path: Path, domain: str) -> Result:
    return run_check(CHECK, email_sprint(lab, tmp_path, domain), domain)


def test_mx_targets_with_addresses_pass(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "good.test")
    assert result.status is Status.PASS
    assert result.severity is Severity.HIGH
    assert result.summary == (
        "good.test receives mail at 10 mail.good.test, 20 backup.good.test (127.0.0.1)"
    )
    assert result.evidence["exchanges"][0] == {
        "preference": 10,
        "exchange": "mail.good.test",
        "addresses": ["127.0.0.1"],
    }


def test_an_mx_to_an_alias_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "alias.test")
    assert result.status is Status.WARN
    assert result.summary == (
        "alias.test receives mail at 10 mx.alias.test, but mx.alias.test is an alias (CNAME "
        "to mail.alias.test), which RFC 2181 10.3 forbids for MX targets"
    )
    assert result.evidence["exchanges"][0]["cname_chain"] == ["mail.alias.test"]
    assert "alias.test. MX 10 mail.alias.test." in result.fix


def test_an_mx_to_an_ip_literal_fails_when_it_is_the_only_one(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "literal.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        "literal.test: no MX target can receive mail: 192.0.2.25 is an IP address, not a host "
        "name: senders look it up as a name"
    )


def test_one_target_without_an_address_warns(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "mixed.test")
    assert result.status is Status.WARN
    assert result.summary == (
        "mixed.test receives mail at 10 mail.mixed.test, 20 noaddr.mixed.test, but "
        "noaddr.mixed.test has no A or AAAA record"
    )
    assert result.evidence["exchanges"][1]["problem"] == "has no A or AAAA record"


def test_a_null_mx_says_the_domain_receives_no_mail(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "null.test")
    assert result.status is Status.WARN
    assert result.summary.startswith("this domain receives no mail: null.test publishes a null MX")
    assert "RFC 7505 4.2" in result.fix


def test_a_null_mx_beside_other_mx_records_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "nullplus.test")
    assert result.status is Status.FAIL
    assert "alongside other MX records" in result.summary


def test_no_mx_with_an_address_warns_about_the_implicit_mx(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "implicit.test")
    assert result.status is Status.WARN
    assert result.summary.startswith(
        "implicit.test has no MX record: mail goes to its own address 127.0.0.1 (implicit MX"
    )


def test_no_mx_and_no_address_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "nomail.test")
    assert result.status is Status.FAIL
    assert result.summary == (
        "nomail.test receives no mail: no MX record and no address to fall back to"
    )


def test_a_domain_that_does_not_exist_fails(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "nowhere.good.test")
    assert result.status is Status.FAIL
    assert "does not exist (NXDOMAIN)" in result.summary


def test_hundreds_of_mx_records_are_bounded(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "many.test")
    assert result.status is Status.PASS
    assert len(result.evidence["exchanges"]) == MAX_TARGETS
    assert result.evidence["not_checked"] == 40 - MAX_TARGETS


def test_servfail_on_the_mx_lookup_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, f"down.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")


def test_servfail_on_a_target_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, f"sf.{ZONE}")
    assert_could_not_check(result, f"broken.{ZONE}")
    assert result.evidence["exchanges"][0]["exchange"] == f"broken.{ZONE}"


def test_a_timeout_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, f"silent.{ZONE}")
    assert_could_not_check(result, "timed out")


def test_a_refusal_is_an_error(lab: Lab, tmp_path: Path) -> None:
    result = check(lab, tmp_path, "elsewhere.example")
    assert_could_not_check(result, "REFUSED")


def test_mx_text_parses_including_the_null_mx() -> None:
    assert (parse_mx("10 Mail.Example.com").preference, parse_mx("10 Mail.Example.com").name) == (
        10,
        "mail.example.com",
    )
    assert parse_mx("0 ").name == ""  # "0 ." once DnsClient strips the final dot
