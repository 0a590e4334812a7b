"""The relay's DKIM signing key: 2048-bit RSA, new at every lab start, published as TXT."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SELECTOR = "lab"
KEY_BITS = 2048


@dataclass(frozen=True)
class SigningKey:
    domain: str
    private_pem: bytes  # PKCS#1, as dkimpy reads it
    public_der: bytes

    @property
    def owner(self) -> str:
        """Where the public key is published."""
        return f"{SELECTOR}._domainkey.{self.domain}"

    @property
    def txt(self) -> str:
        return f"v=DKIM1; k=rsa; p={base64.b64encode(self.public_der).decode()}"


def new_key(domain: str) -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKey(domain, private, public)
