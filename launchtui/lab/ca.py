"""The lab certificate authority and the per-host certificates it issues, faults included.

Keys are EC P-256: generating a dozen of them at start-up takes milliseconds. Host keys never
touch the lab's workdir; only the CA certificate does (lab-ca.pem), as the trust anchor that a
sprint's `ca_bundle` points at.
"""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from launchtui.lab.config import DEFAULT_LIFETIME, expiring

TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}
LEAF_LIFETIME = dt.timedelta(days=DEFAULT_LIFETIME)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class IssuedCert:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def server_context(self, min_version: str = "1.2") -> ssl.SSLContext:
        """A TLS server context presenting this certificate (HTTP/1.1 only), accepting TLS
        `min_version` ("1.0" to "1.3") and later."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():  # TLSv1/TLSv1_1 are deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = TLS_VERSIONS[min_version]
        if TLS_VERSIONS[min_version] < ssl.TLSVersion.TLSv1_2:
            # OpenSSL 3 refuses TLS 1.0/1.1 (SHA-1 handshake signatures) above level 0.
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.set_alpn_protocols(["http/1.1"])
        # ssl only loads keys from files: a private temp dir that is gone once loaded.
        with tempfile.TemporaryDirectory(prefix="launchtui-lab-") as tmp:
            chain = Path(tmp) / "chain.pem"
            chain.write_bytes(
                self.key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                + self.cert.public_bytes(serialization.Encoding.PEM)
            )
            context.load_cert_chain(chain)
        return context


def _name(common_name: str | None, organization: str | None = None) -> x509.Name:
    attributes = []
    if common_name is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if organization is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def validity(kind: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(not_before, not_after) for a HostSpec.cert kind."""
    if kind == "expired":
        return now - LEAF_LIFETIME - 10 * DAY, now - 10 * DAY
    if kind == "not-yet-valid":
        return now + 10 * DAY, now + 10 * DAY + LEAF_LIFETIME
    left = expiring(kind)
    if left is not None:
        days, lifetime = left
        not_after = now + days * DAY + DAY / 2  # reads as <days> days left all day long
        return min(now - DAY, not_after - lifetime * DAY), not_after
    return now - DAY, now + LEAF_LIFETIME


class LabCA:
    """A throwaway CA, new at every lab start-up. Without a common name it is named by its
    organisation alone, as some public roots are."""

    def __init__(self, common_name: str | None, organization: str | None = None) -> None:
        now = dt.datetime.now(dt.UTC)
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(common_name, organization)
        public_key = self.key.public_key()
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - DAY)
            .not_valid_after(now + 365 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.pem)
        return path

    def issue(
        self,
        hostname: str,
        kind: str = "valid",
        organization: str | None = None,
        valid: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> IssuedCert:
        """A certificate for `hostname` with the fault `kind` names (a HostSpec.cert value),
        or valid from and to `valid` when given."""
        now = dt.datetime.now(dt.UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        names_host = f"old-{hostname}" if kind == "wrong-name" else hostname
        subject = _name(names_host, organization)
        self_signed = kind == "self-signed"
        issuer = subject if self_signed else self.cert.subject
        signing_key = key if self_signed else self.key
        not_before, not_after = valid or validity(kind, now)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(names_host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        return IssuedCert(builder.sign(signing_key, hashes.SHA256()), key)
