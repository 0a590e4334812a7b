"""TLS handshakes that report what the server presented and whether it is trusted."""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from launchtui.errors import SprintFileError
from launchtui.net.connect import Connector, format_hostport

if TYPE_CHECKING:
    from cryptography import x509


class HandshakeFailed(Exception):
    """The server answered but no TLS session could be set up (a finding, not an outage)."""


@dataclass(frozen=True, slots=True)
class TlsProbe:
    host: str
    port: int
    peer: str  # the address actually connected to
    certificate: x509.Certificate
    verified: bool
    verify_code: int | None  # OpenSSL X509_V_ERR_* when not verified
    verify_message: str
    protocol: str
    cipher: str


def verify_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """The system trust store plus the sprint's extra trust anchors, hostname checked."""
    context = ssl.create_default_context()
    if ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except (ssl.SSLError, OSError) as exc:
            raise SprintFileError(
                f"network.ca_bundle: cannot load {ca_bundle} as PEM certificates: {exc}"
            ) from None
    return context


@functools.cache
def _inspect_context() -> ssl.SSLContext:
    # No trust store: nothing is verified here, and loading one costs ~17 ms each time.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def probe_tls(
    connector: Connector,
    host: str,
    port: int,
    trust: ssl.SSLContext,
    handshake_timeout: float,
) -> TlsProbe:
    """Handshake verifying against `trust`; if that fails, again without, to read the cert.

    Raises NetError when the server cannot be reached or the handshake stalls, and
    HandshakeFailed when the server refuses TLS outright.
    """
    try:
        return await _handshake(connector, host, port, trust, handshake_timeout, verified=True)
    except ssl.SSLCertVerificationError as exc:
        code, message = exc.verify_code, exc.verify_message
    except ssl.SSLError as exc:
        raise HandshakeFailed(_ssl_reason(exc)) from None
    try:
        probe = await _handshake(
            connector, host, port, _inspect_context(), handshake_timeout, verified=False
        )
    except ssl.SSLError as exc:
        raise HandshakeFailed(_ssl_reason(exc)) from None
    return TlsProbe(
        host=probe.host,
        port=probe.port,
        peer=probe.peer,
        certificate=probe.certificate,
        verified=False,
        verify_code=code,
        verify_message=message,
        protocol=probe.protocol,
        cipher=probe.cipher,
    )


async def _handshake(
    connector: Connector,
    host: str,
    port: int,
    context: ssl.SSLContext,
    timeout: float,
    *,
    verified: bool,
) -> TlsProbe:
    from cryptography.x509 import load_der_x509_certificate  # loads when a probe is made

    async with connector.stream(host, port, tls=context, handshake_timeout=timeout) as opened:
        _reader, writer, address = opened
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        if not der:
            raise HandshakeFailed("the server presented no certificate")
        cipher = ssl_object.cipher()
        return TlsProbe(
            host=host,
            port=port,
            peer=format_hostport(address),
            certificate=load_der_x509_certificate(der),
            verified=verified,
            verify_code=None,
            verify_message="",
            protocol=str(ssl_object.version() or ""),
            cipher=str(cipher[0]) if cipher else "",
        )


def _ssl_reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc).replace("_", " ").lower()
