"""email.dkim against the lab's real DNS: one selector name per case, the sprint declaring it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from check_helpers import assert_could_not_check, lab_dig, lab_sprint, run_check
from dkim_keys import ed25519_p, modulus_only_p, rsa_p
from lab_fixtures import HOSTILE_TEXT, ZONE

from launchtui.checks.email.dkim import plan
from launchtui.lab import HostSpec, LabConfig, LabThread, demo_config
from launchtui.model.results import Severity, Status
from launchtui.model.sprint import EmailConfig, Sprint
from launchtui.model.targets import Target
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]

CHECK = "email.dkim"
PROVIDER = "mailer.example"  # a sending service's zone, for CNAMEd keys
MAILGUN = f"mg.{ZONE}"  # a domain whose selectors come from the catalogue (Mailgun's)
MAILGUN_BROKEN = f"mg2.{ZONE}"  # k1 answers SERVFAIL, mx and smtp do not exist
MARKUP = "[bold red]pwned[/] [link=https://evil.test]x[/link]"
# A real key after 3 KB of notes: > 4 KB in all, served as 17 strings of 255 bytes.
BIG = f"v=DKIM1; k=rsa; n={'n' * 3400}; p={modulus_only_p(4096)}"

RECORDS: dict[str, list[str]] = {
    "rsa2048": [f"v=DKIM1; k=rsa; p={rsa_p(2048)}"],
    "ed": [f"v=DKIM1; k=ed25519; p={ed25519_p()}"],
    "rsa1024": [f"v=DKIM1; k=rsa; p={rsa_p(1024)}"],
    "testing": [f"v=DKIM1; k=rsa; t=y:s; p={rsa_p(2048)}"],
    "huge": [f"v=DKIM1; p={modulus_only_p(8192)}"],
    "revoked": ["v=DKIM1; k=rsa; p="],
    "rsa512": [f"v=DKIM1; k=rsa; p={modulus_only_p(512)}"],
    "notbase64": ["v=DKIM1; k=rsa; p=MIGfMA0G!!not*base64"],
    "noload": ["v=DKIM1; k=rsa; p=aGVsbG8gd29ybGQ="],
    "duplicate": [f"v=DKIM1; k=rsa; k=ed25519; p={rsa_p(2048)}"],
    "two": [f"v=DKIM1; p={rsa_p(2048)}", f"v=DKIM1; p={rsa_p(1024)}"],
    "extra": [f"v=DKIM1; p={rsa_p(2048)}", "google-site-verification=abc123"],
    "notdkim": ["v=spf1 -all", "hello"],
    "sha1": [f"v=DKIM1; h=sha1; p={rsa_p(2048)}"],
    "tlsrpt": [f"v=DKIM1; s=tlsrpt; p={rsa_p(2048)}"],
    "markup": [f"v=DKIM1; n={MARKUP}; p={rsa_p(2048)}"],
    "control": [f"v=DKIM1; n={HOSTILE_TEXT}; p={rsa_p(2048)}"],
    "big": [BIG],
}


def dkim_config() -> LabConfig:
    txt = {f"{selector}._domainkey.{ZONE}": values for selector, values in RECORDS.items()}
    txt[f"pm.dkim.{PROVIDER}"] = RECORDS["rsa2048"]
    txt[f"mx._domainkey.{MAILGUN}"] = RECORDS["rsa2048"]
    return LabConfig(
        hosts=[
            HostSpec(ZONE),
            HostSpec(f"servfail.{ZONE}", dns="servfail"),
            HostSpec(f"drop.{ZONE}", dns="drop"),
        ],
        txt=txt,
        mx={},
        caa={},
        records=[
            (f"cnamed._domainkey.{ZONE}", "CNAME", f"pm.dkim.{PROVIDER}."),
            (f"gone._domainkey.{ZONE}", "CNAME", f"old.dkim.{PROVIDER}."),
            (f"addressonly._domainkey.{ZONE}", "A", "127.0.0.1"),
            # A selector name is no hostname (a sprint's site may not list it), so the faulty
            # hosts are reached through in-zone aliases, which the lab follows.
            (f"broken._domainkey.{ZONE}", "CNAME", f"servfail.{ZONE}."),
            (f"slow._domainkey.{ZONE}", "CNAME", f"drop.{ZONE}."),
            (f"k1._domainkey.{MAILGUN}", "CNAME", f"servfail.{ZONE}."),
            (f"k1._domainkey.{MAILGUN_BROKEN}", "CNAME", f"servfail.{ZONE}."),
        ],
        external_zones={PROVIDER: []},
        dns_port=0,
        https_port=0,
        http_port=0,
    )


SELECTORS = (
    *RECORDS,
    "cnamed",
    "gone",
    "addressonly",
    "missing",
    "broken",
    "slow",
)


def with_email(sprint: Sprint, **fields: Any) -> Sprint:
    return dataclasses.replace(sprint, email=EmailConfig(**fields))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sprint]:
    with LabThread(dkim_config(), tmp_path_factory.mktemp("lab")) as lab:
        yield lab_sprint(lab, tmp_path_factory.mktemp("sprint"))


@pytest.fixture(scope="module")
def sprint(base: Sprint) -> Sprint:
    return with_email(base, domain=ZONE, dkim_selectors=SELECTORS)


# Passing keys


def test_a_2048_bit_rsa_key_passes(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"rsa2048._domainkey.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.severity is Severity.BLOCKER
    assert result.summary == f"rsa2048._domainkey.{ZONE}: RSA 2048-bit key, published and loadable"
    assert result.evidence["key_type"] == "rsa"
    assert result.evidence["bits"] == 2048
    assert result.evidence["flags"] == []
    assert result.evidence["key_encoding"] == "SubjectPublicKeyInfo"
    assert result.evidence["record"] == RECORDS["rsa2048"][0]
    assert result.fix == ""


def test_an_ed25519_key_passes(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"ed._domainkey.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert "Ed25519 256-bit key" in result.summary
    assert (result.evidence["key_type"], result.evidence["bits"]) == ("ed25519", 256)


def test_a_cname_to_the_provider_is_followed_and_shown(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"cnamed._domainkey.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.evidence["cname_chain"] == [f"cnamed._domainkey.{ZONE}", f"pm.dkim.{PROVIDER}"]


def test_other_txt_records_beside_the_key_warn(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"extra._domainkey.{ZONE}")
    assert result.status is Status.WARN
    assert "1 other TXT record(s) at the selector name" in result.summary
    assert result.evidence["record"] == RECORDS["extra"][0]


# Warnings


def test_a_1024_bit_key_warns(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"rsa1024._domainkey.{ZONE}")
    assert result.status is Status.WARN
    assert result.summary == f"rsa1024._domainkey.{ZONE}: RSA 1024-bit key is weak (use 2048 bits)"
    assert result.evidence["bits"] == 1024
    assert "under a NEW selector" in result.fix


def test_testing_mode_warns_with_the_record_to_publish_instead(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"testing._domainkey.{ZONE}")
    assert result.status is Status.WARN
    assert "t=y: the domain says it is testing DKIM" in result.summary
    assert result.evidence["flags"] == ["y", "s"]
    assert f'testing._domainkey.{ZONE}. TXT "v=DKIM1; k=rsa; t=s; p=MII' in result.fix


def test_a_key_larger_than_receivers_must_support_warns(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"huge._domainkey.{ZONE}")
    assert result.status is Status.WARN
    assert "8192-bit key is larger than receivers must support (4096)" in result.summary


# Failures


@pytest.mark.parametrize(
    ("selector", "summary"),
    [
        ("missing", "does not exist (NXDOMAIN): messages signed with selector missing fail DKIM"),
        ("addressonly", "has no TXT record: messages signed with selector addressonly fail"),
        ("gone", f"is a CNAME to old.dkim.{PROVIDER}, which does not exist (NXDOMAIN)"),
        ("revoked", "the key is revoked (p= is empty)"),
        ("rsa512", "RSA 512-bit key: receivers reject keys under 1024 bits"),
        ("notbase64", "p= is not base64: character '!' is not a base64 character"),
        ("noload", "the key does not load: p= does not hold an RSA public key that loads"),
        ("duplicate", "tag k= appears twice"),
        ("two", "2 DKIM records at one name"),
        ("notdkim", "2 TXT records, none of them a DKIM key record"),
        ("sha1", "h=sha1 allows no sha256"),
        ("tlsrpt", "s=tlsrpt does not allow the key for email"),
    ],
)
def test_unusable_keys_fail(sprint: Sprint, selector: str, summary: str) -> None:
    result = run_check(CHECK, sprint, f"{selector}._domainkey.{ZONE}")
    assert result.status is Status.FAIL, result.summary
    assert summary in result.summary
    assert f"Verify: `{lab_dig(sprint)} " in result.fix


@pytest.mark.parametrize("selector", ["two words", "a..b", "[b]x[/b]", "x" * 64])
def test_a_declared_selector_that_cannot_be_a_dns_name_fails(base: Sprint, selector: str) -> None:
    odd = with_email(base, domain=ZONE, dkim_selectors=(selector,))
    result = run_check(CHECK, odd, f"{selector}._domainkey.{ZONE}")
    assert result.status is Status.FAIL
    assert "is not a DNS name a selector can have" in result.summary


def test_a_missing_key_says_where_to_get_it(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"missing._domainkey.{ZONE}")
    assert "sending service's dashboard" in result.fix
    assert result.evidence["name"] == f"missing._domainkey.{ZONE}"
    assert "records" not in result.evidence


def test_two_records_are_both_in_the_evidence(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"two._domainkey.{ZONE}")
    assert sorted(result.evidence["records"]) == sorted(RECORDS["two"])
    assert "delete the others" in result.fix


# Could not check


def test_servfail_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"broken._domainkey.{ZONE}")
    assert_could_not_check(result, "SERVFAIL")


def test_a_dns_timeout_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"slow._domainkey.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "timed out after 1 s")


# Hostile records


def test_rich_markup_in_a_record_is_kept_literally(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"markup._domainkey.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert MARKUP in result.evidence["record"]


def test_control_characters_fail_without_appearing_in_the_summary(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"control._domainkey.{ZONE}")
    assert result.status is Status.FAIL
    assert "character U+001B is not allowed" in result.summary
    assert "\x1b" not in result.summary
    assert result.evidence["record"] == RECORDS["control"][0]  # literal, as published


def test_a_4_kb_record_split_into_many_strings_is_joined(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"big._domainkey.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.evidence["bits"] == 4096
    assert result.evidence["record"] == BIG
    assert len(BIG) > 4000


# Selectors from the catalogue


def test_targets_are_the_declared_selectors_whatever_the_senders() -> None:
    email = EmailConfig(domain=ZONE, senders=("mailgun",), dkim_selectors=("lab", "legacy2019"))
    assert [t.text for t in plan(email)] == [
        f"lab._domainkey.{ZONE}",
        f"legacy2019._domainkey.{ZONE}",
    ]


def test_without_declared_selectors_the_senders_usual_ones_are_targets() -> None:
    email = EmailConfig(domain=ZONE, senders=("postmark", "mailgun", "amazon-ses"))
    assert [t.text for t in plan(email)] == [
        f"pm._domainkey.{ZONE}",
        f"k1._domainkey.{ZONE}",
        f"mx._domainkey.{ZONE}",
        f"smtp._domainkey.{ZONE}",
        f"{ZONE} (Amazon SES)",
    ]
    assert plan(email)[Target.for_name(f"mx._domainkey.{ZONE}")].siblings == ("k1", "smtp")
    assert [t.text for t in plan(EmailConfig(domain=ZONE))] == [ZONE]


def test_a_guessed_selector_passes_when_another_of_the_senders_is_published(
    base: Sprint,
) -> None:
    mailgun = with_email(base, domain=MAILGUN, senders=("mailgun",))
    found = run_check(CHECK, mailgun, f"mx._domainkey.{MAILGUN}")
    assert found.status is Status.PASS, found.summary
    assert found.evidence["guessed_from"] == ["Mailgun"]
    other = run_check(CHECK, mailgun, f"smtp._domainkey.{MAILGUN}")  # k1 fails, mx is found
    assert other.status is Status.PASS, other.summary
    assert other.summary == (
        f"smtp._domainkey.{MAILGUN} does not exist (NXDOMAIN); Mailgun publishes its key "
        "under mx instead (checked on its own row)"
    )
    assert other.evidence["usual_selectors"] == ["smtp", "k1", "mx"]
    assert other.evidence["found"] == ["mx"]


def test_a_guessed_selector_is_an_error_when_no_sibling_is_found_and_one_fails(
    base: Sprint,
) -> None:
    mailgun = with_email(base, domain=MAILGUN_BROKEN, senders=("mailgun",))
    result = run_check(CHECK, mailgun, f"smtp._domainkey.{MAILGUN_BROKEN}")
    assert_could_not_check(result, f"k1._domainkey.{MAILGUN_BROKEN} TXT failed")
    assert "SERVFAIL" in result.summary


def test_none_of_a_senders_usual_selectors_published_fails(base: Sprint) -> None:
    postmark = with_email(base, domain=MAILGUN, senders=("postmark",))
    result = run_check(CHECK, postmark, f"pm._domainkey.{MAILGUN}")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"pm._domainkey.{MAILGUN} does not exist (NXDOMAIN): no DKIM key found for Postmark"
    )
    assert 'dkim_selectors = ["<selector>"]' in result.fix


def test_none_of_several_usual_selectors_published_fails_naming_them(base: Sprint) -> None:
    domain = f"nothing.{ZONE}"
    mailgun = with_email(base, domain=domain, senders=("mailgun",))
    result = run_check(CHECK, mailgun, f"k1._domainkey.{domain}")
    assert result.status is Status.FAIL
    assert result.summary == (
        f"k1._domainkey.{domain} does not exist (NXDOMAIN), nor do Mailgun's other usual "
        "selectors (mx, smtp): no DKIM key found for Mailgun"
    )
    assert "usual DKIM selector(s) (k1, mx, smtp)" in result.fix


def test_a_sender_without_usual_selectors_asks_for_them_to_be_declared(base: Sprint) -> None:
    ses = with_email(base, domain=ZONE, senders=("amazon-ses",))
    result = run_check(CHECK, ses, f"{ZONE} (Amazon SES)")
    assert result.status is Status.WARN
    assert "declare them in [email].dkim_selectors" in result.summary
    assert "[email]\ndkim_selectors" in result.fix


def test_nothing_declared_skips_with_how_to_declare(base: Sprint) -> None:
    result = run_check(CHECK, with_email(base, domain=ZONE), ZONE)
    assert result.status is Status.SKIP
    assert "no [email].dkim_selectors or senders declared" in result.summary


# The demo


def test_the_demo_legacy_selector_is_seeded_with_a_1024_bit_key_and_warns(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with LabThread(demo_config(base_port=0), tmp_path_factory.mktemp("demo")) as lab:
        assert f"  legacy2019._domainkey.{ZONE}: DKIM key of 1024 bits" in lab.describe()
        demo = lab_sprint(lab, tmp_path_factory.mktemp("demo-sprint"))
        demo = with_email(demo, domain=ZONE, dkim_selectors=("legacy2019",))
        result = run_check(CHECK, demo, f"legacy2019._domainkey.{ZONE}")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["bits"] == 1024
