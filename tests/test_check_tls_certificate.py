"""tls.certificate against the lab's real HTTPS server: pass, warn, fail and error."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import socket
import time

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from cryptography import x509
from cryptography.x509.oid import NameOID
from lab_fixtures import ZONE
from servers import server_thread

from launchtui.lab.ca import LabCA
from launchtui.model.results import Status
from launchtui.net.certificate import issuer_name
from launchtui.net.timeouts import Timeouts

pytest_plugins = ["lab_fixtures"]


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("tls"))


def test_a_trusted_current_matching_certificate_passes_with_evidence(sprint):
    result = run_check("tls.certificate", sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    evidence = result.evidence
    assert evidence["trusted"] is True
    assert evidence["sans"] == [f"app.{ZONE}"]
    assert evidence["issuer_cn"] == "[b]Harbor Club[/b] Lab CA"
    assert evidence["days_left"] >= 30
    assert evidence["not_after"].endswith("Z")
    assert evidence["protocol"].startswith("TLSv1.")
    assert "lab-ca.pem" in evidence["trust"]
    assert result.fix == ""


def test_a_90_day_certificate_with_20_days_left_is_overdue(sprint):
    result = run_check("tls.certificate", sprint, f"month.{ZONE}")
    assert result.status is Status.WARN
    assert "expires in 20 days" in result.summary
    assert "renewal is overdue: it should have happened 9 days ago" in result.summary
    assert "Renew" in result.fix and "ACME client did not renew it" in result.fix


def test_a_90_day_certificate_with_3_days_left_fails(sprint):
    result = run_check("tls.certificate", sprint, f"soon.{ZONE}")
    assert result.status is Status.FAIL
    assert "expires in 3." in result.summary


@pytest.mark.parametrize(
    ("host", "status", "says"),
    [
        ("billing", Status.FAIL, "the CA asks for this certificate to be renewed early"),
        ("live", Status.PASS, "4 days left, renews in about 36 hours"),
        ("chat", Status.WARN, "renewal is overdue: it should have happened 12 hours ago"),
        ("courses", Status.PASS, "25 days left, renews in about 10 days"),
        ("tickets", Status.WARN, "renewal is overdue: it should have happened 4 days ago"),
    ],
)
def test_the_labs_short_lived_certificates_and_early_renewal(sprint, host, status, says):
    """The lab CA's renewalInfo (acme.) has a window only for billing.'s certificate, ended
    yesterday; it answers 404 for the others, judged by their lifetime."""
    result = run_check("tls.certificate", sprint, f"{host}.{ZONE}")
    assert result.status is status
    assert says in result.summary
    if host == "billing":
        assert result.summary.endswith(f"(https://acme.{ZONE}/incidents/lab-key-compromise)")
    else:
        assert "answered HTTP 404" in result.evidence["ari"]
        assert "ACME Renewal Information" not in result.summary


def _serve_lifetime(sprint, tmp_path, lifetime: float, left: float):
    """tls.certificate on a real TLS server presenting a certificate of `lifetime` days with
    `left` days of it to go."""
    host = "renewal.example.test"
    ca = LabCA("Renewal Test CA")
    not_after = dt.datetime.now(dt.UTC) + dt.timedelta(days=left)
    valid = (not_after - dt.timedelta(days=lifetime), not_after)
    with server_thread() as thread:
        port = thread.serve(_hold_until_closed, ca.issue(host, valid=valid).server_context())
        network = dataclasses.replace(
            sprint.network,
            ca_bundle=ca.write(tmp_path / "ca.pem"),
            connect_to={(host, 443): ("127.0.0.1", port)},
            acme_directory="",  # a CA of its own: the lab CA's renewalInfo knows nothing of it
        )
        return run_check("tls.certificate", dataclasses.replace(sprint, network=network), host)


# Each lifetime class either side of its renewal point and of its failing point:
# - 6 days, as Let's Encrypt's "shortlived" profile (160 hours): under 10 days Certbot renews at
#   half the lifetime left (3 days); fail under a sixth (1 day);
# - 45 days (Let's Encrypt's default from February 2028, SC-081's 47 from March 2029): renew at
#   a third (15 days), fail under a sixth capped at 7 days;
# - 90 days: renew at 30 days left, fail under 7;
# - year-long (over 100 days, SC-081's cap from March 2027): warn under 30, fail under 7.
@pytest.mark.parametrize(
    ("lifetime", "left", "status"),
    [
        (6, 3.1, Status.PASS),
        (6, 2.9, Status.WARN),
        (6, 1.1, Status.WARN),
        (6, 0.9, Status.FAIL),
        (45, 15.2, Status.PASS),
        (45, 14.8, Status.WARN),
        (45, 7.2, Status.WARN),
        (45, 6.8, Status.FAIL),
        (90, 30.2, Status.PASS),
        (90, 29.8, Status.WARN),
        (90, 7.2, Status.WARN),
        (90, 6.8, Status.FAIL),
        (100, 33.5, Status.PASS),  # 100 days is still judged by its lifetime
        (100, 33.1, Status.WARN),
        (365, 121, Status.PASS),  # a third left: a year-long certificate is not due yet
        (365, 30.2, Status.PASS),
        (365, 29.8, Status.WARN),
        (365, 7.2, Status.WARN),
        (365, 6.8, Status.FAIL),
    ],
)
def test_expiry_is_judged_by_the_certificates_lifetime(sprint, tmp_path, lifetime, left, status):
    result = _serve_lifetime(sprint, tmp_path, lifetime, left)
    assert result.status is status, result.summary
    evidence = result.evidence
    assert evidence["lifetime_days"] == lifetime
    assert evidence["renewal_due"] is (status is not Status.PASS)
    if lifetime > 100:
        assert "lifetime over 100 days" in evidence["renewal_rule"]
        assert "overdue" not in result.summary and "renews in" not in result.summary
    elif status is Status.PASS:
        assert ", renews in about " in result.summary
    else:
        assert "renewal is overdue: it should have happened " in result.summary
        assert result.summary.endswith("ago; check the ACME client and its logs")


def test_a_six_day_certificate_renews_in_hours_at_half_its_lifetime(sprint, tmp_path):
    result = _serve_lifetime(sprint, tmp_path, 6, 4.5)
    assert result.status is Status.PASS
    assert result.summary.endswith(", 4 days left, renews in about 36 hours")
    assert result.evidence["renewal_rule"].startswith("due at half of the lifetime left")
    overdue = _serve_lifetime(sprint, tmp_path, 6, 2.5)
    assert "it should have happened 12 hours ago" in overdue.summary


def test_an_expired_short_lived_certificate_fails_and_is_due(sprint, tmp_path):
    result = _serve_lifetime(sprint, tmp_path, 6, -0.5)
    assert result.status is Status.FAIL
    assert "certificate expired on" in result.summary
    assert result.evidence["renewal_due"] is True


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("community", "certificate expired on"),
        ("members", f"certificate is for old-members.{ZONE}, not members.{ZONE}"),
        ("future", "certificate not valid before"),
        ("self", "certificate is not trusted"),
    ],
)
def test_broken_certificates_fail_for_the_right_reason(sprint, host, reason):
    result = run_check("tls.certificate", sprint, f"{host}.{ZONE}")
    assert result.status is Status.FAIL
    assert reason in result.summary
    assert result.evidence["trusted"] is False
    assert result.evidence["sans"]  # the certificate was still read for the evidence
    assert "openssl s_client" in result.fix


def test_without_the_lab_ca_every_lab_certificate_is_untrusted(sprint):
    bare = dataclasses.replace(sprint, network=dataclasses.replace(sprint.network, ca_bundle=None))
    result = run_check("tls.certificate", bare, f"app.{ZONE}")
    assert result.status is Status.FAIL
    assert "not trusted" in result.summary
    assert result.evidence["trust"] == "system trust store"


def test_a_stalled_handshake_is_an_error_within_the_budget(sprint):
    started = time.monotonic()
    result = run_check("tls.certificate", sprint, f"slow.{ZONE}", Timeouts.uniform(1.0))
    assert_could_not_check(result, "did not complete within 1 s")
    assert time.monotonic() - started < 10  # bounded: the lab never answers


def test_a_refused_connection_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mapped = dict(sprint.network.connect_to)
    mapped[(f"app.{ZONE}", 443)] = ("127.0.0.1", port)
    closed = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=mapped)
    )
    result = run_check("tls.certificate", closed, f"app.{ZONE}")
    assert_could_not_check(result, f"connection refused by 127.0.0.1:{port}")


def test_a_hostname_that_does_not_resolve_is_an_error_not_a_pass(sprint):
    result = run_check("tls.certificate", sprint, f"shop.{ZONE}")
    assert_could_not_check(result, "NXDOMAIN")


def test_hostile_certificate_text_is_kept_exactly_in_evidence(sprint):
    result = run_check("tls.certificate", sprint, f"evil.{ZONE}")
    assert result.status is Status.FAIL
    subject = result.evidence["subject"]  # RFC 4514 form: only "\\", ";" and "," escaped
    assert "O=[link=https://evil.test]Harbor[/link] " in subject
    assert "\x1b]8\\;\\;x\x07" in subject


def test_plain_http_on_the_https_port_fails_the_handshake(lab, sprint):
    mapped = dict(sprint.network.connect_to)
    mapped[(f"app.{ZONE}", 443)] = lab.http_address
    wrong = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=mapped)
    )
    result = run_check("tls.certificate", wrong, f"app.{ZONE}")
    assert result.status is Status.FAIL
    assert "refused the TLS handshake" in result.summary


async def _hold_until_closed(reader, writer):
    with contextlib.suppress(ConnectionError, OSError):
        await reader.read()
    writer.close()


def test_an_issuer_without_a_common_name_is_named_by_its_organisation(sprint, tmp_path):
    """RFC 5280 4.1.2.4 asks for a non-empty issuer name, not for a CN in it: a trusted
    certificate from such a CA must not read as coming from an "unknown issuer"."""
    host = "noname.example.test"
    ca = LabCA(None, organization="Harbor Trust Services")
    with server_thread() as thread:
        port = thread.serve(_hold_until_closed, ca.issue(host).server_context())
        network = dataclasses.replace(
            sprint.network,
            ca_bundle=ca.write(tmp_path / "ca.pem"),
            connect_to={(host, 443): ("127.0.0.1", port)},
            acme_directory="",  # a CA of its own: the lab CA's renewalInfo knows nothing of it
        )
        result = run_check("tls.certificate", dataclasses.replace(sprint, network=network), host)
    assert result.status is Status.PASS, result.summary
    assert result.summary.startswith(f"{host}: trusted certificate from Harbor Trust Services, ")
    assert result.evidence["issuer"] == "O=Harbor Trust Services"
    assert result.evidence["issuer_cn"] == ""


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


@pytest.mark.parametrize(
    ("name", "named"),
    [
        (_name((NameOID.ORGANIZATION_NAME, "Let's Encrypt"), (NameOID.COMMON_NAME, "R11")), "R11"),
        (_name((NameOID.COUNTRY_NAME, "NL"), (NameOID.ORGANIZATION_NAME, "Harbor")), "Harbor"),
        # Neither CN nor O: the whole name, RFC 4514 (last RDN first).
        (
            _name((NameOID.COUNTRY_NAME, "US"), (NameOID.ORGANIZATIONAL_UNIT_NAME, "Class 2 CA")),
            "OU=Class 2 CA,C=US",
        ),
        (_name(), "an issuer with an empty name"),
    ],
)
def test_an_issuer_is_named_by_cn_then_organisation_then_its_whole_name(name, named):
    assert issuer_name(name) == named
