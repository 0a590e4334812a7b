"""Reading X.509 certificates with cryptography: names, dates, and evidence.

cryptography is imported where a certificate is read (a certificate only exists once a TLS
probe loaded it), not with this module: listing checks must not pay for it.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509


def _alternative_names(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def dns_names(cert: x509.Certificate) -> list[str]:
    from cryptography import x509

    san = _alternative_names(cert)
    return [] if san is None else [str(n) for n in san.get_values_for_type(x509.DNSName)]


def ip_names(cert: x509.Certificate) -> list[str]:
    from cryptography import x509

    san = _alternative_names(cert)
    return [] if san is None else [str(a) for a in san.get_values_for_type(x509.IPAddress)]


def matches_hostname(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 matching on the SANs: a wildcard stands for exactly one leftmost label."""
    host = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return str(address) in ip_names(cert)
    for pattern in dns_names(cert):
        pattern = pattern.lower().rstrip(".")
        if pattern == host:
            return True
        if pattern.startswith("*.") and "." in host:
            first, rest = host.split(".", 1)
            if first and rest == pattern[2:]:
                return True
    return False


def common_name(name: x509.Name) -> str:
    from cryptography.x509.oid import NameOID

    return _first(name, NameOID.COMMON_NAME)


def organization(name: x509.Name) -> str:
    from cryptography.x509.oid import NameOID

    return _first(name, NameOID.ORGANIZATION_NAME)


def issuer_name(name: x509.Name) -> str:
    """How to name a certificate's issuer to a person: its common name, else its organisation
    (some roots have none, e.g. "OU=Go Daddy Class 2 Certification Authority,O=The Go Daddy
    Group, Inc.,C=US"), else the whole name in RFC 4514 form."""
    from cryptography.x509.oid import NameOID

    return (
        common_name(name)
        or _first(name, NameOID.ORGANIZATION_NAME)
        or name.rfc4514_string()
        or "an issuer with an empty name"
    )


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def days_left(cert: x509.Certificate, now: datetime) -> float:
    return (cert.not_valid_after_utc - now).total_seconds() / 86400


def evidence(cert: x509.Certificate, now: datetime) -> dict[str, object]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_text = f"RSA {key.key_size}"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_text = f"EC {key.curve.name}"
    else:
        key_text = type(key).__name__
    hash_algorithm = cert.signature_hash_algorithm
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "issuer_cn": common_name(cert.issuer),
        "sans": dns_names(cert) + ip_names(cert),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "days_left": int(days_left(cert, now) // 1),
        "serial": format(cert.serial_number, "x"),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(":"),
        "key": key_text,
        "signature_hash": hash_algorithm.name if hash_algorithm else "none",
    }
