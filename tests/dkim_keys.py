"""Keys and DKIM key records for tests: generated once per session, only public halves shown.

PYTEST_DONT_REWRITE: plain helpers.
"""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

Format = serialization.PublicFormat


@functools.cache
def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, bits)


@functools.cache
def ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def rsa_p(bits: int = 2048, form: Format = Format.SubjectPublicKeyInfo) -> str:
    """The p= value of an RSA public key of `bits` bits."""
    return b64(rsa_key(bits).public_key().public_bytes(serialization.Encoding.DER, form))


def modulus_only_p(bits: int) -> str:
    """The p= value of an RSA public key of any size, even one no library generates (512 or
    8192 bits): a modulus of that many bits with no private half behind it."""
    public = rsa.RSAPublicNumbers(65537, (1 << (bits - 1)) | 0xF1).public_key()
    der = public.public_bytes(serialization.Encoding.DER, Format.SubjectPublicKeyInfo)
    return b64(der)


def ed25519_p() -> str:
    raw = ed25519_key().public_key().public_bytes(serialization.Encoding.Raw, Format.Raw)
    return b64(raw)


def rsa_private_pem(bits: int = 2048) -> bytes:
    """The PKCS#1 PEM dkimpy signs with."""
    return rsa_key(bits).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def ed25519_private_b64() -> bytes:
    """The base64 32-byte seed dkimpy signs Ed25519 with."""
    seed = ed25519_key().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(seed)
