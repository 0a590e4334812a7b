"""The mailbox providers' sender rules (issue 20) judged on received messages: each rule passes
and fails for the right reason. Messages are built here as a receiver would have stored them;
reverse DNS is asked of a real lab DNS server on loopback. The rules' sources: Gmail's email
sender guidelines (support.google.com/a/answer/81126), Yahoo's sender best practices
(senders.yahooinc.com/best-practices), Outlook.com's high-volume sender requirements (May 2025),
RFC 8058 (one-click unsubscribe), RFC 3848 (ESMTPS/ESMTPSA), RFC 5322 (Date, Message-ID)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lab_fixtures import HOSTILE_TEXT
from spf_helpers import spf_world

from launchtui.email.dns_sync import SyncResolver
from launchtui.email.sender_rules import (
    FAIL,
    NA,
    PASS,
    UNKNOWN,
    WARN,
    SenderFacts,
    judge,
    provider_verdicts,
)
from launchtui.lab import LabThread

Z = "rules.test"
FROM = f"Rules Club <hello@{Z}>"
RECORDS = [
    (f"mail.{Z}", "A", "192.0.2.25"),
    ("25.2.0.192.in-addr.arpa", "PTR", f"mail.{Z}."),
    ("26.2.0.192.in-addr.arpa", "PTR", "host-192-0-2-26.dsl.isp.test."),
    ("host-192-0-2-26.dsl.isp.test", "A", "192.0.2.77"),
]
VERIFIED = {
    "spf": "pass",
    "spf_domain": Z,
    "dkim": "pass",
    "dkim_domain": Z,
    "dmarc": "pass",
    "dmarc_policy": "none",
    "dmarc_aligned": "dkim, spf",
}
SIGNED = "v=1; a=rsa-sha256; d=rules.test; s=lab; h=from:to:subject:date:message-id; b=AAAA"
SIGNED_LISTS = SIGNED.replace("message-id;", "message-id:list-unsubscribe:list-unsubscribe-post;")
ONE_CLICK = {
    "List-Unsubscribe": f"<https://{Z}/unsubscribe?m=1>, <mailto:unsubscribe@{Z}>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncResolver]:
    config = spf_world(Z, {}, records=RECORDS, external=("2.0.192.in-addr.arpa", "isp.test"))
    with LabThread(config, tmp_path_factory.mktemp("rules")) as lab:
        yield SyncResolver([lab.dns_address], timeout=2.0)


def message(
    *,
    sending_ip: str = "192.0.2.25",
    hop: str = "ESMTPS",
    signature: str = SIGNED,
    date: str | None = "Sun, 06 Dec 2026 09:00:00 +0000",
    message_id: str | None = f"<lt-1@{Z}>",
    sender: str = FROM,
    extra: dict[str, str] | None = None,
    received_spf: bool = True,
) -> bytes:
    lines = []
    if received_spf:
        lines.append(
            f"Received-SPF: pass (mx.seed.test: ok) client-ip={sending_ip}; helo=mail.{Z};"
        )
    lines += [
        f"Received: from mail.{Z} (mail.{Z} [{sending_ip}])\r\n\tby mx.seed.test with {hop} id A1"
        "\r\n\tfor <ana@seed.test>; Sun, 06 Dec 2026 09:00:01 +0000",
        f"DKIM-Signature: {signature}",
        "Received: from client ([127.0.0.1])\r\n\tby mail.rules.test with ESMTPSA id A1; "
        "Sun, 06 Dec 2026 09:00:00 +0000",
        f"From: {sender}",
        "To: ana@seed.test",
        "Subject: test",
    ]
    if date is not None:
        lines.append(f"Date: {date}")
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    lines += [f"{name}: {value}" for name, value in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\nbody\r\n").encode()


def rules(
    resolver: SyncResolver,
    data: bytes,
    template: str = "welcome",
    verified: dict[str, str] | None = None,
    aligned: bool = True,
):  # type: ignore[no-untyped-def]
    facts = SenderFacts(Z, FROM, VERIFIED if verified is None else verified, aligned)
    return judge(template, data, facts, resolver)


def test_a_sound_message_meets_every_rule_and_every_provider(resolver: SyncResolver) -> None:
    judged = rules(
        resolver, message(signature=SIGNED_LISTS, extra=ONE_CLICK), "launch-announcement"
    )
    assert {rule: j.status for rule, j in judged.items()} == {
        "spf": PASS,
        "dkim": PASS,
        "dmarc": PASS,
        "dkim-domain": PASS,
        "unsubscribe": PASS,
        "tls": PASS,
        "rdns": PASS,
        "format": PASS,
        "from": PASS,
    }
    assert judged["rdns"].seen == f"192.0.2.25 -> mail.{Z} -> 192.0.2.25"
    assert judged["dmarc"].seen == "DMARC pass (p=none), aligned: dkim, spf"
    statuses = {rule: j.status for rule, j in judged.items()}
    assert provider_verdicts(statuses) == {"gmail": "meets", "yahoo": "meets", "outlook": "meets"}


def test_transactional_mail_needs_no_unsubscribe(resolver: SyncResolver) -> None:
    judged = rules(resolver, message())
    assert judged["unsubscribe"].status == NA
    assert judged["unsubscribe"].seen == "transactional: no unsubscribe needed"


@pytest.mark.parametrize(
    ("extra", "signature", "status", "seen"),
    [
        ({}, SIGNED, FAIL, "no List-Unsubscribe header"),
        (
            {"List-Unsubscribe": f"<mailto:unsubscribe@{Z}>"},
            SIGNED_LISTS,
            WARN,
            "mailto: only, no HTTPS one-click URI",
        ),
        (
            {"List-Unsubscribe": f"<https://{Z}/u>"},
            SIGNED_LISTS,
            FAIL,
            "List-Unsubscribe-Post: none (RFC 8058 needs exactly List-Unsubscribe=One-Click)",
        ),
        (
            {"List-Unsubscribe": f"<https://{Z}/u>", "List-Unsubscribe-Post": "yes"},
            SIGNED_LISTS,
            FAIL,
            "List-Unsubscribe-Post: yes (RFC 8058",
        ),
        (ONE_CLICK, SIGNED, FAIL, "does not cover list-unsubscribe, list-unsubscribe-post"),
        ({"List-Unsubscribe": "http://x.test/u, mailto-less"}, SIGNED_LISTS, FAIL, "no HTTPS URI"),
    ],
)
def test_one_click_unsubscribe_on_the_announcement(
    resolver: SyncResolver, extra: dict[str, str], signature: str, status: str, seen: str
) -> None:
    judged = rules(resolver, message(signature=signature, extra=extra), "launch-announcement")
    assert judged["unsubscribe"].status == status, judged["unsubscribe"]
    assert seen in judged["unsubscribe"].seen
    assert "list-unsubscribe-post" in judged["unsubscribe"].fix.lower()  # the fix names it
    verdicts = provider_verdicts({r: j.status for r, j in judged.items()})
    if status == FAIL:  # Gmail and Yahoo ask for it, Outlook.com only recommends it
        assert verdicts == {
            "gmail": "misses: unsubscribe",
            "yahoo": "misses: unsubscribe",
            "outlook": "meets",
        }


def test_a_hop_without_tls_fails_naming_it(resolver: SyncResolver) -> None:
    judged = rules(resolver, message(hop="ESMTP"))
    assert judged["tls"].status == FAIL
    assert judged["tls"].seen == f"not over TLS: mail.{Z} -> mx.seed.test (ESMTP)"
    assert provider_verdicts({r: j.status for r, j in judged.items()})["gmail"] == "misses: tls"


def test_no_received_hop_leaves_tls_and_rdns_unknown_never_met(resolver: SyncResolver) -> None:
    data = message(received_spf=False).replace(b"Received: from", b"X-Old: from")
    judged = rules(resolver, data)
    assert judged["tls"].status == UNKNOWN
    assert judged["rdns"].status == UNKNOWN
    verdicts = provider_verdicts({r: j.status for r, j in judged.items()})
    assert verdicts["gmail"] == "unknown: tls, rdns"
    assert verdicts["outlook"] == "meets"


@pytest.mark.parametrize(
    ("ip", "seen", "fix"),
    [
        ("192.0.2.27", "192.0.2.27 has no PTR record (27.2.0.192.in-addr.arpa)", "PTR mail."),
        (
            "192.0.2.26",
            "192.0.2.26 -> host-192-0-2-26.dsl.isp.test, which does not resolve back",
            "host-192-0-2-26.dsl.isp.test. A 192.0.2.26",
        ),
    ],
)
def test_reverse_dns_must_resolve_back(
    resolver: SyncResolver, ip: str, seen: str, fix: str
) -> None:
    judged = rules(resolver, message(sending_ip=ip))
    assert judged["rdns"].status == FAIL
    assert seen in judged["rdns"].seen
    assert fix in judged["rdns"].fix


def test_without_received_spf_the_topmost_hop_names_the_sending_address(
    resolver: SyncResolver,
) -> None:
    judged = rules(resolver, message(received_spf=False))
    assert judged["rdns"].seen == f"192.0.2.25 -> mail.{Z} -> 192.0.2.25"


def test_reverse_dns_without_an_answer_is_unknown(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    silent = SyncResolver([("127.0.0.1", 9)], timeout=0.3)  # nothing listens on the discard port
    judged = rules(silent, message())
    assert judged["rdns"].status == UNKNOWN
    assert "reverse DNS of 192.0.2.25 not answered" in judged["rdns"].seen


@pytest.mark.parametrize(
    ("kwargs", "seen"),
    [
        ({"date": None}, "0 Date headers"),
        ({"date": "yesterday"}, "Date 'yesterday' is not an RFC 5322 date with a zone"),
        ({"message_id": None}, "0 Message-ID headers"),
        ({"message_id": "no-brackets@x"}, "Message-ID 'no-brackets@x' is not <left@right>"),
        ({"extra": {"Date": "Sun, 06 Dec 2026 09:00:00 +0000"}}, "2 Date headers"),
    ],
)
def test_date_and_message_id_must_be_well_formed(
    resolver: SyncResolver, kwargs: dict[str, object], seen: str
) -> None:
    judged = rules(resolver, message(**kwargs))  # type: ignore[arg-type]
    assert judged["format"].status == FAIL
    assert seen in judged["format"].seen


@pytest.mark.parametrize(
    ("sender", "aligned", "status", "seen"),
    [
        (f"hello@{Z}", True, WARN, "no display name"),
        (f"Other Name <hello@{Z}>", True, WARN, "the display name is not 'Rules Club'"),
        ("Rules Club <hello@elsewhere.test>", False, FAIL, f"not on {Z}"),
        (f"a@{Z}, b@{Z}", True, FAIL, "From holds 2 addresses"),
    ],
)
def test_the_sender_name_follows_the_domain_strategy(
    resolver: SyncResolver, sender: str, aligned: bool, status: str, seen: str
) -> None:
    judged = rules(resolver, message(sender=sender), aligned=aligned)
    assert judged["from"].status == status
    assert seen in judged["from"].seen


def test_authentication_failures_fail_their_rules(resolver: SyncResolver) -> None:
    verified = {
        "spf": "softfail",
        "spf_reason": "not listed",
        "dkim": "none",
        "dkim_reason": "no DKIM-Signature header",
        "dmarc": "fail",
        "dmarc_reason": "no aligned identifier passed",
        "dmarc_aligned": "none",
    }
    judged = rules(resolver, message(), verified=verified)
    assert [judged[r].status for r in ("spf", "dkim", "dmarc", "dkim-domain")] == [FAIL] * 4
    assert judged["spf"].seen == "SPF softfail: not listed"
    verdicts = provider_verdicts({r: j.status for r, j in judged.items()})
    assert verdicts["outlook"] == "misses: spf, dkim, dmarc"


def test_a_dkim_domain_that_does_not_align_warns(resolver: SyncResolver) -> None:
    verified = {**VERIFIED, "dkim_domain": "esp-mail.test", "dmarc_aligned": "spf"}
    judged = rules(resolver, message(), verified=verified)
    assert judged["dkim-domain"].status == WARN
    assert judged["dmarc"].status == PASS
    assert f"d={Z}" in judged["dkim-domain"].fix


def test_no_dmarc_record_fails_with_the_record_to_publish(resolver: SyncResolver) -> None:
    verified = {**VERIFIED, "dmarc": "none", "dmarc_reason": f"no DMARC record at _dmarc.{Z}"}
    judged = rules(resolver, message(), verified=verified)
    assert judged["dmarc"].status == FAIL
    assert "v=DMARC1; p=none" in judged["dmarc"].fix


def test_a_temporary_dns_error_is_unknown_not_a_failure(resolver: SyncResolver) -> None:
    verified = {**VERIFIED, "dkim": "temperror", "dkim_reason": "key lookup timed out"}
    assert rules(resolver, message(), verified=verified)["dkim"].status == UNKNOWN


def test_hostile_header_text_is_kept_literal(resolver: SyncResolver) -> None:
    hostile = HOSTILE_TEXT.replace("\n", " ").replace("\r", " ")
    data = message(extra={"List-Unsubscribe": f"<mailto:{hostile}@x>"})
    judged = rules(resolver, data, "launch-announcement")
    assert judged["unsubscribe"].status == WARN
    assert "[bold red]pwned[/] \x1b[31mred" in judged["unsubscribe"].seen
