"""DKIM signatures of received messages, verified by dkimpy with key lookups on the lab's DNS."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dkim
import pytest
from dkim_keys import ed25519_p, ed25519_private_b64, rsa_p, rsa_private_pem
from lab_fixtures import ZONE

from launchtui.email.dkim_verify import (
    MAX_SIGNATURES,
    MessageUnreadable,
    verify_message,
    verify_message_async,
)
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread
from launchtui.model.sprint import HostPort

MESSAGE = (
    b"From: Harbor Club <hello@harborclub.test>\r\n"
    b"To: seed@inbox.test\r\n"
    b"Subject: Welcome to Harbor Club\r\n"
    b"Message-ID: <token-1234@harborclub.test>\r\n"
    b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
    b"\r\n"
    b"Welcome aboard! Your invite link: https://app.harborclub.test/invite/demo\r\n"
)


def lab_config() -> LabConfig:
    return LabConfig(
        hosts=[
            HostSpec(ZONE),
            HostSpec(f"servfail.{ZONE}", dns="servfail"),
            HostSpec(f"drop.{ZONE}", dns="drop"),
        ],
        txt={
            f"lab._domainkey.{ZONE}": [f"v=DKIM1; k=rsa; p={rsa_p(2048)}"],
            f"ed._domainkey.{ZONE}": [f"v=DKIM1; k=ed25519; p={ed25519_p()}"],
            f"other._domainkey.{ZONE}": [f"v=DKIM1; k=rsa; p={rsa_p(1024)}"],  # another key
            f"revoked._domainkey.{ZONE}": ["v=DKIM1; p="],
            f"garbage._domainkey.{ZONE}": ["v=DKIM1; p=not!base64"],
        },
        mx={},
        caa={},
        records=[
            (f"slow._domainkey.{ZONE}", "CNAME", f"drop.{ZONE}."),
            (f"broken._domainkey.{ZONE}", "CNAME", f"servfail.{ZONE}."),
        ],
        external_zones={},
        dns_port=0,
        https_port=0,
        http_port=0,
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(lab_config(), tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture
def nameservers(lab: Lab) -> tuple[HostPort, ...]:
    return (lab.dns_address,)


def signed(selector: str, message: bytes = MESSAGE, domain: str = ZONE) -> bytes:
    signature = dkim.sign(message, selector.encode(), domain.encode(), rsa_private_pem(2048))
    return bytes(signature) + message


def test_a_signature_with_the_published_key_passes(nameservers: tuple[HostPort, ...]) -> None:
    [result] = verify_message(signed("lab"), nameservers, timeout=2.0)
    assert (result.domain, result.selector) == (ZONE, "lab")
    assert (result.result, result.code) == ("pass", "pass")
    assert result.reason == "signature verified"
    assert result.to_dict()["result"] == "pass"


def test_an_ed25519_signature_rfc_8463_passes_and_fails_when_tampered(
    nameservers: tuple[HostPort, ...],
) -> None:
    signature = dkim.sign(
        MESSAGE, b"ed", ZONE.encode(), ed25519_private_b64(), signature_algorithm=b"ed25519-sha256"
    )
    [result] = verify_message(bytes(signature) + MESSAGE, nameservers, timeout=2.0)
    assert (result.selector, result.result) == ("ed", "pass")
    tampered = bytes(signature) + MESSAGE.replace(b"Subject: Welcome", b"Subject: Urgent")
    [result] = verify_message(tampered, nameservers, timeout=2.0)
    assert result.result == "fail"


def test_a_tampered_body_fails(nameservers: tuple[HostPort, ...]) -> None:
    tampered = signed("lab").replace(b"invite/demo", b"invite/evil")
    [result] = verify_message(tampered, nameservers, timeout=2.0)
    assert result.result == "fail"
    assert result.code == "fail"  # verification failed; nothing was unrecoverable
    assert "body hash mismatch" in result.reason


def test_a_changed_signed_header_fails(nameservers: tuple[HostPort, ...]) -> None:
    tampered = signed("lab").replace(b"Subject: Welcome", b"Subject: Urgent")
    [result] = verify_message(tampered, nameservers, timeout=2.0)
    assert (result.result, result.code) == ("fail", "fail")
    assert "does not match the signed header fields" in result.reason


def test_a_key_that_is_not_in_dns_fails_with_the_reason(nameservers: tuple[HostPort, ...]) -> None:
    [result] = verify_message(signed("absent"), nameservers, timeout=2.0)
    assert (result.result, result.code) == ("fail", "permerror")
    assert result.reason == f"no DKIM key published at absent._domainkey.{ZONE}"


def test_another_key_published_than_the_one_that_signed_fails(
    nameservers: tuple[HostPort, ...],
) -> None:
    [result] = verify_message(signed("other"), nameservers, timeout=2.0)
    assert (result.result, result.code) == ("fail", "fail")


@pytest.mark.parametrize(
    ("selector", "reason"),
    [
        ("revoked", f"the key at revoked._domainkey.{ZONE} is revoked (p= is empty)"),
        ("garbage", "is unusable: p= is not base64"),
    ],
)
def test_unusable_published_keys_fail_with_our_reason(
    nameservers: tuple[HostPort, ...], selector: str, reason: str
) -> None:
    [result] = verify_message(signed(selector), nameservers, timeout=2.0)
    assert (result.result, result.code) == ("fail", "permerror")
    assert reason in result.reason


def test_a_dns_timeout_is_an_error_not_a_pass(nameservers: tuple[HostPort, ...]) -> None:
    [result] = verify_message(signed("slow"), nameservers, timeout=1.0)
    assert (result.result, result.code) == ("error", "temperror")
    assert f"slow._domainkey.{ZONE} TXT timed out after 1 s" in result.reason


def test_servfail_is_an_error(nameservers: tuple[HostPort, ...]) -> None:
    [result] = verify_message(signed("broken"), nameservers, timeout=2.0)
    assert (result.result, result.code) == ("error", "temperror")
    assert "SERVFAIL" in result.reason


def test_every_signature_is_reported_topmost_first(nameservers: tuple[HostPort, ...]) -> None:
    twice = signed("absent", signed("lab"))
    results = verify_message(twice, nameservers, timeout=2.0)
    assert [(r.selector, r.result) for r in results] == [("absent", "fail"), ("lab", "pass")]


def test_an_unsigned_message_has_no_results(nameservers: tuple[HostPort, ...]) -> None:
    assert verify_message(MESSAGE, nameservers, timeout=2.0) == []


def test_a_malformed_signature_fails_with_dkimpys_reason(
    nameservers: tuple[HostPort, ...],
) -> None:
    message = b"DKIM-Signature: v=1; a=rsa-sha256; d=[bold]x[/bold]\x1b\r\n" + MESSAGE
    [result] = verify_message(message, nameservers, timeout=2.0)
    assert (result.result, result.code) == ("fail", "permerror")
    assert result.domain == "[bold]x[/bold]\x1b"  # kept literally, as data
    assert result.reason


def test_signatures_beyond_the_limit_are_not_checked(nameservers: tuple[HostPort, ...]) -> None:
    flood = b"DKIM-Signature: v=1; d=x.test; s=s\r\n" * (MAX_SIGNATURES + 2) + MESSAGE
    results = verify_message(flood, nameservers, timeout=2.0)
    assert len(results) == MAX_SIGNATURES + 2
    assert {r.result for r in results[:MAX_SIGNATURES]} == {"fail"}
    assert [r.result for r in results[MAX_SIGNATURES:]] == ["error", "error"]
    assert "only the first 8 signatures" in results[-1].reason


def test_the_async_form_gives_the_same_results(nameservers: tuple[HostPort, ...]) -> None:
    [result] = asyncio.run(verify_message_async(signed("lab"), nameservers, timeout=2.0))
    assert result.result == "pass"


@pytest.mark.parametrize(
    "message",
    [b"garbage", b"\x00\xff: x\r\n\r\n", b" folded: x\r\nDKIM-Signature: v=1\r\n\r\nbody"],
)
def test_a_message_without_a_readable_header_is_refused_clearly(
    nameservers: tuple[HostPort, ...], message: bytes
) -> None:
    with pytest.raises(MessageUnreadable, match="cannot read the message's header"):
        verify_message(message, nameservers, timeout=2.0)
