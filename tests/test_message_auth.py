"""Authenticating received messages (DKIM with dkimpy, DMARC by RFC 9989: the DNS Tree Walk,
psd, sp and np, t=y) against the lab's real DNS server, and parsing Authentication-Results,
hostile input included."""

from __future__ import annotations

import dkim
import pytest
from lab_fixtures import ZONE

from launchtui.email.authres import MAX_LENGTH, parse
from launchtui.email.dns_sync import SyncResolver
from launchtui.email.message_auth import (
    DkimVerdict,
    check_spf,
    evaluate_dmarc,
    from_address,
    relaxed_aligned,
    verify_dkim,
)
from launchtui.email.templates import TOKEN_HEADER, render
from launchtui.lab import LabConfig
from launchtui.lab.mail.dkim_key import new_key
from launchtui.lab.mail.receiver import authenticate

pytest_plugins = ["lab_fixtures"]

KEY = new_key(ZONE)
MESSAGE = (
    b"From: Harbor Club <hello@harborclub.test>\r\nTo: ana@seedmail.test\r\n"
    b"Subject: Welcome\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n"
)


def signed(message: bytes = MESSAGE, selector: str = "lab", domain: str = ZONE) -> bytes:
    header = dkim.sign(message, selector.encode(), domain.encode(), KEY.private_pem)
    return header + message


@pytest.fixture
def resolver(start_lab) -> SyncResolver:
    config = LabConfig(
        txt={
            f"lab._domainkey.{ZONE}": [KEY.txt],
            f"broken._domainkey.{ZONE}": ["v=DKIM1; k=rsa; p=!!not-base64!!"],
            f"_dmarc.{ZONE}": ["v=DMARC1; p=quarantine; rua=mailto:d@harborclub.test"],
            f"_dmarc.strict.{ZONE}": ["v=DMARC1; p=reject; adkim=s"],
            f"_dmarc.twice.{ZONE}": ["v=DMARC1; p=none", "v=DMARC1; p=reject"],
            # A delegated subtree that is its own organizational domain (RFC 9989 4.7 psd=n).
            f"_dmarc.dept.{ZONE}": ["v=DMARC1; p=reject; psd=n"],
            ZONE: ["v=spf1 ip4:127.0.0.1 -all"],
            # A public suffix domain's policy (psd=y) over registrants without records.
            "_dmarc.registry.test": ["v=DMARC1; p=reject; psd=y"],
            # sp for existing subdomains, np for the others (RFC 9989 4.10.1).
            "_dmarc.layers.test": [
                "v=DMARC1; p=none; sp=quarantine; np=reject; rua=mailto:d@layers.test"
            ],
            "_dmarc.testing.test": ["v=DMARC1; p=reject; t=y; rua=mailto:d@testing.test"],
        },
        records=[("www.layers.test", "A", "192.0.2.10")],
        hosts=[],
        external_zones={
            "example.org": [],
            "registry.test": [],
            "layers.test": [],
            "testing.test": [],
        },
    )
    lab = start_lab(config)
    return SyncResolver([lab.dns_address], timeout=3)


def test_a_good_signature_passes_and_names_its_domain_and_selector(resolver):
    verdict = verify_dkim(signed(), resolver)
    assert verdict == DkimVerdict("pass", ZONE, "lab", "signature verified")


def test_a_changed_body_fails(resolver):
    tampered = signed().replace(b"Hello.", b"Hellp.")
    verdict = verify_dkim(tampered, resolver)
    assert verdict.result == "fail" and "body hash mismatch" in verdict.reason
    header_changed = signed().replace(b"Subject: Welcome", b"Subject: Welcome!")
    assert verify_dkim(header_changed, resolver).result == "fail"


def test_no_signature_is_none_and_a_missing_or_broken_key_a_permerror(resolver):
    assert verify_dkim(MESSAGE, resolver).result == "none"
    assert verify_dkim(signed(selector="gone"), resolver).result == "permerror"
    broken = verify_dkim(signed(selector="broken"), resolver)
    assert broken.result == "permerror" and broken.selector == "broken"


def test_an_unanswered_key_lookup_is_a_temperror():
    silent = SyncResolver([("127.0.0.1", 9)], timeout=1)  # discard port: nothing answers
    assert verify_dkim(signed(), silent).result == "temperror"


def test_garbage_instead_of_a_message_is_a_result_not_a_crash(resolver):
    garbage = b"DKIM-Signature: v=1; \x00\xff;;;\r\n\r\n" + bytes(range(256)) * 4
    assert verify_dkim(garbage, resolver).result in ("permerror", "fail")


def test_dmarc_passes_with_an_aligned_dkim_signature(resolver):
    verdict = evaluate_dmarc(ZONE, verify_dkim(signed(), resolver), None, resolver)
    assert (verdict.result, verdict.policy, verdict.aligned) == ("pass", "quarantine", ("dkim",))


def test_dmarc_without_a_record_is_none_and_a_foreign_signature_does_not_align(resolver):
    verdict = evaluate_dmarc("example.org", verify_dkim(signed(), resolver), None, resolver)
    assert verdict.result == "none" and verdict.aligned == ()
    # A subdomain without a record of its own falls back to the parent's record.
    sub = evaluate_dmarc(f"news.{ZONE}", verify_dkim(signed(), resolver), None, resolver)
    assert (sub.result, sub.record_domain, sub.aligned) == ("pass", ZONE, ("dkim",))


def test_strict_alignment_needs_the_exact_domain(resolver):
    verdict = evaluate_dmarc(f"strict.{ZONE}", verify_dkim(signed(), resolver), None, resolver)
    assert (verdict.result, verdict.policy) == ("fail", "reject")


def test_two_dmarc_records_are_discarded_and_the_walk_goes_on(resolver):
    """RFC 9989 4.10 step 2: several records at one name are all discarded; the tree walk
    continues to the parent, whose policy applies."""
    verdict = evaluate_dmarc(f"twice.{ZONE}", DkimVerdict("none"), None, resolver)
    assert (verdict.result, verdict.record_domain, verdict.policy) == ("fail", ZONE, "quarantine")
    assert verdict.walked == (f"_dmarc.twice.{ZONE}", f"_dmarc.{ZONE}")


def test_relaxed_alignment_compares_organizational_domains_found_by_the_tree_walk(resolver):
    """RFC 9989 4.10.2, with its three examples' rules: the shortest name holding a record,
    psd=n stopping the walk, psd=y making the name one label below the organization."""
    assert relaxed_aligned(f"mail.{ZONE}", ZONE, resolver)
    assert relaxed_aligned(f"Mail.{ZONE.upper()}.", ZONE, resolver)
    assert relaxed_aligned(f"a.{ZONE}", f"b.{ZONE}", resolver)
    assert relaxed_aligned(f"x.dept.{ZONE}", f"dept.{ZONE}", resolver)
    assert not relaxed_aligned(f"x.dept.{ZONE}", ZONE, resolver)  # psd=n: its own organization
    assert relaxed_aligned("mail.shop.registry.test", "shop.registry.test", resolver)
    assert not relaxed_aligned("shop.registry.test", "other.registry.test", resolver)
    assert not relaxed_aligned("a.example.org", "b.example.org", resolver)  # no record at all
    assert not relaxed_aligned("", ZONE, resolver)


def test_a_public_suffix_domain_policy_applies_to_a_registrant_without_a_record(resolver):
    """RFC 9989 4.10.1: the policy may come from the public suffix domain (psd=y)."""
    verdict = evaluate_dmarc("shop.registry.test", DkimVerdict("none"), None, resolver)
    assert (verdict.result, verdict.record_domain, verdict.policy) == (
        "fail",
        "registry.test",
        "reject",
    )
    assert verdict.walked == ("_dmarc.shop.registry.test", "_dmarc.registry.test")


def test_sp_applies_to_an_existing_subdomain_and_np_to_a_non_existent_one(resolver):
    """RFC 9989 4.10.1 and 3.2.13: www.layers.test has an address, ghost.layers.test nothing."""
    existing = evaluate_dmarc("www.layers.test", DkimVerdict("none"), None, resolver)
    ghost = evaluate_dmarc("ghost.layers.test", DkimVerdict("none"), None, resolver)
    apex = evaluate_dmarc("layers.test", DkimVerdict("none"), None, resolver)
    assert (existing.policy, ghost.policy, apex.policy) == ("quarantine", "reject", "none")


def test_t_y_applies_one_level_below_and_says_so(resolver):
    """RFC 9989 4.7 t: p=reject under test is applied as quarantine."""
    verdict = evaluate_dmarc("testing.test", DkimVerdict("none"), None, resolver)
    assert (verdict.result, verdict.written, verdict.policy, verdict.testing) == (
        "fail",
        "reject",
        "quarantine",
        True,
    )
    assert (
        verdict.reason
        == "no aligned identifier passed; t=y (testing): reject applied as quarantine"
    )


def test_from_address_reads_folded_and_hostile_headers():
    folded = b'From: "Harbor\r\n Club" <Hello@HarborClub.test>\r\nTo: x\r\n\r\nbody'
    assert from_address(folded) == ("Harbor Club", "hello@harborclub.test")
    assert from_address(b"To: x\r\n\r\nFrom: later@body.test") == ("", "")
    hostile = b'From: "[b]x[/b] \x1b[31m" <a@b.test>\r\n\r\n'
    assert from_address(hostile) == ("[b]x[/b] \x1b[31m", "a@b.test")


def test_authentication_results_are_parsed_with_comments_and_properties():
    results = parse(
        "mx.google.com (the receiver); dkim=pass (2048-bit key) header.i=@harborclub.test "
        'header.s=lab header.b="AbC"; spf=softfail (sender IP is 127.0.0.1) '
        "smtp.mailfrom=hello@harborclub.test;\r\n\tdmarc=fail (p=NONE sp=NONE dis=NONE) "
        "header.from=harborclub.test"
    )
    assert results.authserv_id == "mx.google.com"
    assert [(r.method, r.result) for r in results.results] == [
        ("dkim", "pass"),
        ("spf", "softfail"),
        ("dmarc", "fail"),
    ]
    assert results.first("dkim").properties["header.s"] == "lab"
    assert results.first("spf").properties["smtp.mailfrom"] == "hello@harborclub.test"


def test_hostile_authentication_results_give_what_can_be_read():
    assert parse("").results == ()
    assert parse("mx; none").results == ()
    nested = parse("mx; dkim=pass ((((deep)))) header.d=x.test; ;;; =; spf")
    assert [(r.method, r.result) for r in nested.results] == [("dkim", "pass")]
    huge = parse("mx; " + "dkim=pass; " * 10_000)
    assert 0 < len(huge.results) <= MAX_LENGTH // 10


def test_each_rendered_message_carries_its_own_token():
    first = render("welcome", from_header="A <a@b.test>", recipient="c@d.test", community="A")
    second = render("welcome", from_header="A <a@b.test>", recipient="c@d.test", community="A")
    assert first.token != second.token
    assert f"{TOKEN_HEADER}: {first.token}".encode() in first.data
    assert first.token.encode() in first.data.split(b"\r\n\r\n", 1)[1]
    assert first.subject == "Welcome to A" and b"\r\n" in first.data


def test_spf_for_the_relay_address_and_others(resolver):
    passed = check_spf("127.0.0.1", f"hello@{ZONE}", "", resolver)
    assert (passed.result, passed.domain) == ("pass", ZONE) and passed.lookups == 0
    assert check_spf("192.0.2.7", f"hello@{ZONE}", "", resolver).result == "fail"
    assert check_spf("127.0.0.1", "a@example.org", "", resolver).result == "none"
    assert check_spf("not-an-ip", f"hello@{ZONE}", "", resolver).result == "permerror"
    silent = SyncResolver([("127.0.0.1", 9)], timeout=1)
    assert check_spf("127.0.0.1", f"hello@{ZONE}", "", silent).result == "temperror"


def test_dmarc_passes_on_aligned_spf_alone(resolver):
    spf = check_spf("127.0.0.1", f"hello@{ZONE}", "", resolver)
    verdict = evaluate_dmarc(ZONE, DkimVerdict("none"), (spf.result, spf.domain), resolver)
    assert (verdict.result, verdict.aligned) == ("pass", ("spf",))


def test_the_receivers_authentication_results_say_how_rfc_9989_read_the_policy(resolver):
    """The lab's receiving side records polrec.p and polrec.domain (RFC 9989's IANA entries)
    and, under t=y, the policy left in force."""
    message = MESSAGE.replace(b"hello@harborclub.test", b"hello@testing.test")
    verdict = authenticate(
        message, resolver, "mx.lab", client_ip="192.0.2.7", mail_from="", helo="relay.test"
    )
    assert verdict.auth.first("dmarc").text() == (
        "dmarc=fail header.from=testing.test polrec.p=reject polrec.t=y policy.dmarc=quarantine"
    )
    inherited = authenticate(
        MESSAGE.replace(b"hello@harborclub.test", b"hello@news.harborclub.test"),
        resolver,
        "mx.lab",
        client_ip="127.0.0.1",
        mail_from="hello@harborclub.test",
        helo="relay.test",
    )
    assert inherited.auth.first("dmarc").text() == (
        f"dmarc=pass header.from=news.{ZONE} polrec.p=quarantine polrec.domain={ZONE}"
    )
