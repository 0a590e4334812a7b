"""Property-based tests (issue 19's rule for every parser of network text) of the sender rules'
reading of a received message (issue 20): Received and Received-SPF trace fields,
List-Unsubscribe, List-Unsubscribe-Post, the DKIM-Signature's h= tag, Date, Message-ID and
From. Mutated messages end in a status for every rule, never an exception; reverse DNS is asked
of a real lab DNS server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fuzz_mutations import mutate
from hypothesis import example, given
from hypothesis import strategies as st
from spf_helpers import spf_world
from test_sender_rules import ONE_CLICK, RECORDS, SIGNED_LISTS, VERIFIED, Z, message

from launchtui.email.dns_sync import SyncResolver
from launchtui.email.sender_rules import (
    FAIL,
    NA,
    PASS,
    PROVIDERS,
    RULES,
    UNKNOWN,
    WARN,
    SenderFacts,
    judge,
    provider_verdicts,
)
from launchtui.lab import LabThread

STATUSES = {PASS, WARN, FAIL, UNKNOWN, NA}
BITS = [
    "\r\n",
    "\r\n\t",
    "\x00",
    "\x1b[31m",
    "[bold]",
    "<",
    ">",
    ";",
    "=",
    "(",
    ")",
    "[",
    "]",
    "[IPv6:::1]",
    "client-ip=",
    "client-ip=999.1.1.1",
    " with ",
    " by ",
    "from ",
    "é",
    "\ufeff",
    "x" * 300,
]


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncResolver]:
    config = spf_world(Z, {}, records=RECORDS, external=("2.0.192.in-addr.arpa", "isp.test"))
    with LabThread(config, tmp_path_factory.mktemp("fuzzrules")) as lab:
        yield SyncResolver([lab.dns_address], timeout=1.0)


@st.composite
def received_messages(draw: st.DrawFn) -> bytes:
    valid = message(
        sending_ip=draw(st.sampled_from(["192.0.2.25", "192.0.2.26", "192.0.2.27", "::1"])),
        hop=draw(st.sampled_from(["ESMTPS", "ESMTPSA", "ESMTP", "UTF8SMTPS", "HTTP"])),
        signature=SIGNED_LISTS,
        extra=draw(st.sampled_from([ONE_CLICK, {}])),
        received_spf=draw(st.booleans()),
    ).decode()
    head, _, body = valid.partition("\r\n\r\n")
    return (mutate(draw, head, bits=BITS) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")


@given(received_messages(), st.sampled_from(["welcome", "launch-announcement"]))
@example(b"Received: from\r\n\r\n", "welcome")
@example(b"Received-SPF: pass client-ip=1.2.3.4.5;\r\nReceived: by x\r\n\r\n", "welcome")
@example(b"List-Unsubscribe: <<<>>>\r\nDKIM-Signature: h\r\n\r\n", "launch-announcement")
@example(b"From: \r\nFrom: a@b, c@d\r\nDate: \r\n\r\n", "welcome")
@example(b"From: Rulehello@rules.test>\r\n\r\n", "welcome")  # found: two addresses parsed
def test_fuzz_received_messages_end_in_a_status_for_every_rule(
    resolver: SyncResolver, data: bytes, template: str
) -> None:
    facts = SenderFacts(Z, f"Rules Club <hello@{Z}>", VERIFIED, from_aligned=True)
    judged = judge(template, data, facts, resolver)
    assert list(judged) == list(RULES)
    assert {j.status for j in judged.values()} <= STATUSES
    verdicts = provider_verdicts({rule: j.status for rule, j in judged.items()})
    assert set(verdicts) == {p.key for p in PROVIDERS}
