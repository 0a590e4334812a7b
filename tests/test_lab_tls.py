"""The lab CA and its per-host certificates, through real TLS handshakes."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from lab_fixtures import HOSTILE_ORG, ZONE, client_context, tls_connect

from launchtui.lab import Lab

pytest_plugins = ["lab_fixtures"]


def peer_cert(tls: ssl.SSLSocket) -> x509.Certificate:
    der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def san_names(cert: x509.Certificate) -> list[str]:
    extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return extension.value.get_values_for_type(x509.DNSName)


def days_left(cert: x509.Certificate) -> float:
    return (cert.not_valid_after_utc - dt.datetime.now(dt.UTC)) / dt.timedelta(days=1)


def test_ca_file_is_written_with_the_configured_name(lab: Lab) -> None:
    ca = x509.load_pem_x509_certificate(lab.ca_path.read_bytes())
    assert lab.ca_path.name == "lab-ca.pem"
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "[b]Harbor Club[/b] Lab CA"
    )
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


@pytest.mark.parametrize("host", [ZONE, f"www.{ZONE}", f"app.{ZONE}"])
def test_valid_certificate_verifies_against_the_lab_ca(lab: Lab, host: str) -> None:
    with tls_connect(lab, host) as tls:
        cert = peer_cert(tls)
    assert san_names(cert) == [host]
    assert 80 < days_left(cert) <= 90


@pytest.mark.parametrize(
    ("host", "code", "reason"),
    [
        (f"community.{ZONE}", 10, "certificate has expired"),
        (f"future.{ZONE}", 9, "certificate is not yet valid"),
        (f"members.{ZONE}", 62, "Hostname mismatch"),
        (f"self.{ZONE}", 18, "self-signed certificate"),
    ],
)
def test_faulty_certificates_fail_verification_for_the_right_reason(
    lab: Lab, host: str, code: int, reason: str
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as failure, tls_connect(lab, host):
        pass
    assert failure.value.verify_code == code
    assert reason in failure.value.verify_message


def test_wrong_name_certificate_names_the_old_host(lab: Lab) -> None:
    with tls_connect(lab, f"members.{ZONE}", verify=False) as tls:
        assert san_names(peer_cert(tls)) == [f"old-members.{ZONE}"]


def test_expiring_certificate_is_valid_but_close_to_expiry(lab: Lab) -> None:
    with tls_connect(lab, f"status.{ZONE}") as tls:
        assert 12 <= days_left(peer_cert(tls)) < 13


def test_certificate_organization_keeps_hostile_text(lab: Lab) -> None:
    with tls_connect(lab, f"dual.{ZONE}") as tls:
        cert = peer_cert(tls)
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == HOSTILE_ORG


@pytest.mark.parametrize("server_name", [f"nowhere.{ZONE}", f"shop.{ZONE}", None])
def test_unknown_or_missing_sni_gets_the_default_certificate(
    lab: Lab, server_name: str | None
) -> None:
    with tls_connect(lab, server_name, verify=False) as tls:
        assert san_names(peer_cert(tls)) == [f"unknown.{ZONE}"]


def handshake_with_stalled_host(lab: Lab, timeout: float) -> None:
    raw = socket.create_connection(lab.https_address, timeout=timeout)  # TCP is accepted
    with raw, pytest.raises(TimeoutError):
        client_context(lab).wrap_socket(raw, server_hostname=f"slow.{ZONE}")


def test_stall_accepts_tcp_but_never_completes_the_handshake(lab: Lab) -> None:
    handshake_with_stalled_host(lab, timeout=0.4)


def test_a_stalled_handshake_does_not_hold_up_others(lab: Lab) -> None:
    stalled = threading.Thread(target=handshake_with_stalled_host, args=(lab, 3.0))
    stalled.start()
    time.sleep(0.05)
    started = time.monotonic()
    with tls_connect(lab, f"app.{ZONE}"):
        pass
    assert time.monotonic() - started < 2.5  # the stalled client waits 3 s
    stalled.join()
