"""The lab relay's options for the big mailbox providers' sender rules (issue 20), through the
real relay: DKIM signing on or off, the unsubscribe headers kept under the signature, stripped
or left unsigned, the delivery hop with or without TLS, and the sending address's reverse DNS
matching, mismatching or missing in the lab's DNS."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.reversename
import pytest

from launchtui.lab import Lab, LabThread
from launchtui.lab.config import LabConfig
from launchtui.lab.mail.relay import without_headers
from launchtui.lab.zone import MISMATCH_ADDRESS

pytest_plugins = ["mail_fixtures"]

from test_lab_mail import message, send, stored  # noqa: E402

ANA = "ana@seedmail.test"
UNSUBSCRIBE = (
    "List-Unsubscribe: <https://app.harborclub.test/unsubscribe/t0k3n>,\r\n"
    " <mailto:unsubscribe@harborclub.test?subject=unsubscribe>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
)


def announcement(subject: str) -> bytes:
    """A marketing message with RFC 8058 one-click unsubscribe (the first field folded)."""
    return UNSUBSCRIBE.encode() + message(ANA, subject)


def deliver(lab: Lab, subject: str) -> tuple[bytes, object]:
    send(lab, ANA, announcement(subject))
    data = stored(lab, ANA, "INBOX", subject)  # SPF passes whatever the options

    return data, BytesParser(policy=default).parsebytes(data)


def header_block(data: bytes) -> list[str]:
    """The stored message's field names, top to bottom."""
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    return [line.split(":", 1)[0] for line in head.split("\r\n") if line[:1] not in (" ", "\t")]


def signed_names(parsed: object) -> list[str]:
    signature = str(parsed["DKIM-Signature"])  # type: ignore[index]
    match = re.search(r"\bh=([^;]+)", re.sub(r"\s+", "", signature))
    assert match is not None
    return match[1].lower().split(":")


def query(lab: Lab, name: str, rdtype: str) -> dns.message.Message:
    host, port = lab.dns_address
    return dns.query.udp(dns.message.make_query(name, rdtype), host, port=port, timeout=5)


def answers(lab: Lab, name: str, rdtype: str) -> list[str]:
    response = query(lab, name, rdtype)
    return [rdata.to_text() for rrset in response.answer for rdata in rrset]


@pytest.fixture(scope="module")
def variant(relay_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Lab]]:
    """Labs with the relay options changed, started on first use, stopped at module end."""
    threads: list[LabThread] = []
    settings = {
        "unsigned-plain-nordns": {"relay_dkim": False, "relay_tls": False, "sending_rdns": "none"},
        "strip-mismatch": {"relay_unsubscribe": "strip", "sending_rdns": "mismatch"},
        "unsigned-unsub": {"relay_unsubscribe": "unsigned"},
    }

    class Labs(dict[str, Lab]):
        def __missing__(self, key: str) -> Lab:
            config = dataclasses.replace(relay_lab.config, **settings[key])
            thread = LabThread(config, Path(tmp_path_factory.mktemp(key)))
            threads.append(thread)
            lab = self[key] = thread.__enter__()
            return lab

    yield Labs()
    for thread in threads:
        thread.__exit__(None, None, None)


def test_default_relay_signs_the_unsubscribe_headers_and_records_every_hop(relay_lab):
    data, parsed = deliver(relay_lab, "rules-keep")
    assert header_block(data)[:7] == [
        "Delivered-To",
        "Authentication-Results",
        "X-Lab-Filter",
        "Received-SPF",
        "Received",
        "DKIM-Signature",
        "Received",
    ]
    names = signed_names(parsed)
    assert "list-unsubscribe" in names and "list-unsubscribe-post" in names
    assert "received" not in names and "from" in names
    assert "dkim=pass header.d=harborclub.test" in str(parsed["Authentication-Results"])
    assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    delivery, submission = parsed.get_all("Received")
    assert re.fullmatch(
        r"from mail\.harborclub\.test \(mail\.harborclub\.test \[127\.0\.0\.1\]\)\s+"
        r"by mx\.seedmail\.test \(launchtui lab receiver\) with ESMTPS id [0-9A-F]{12}\s+"
        r"for <ana@seedmail\.test>; .+",
        str(delivery),
    )
    assert re.fullmatch(
        r"from test\.client \(\[127\.0\.0\.1\]\)\s+by mail\.harborclub\.test "
        r"\(launchtui lab relay\) with ESMTPSA id [0-9A-F]{12}; .+",
        str(submission),
    )
    spf = str(parsed["Received-SPF"])
    assert spf.startswith("pass (mail.harborclub.test: ")
    assert spf.endswith(
        ' client-ip=127.0.0.1; envelope-from="hello@harborclub.test"; helo=mail.harborclub.test;'
    )


def test_a_message_without_unsubscribe_headers_is_signed_without_them(relay_lab):
    send(relay_lab, ANA, message(ANA, "rules-plain"))
    parsed = BytesParser(policy=default).parsebytes(stored(relay_lab, ANA, "INBOX", "rules-plain"))
    names = signed_names(parsed)
    assert "list-unsubscribe" not in names and "list-unsubscribe-post" not in names


def test_relay_without_dkim_and_tls_leaves_no_signature_and_an_esmtp_hop(variant):
    lab = variant["unsigned-plain-nordns"]
    data, parsed = deliver(lab, "rules-nodkim")
    assert parsed["DKIM-Signature"] is None
    assert "dkim=none" in str(parsed["Authentication-Results"])
    assert header_block(data)[3:6] == ["Received-SPF", "Received", "Received"]
    delivery, submission = parsed.get_all("Received")
    assert " with ESMTP id " in str(delivery) and "(unknown [127.0.0.1])" in str(delivery)
    assert " with ESMTPSA id " in str(submission)  # the submission hop is always TLS + AUTH
    assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"


def test_strip_removes_both_unsubscribe_headers_before_signing(variant):
    data, parsed = deliver(variant["strip-mismatch"], "rules-strip")
    assert parsed["List-Unsubscribe"] is None and parsed["List-Unsubscribe-Post"] is None
    assert b"mailto:unsubscribe" not in data  # the folded line went with its field
    names = signed_names(parsed)
    assert "list-unsubscribe" not in names
    assert "dkim=pass" in str(parsed["Authentication-Results"])
    delivery = parsed.get_all("Received")[0]
    assert "(host-127-0-0-1.dsl.isp.test [127.0.0.1])" in str(delivery)


def test_unsigned_keeps_the_unsubscribe_headers_outside_the_signature(variant):
    _, parsed = deliver(variant["unsigned-unsub"], "rules-unsigned")
    assert "https://app.harborclub.test/unsubscribe/t0k3n" in str(parsed["List-Unsubscribe"])
    assert str(parsed["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    names = signed_names(parsed)
    assert "list-unsubscribe" not in names and "list-unsubscribe-post" not in names
    assert "dkim=pass" in str(parsed["Authentication-Results"])


def test_matching_reverse_dns_points_to_mail_host_which_points_back(relay_lab):
    reverse = dns.reversename.from_address("127.0.0.1").to_text()
    assert answers(relay_lab, reverse, "PTR") == ["mail.harborclub.test."]
    assert answers(relay_lab, "mail.harborclub.test", "A") == ["127.0.0.1"]
    # Another reverse name in the same zone is NXDOMAIN, not REFUSED.
    other = query(relay_lab, dns.reversename.from_address("127.0.0.2").to_text(), "PTR")
    assert other.rcode() == dns.rcode.NXDOMAIN


def test_mismatching_reverse_dns_points_to_an_isp_name_with_another_address(variant):
    lab = variant["strip-mismatch"]
    reverse = dns.reversename.from_address("127.0.0.1").to_text()
    assert answers(lab, reverse, "PTR") == ["host-127-0-0-1.dsl.isp.test."]
    assert answers(lab, "host-127-0-0-1.dsl.isp.test", "A") == [MISMATCH_ADDRESS]
    assert query(lab, "other.isp.test", "A").rcode() == dns.rcode.NXDOMAIN


def test_no_reverse_dns_is_nxdomain(variant):
    lab = variant["unsigned-plain-nordns"]
    response = query(lab, dns.reversename.from_address("127.0.0.1").to_text(), "PTR")
    assert response.rcode() == dns.rcode.NXDOMAIN and not response.answer


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("relay_unsubscribe", "drop"),
        ("sending_rdns", "partial"),
        ("relay_dkim", "yes"),
        ("relay_tls", 1),
    ],
)
def test_invalid_option_values_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        LabConfig(**{field: value})


def test_without_headers_drops_folded_fields_and_keeps_the_body():
    raw = announcement("x") + b"List-Unsubscribe: in the body\r\n"
    out = without_headers(raw, [b"list-unsubscribe", b"list-unsubscribe-post"])
    head, body = out.split(b"\r\n\r\n", 1)
    assert b"nsubscribe" not in head and head.startswith(b"From: ")
    assert body.endswith(b"List-Unsubscribe: in the body\r\n")
