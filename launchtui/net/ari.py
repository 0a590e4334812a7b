"""ACME Renewal Information (RFC 9773): when the CA itself suggests renewing a certificate.

An ACME server that supports ARI names a `renewalInfo` URL in its directory (RFC 9773 section
3); a GET of that URL plus "/" and the certificate's identifier (section 4.1:
base64url(AKI keyIdentifier) "." base64url(DER serial), padding stripped) answers
{"suggestedWindow": {"start": ..., "end": ...}, "explanationURL": ...} (section 4.2). A CA
moves the window into the past to ask for an early renewal, e.g. before a mass revocation.
Let's Encrypt and Google Trust Services serve it in production.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from launchtui.net.errors import NetError

if TYPE_CHECKING:
    from cryptography import x509

    from launchtui.net.http import HttpClient

# Known production ACME directories by the issuing CA's organisation (the issuer's O=).
DIRECTORIES = {
    "Let's Encrypt": "https://acme-v02.api.letsencrypt.org/directory",
    "Google Trust Services": "https://dv.acme-v02.api.pki.goog/directory",
    "Google Trust Services LLC": "https://dv.acme-v02.api.pki.goog/directory",
}
_MAX_BODY = 64 * 1024  # a directory or a renewalInfo answer is a few hundred bytes


class AriUnavailable(Exception):
    """No suggested window could be had: the reason, for a person. `answered` when the CA
    said it has none (no renewalInfo, or 404 for this certificate: RFC 9773 section 4.2),
    rather than not being reachable or answering nonsense."""

    def __init__(self, reason: str, *, answered: bool = False) -> None:
        super().__init__(reason)
        self.answered = answered


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime
    explanation_url: str  # "" when the CA gave none
    url: str  # the renewalInfo URL asked


def directory_for(issuer_organization: str, configured: str) -> str:
    """The ACME directory to ask: [network].acme_directory, else the issuer's known one."""
    return configured or DIRECTORIES.get(issuer_organization, "")


def certificate_id(cert: x509.Certificate) -> str:
    """RFC 9773 section 4.1's identifier; AriUnavailable without an AKI keyIdentifier."""
    from cryptography import x509

    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        aki = None
    if aki is None or aki.key_identifier is None:
        raise AriUnavailable("the certificate has no authority key identifier")
    serial = cert.serial_number
    # DER INTEGER content: big-endian two's complement, a leading zero byte when the high bit
    # is set (serials are positive).
    der_serial = serial.to_bytes(serial.bit_length() // 8 + 1, "big")
    return f"{_b64url(aki.key_identifier)}.{_b64url(der_serial)}"


async def suggested_window(http: HttpClient, directory: str, cert: x509.Certificate) -> Window:
    """The CA's suggested renewal window for `cert`, or AriUnavailable saying why not."""
    listing = await _json(http, directory)
    base = listing.get("renewalInfo")
    if not isinstance(base, str) or not base.startswith("https://"):
        raise AriUnavailable(f"the ACME directory {directory} has no renewalInfo", answered=True)
    url = f"{base.rstrip('/')}/{certificate_id(cert)}"
    answer = await _json(http, url)
    window = answer.get("suggestedWindow")
    explanation = answer.get("explanationURL", "")
    try:
        start = _time(window["start"])  # type: ignore[index]
        end = _time(window["end"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        raise AriUnavailable(f"{url} answered no valid suggestedWindow") from None
    if end <= start:  # section 4.2: end must be after start
        raise AriUnavailable(f"{url} answered a window that ends before it starts")
    if not isinstance(explanation, str):
        explanation = ""
    return Window(start, end, explanation, url)


async def _json(http: HttpClient, url: str) -> dict[str, object]:
    try:
        fetched = await http.fetch(url, headers={"Accept": "application/json"}, max_body=_MAX_BODY)
    except NetError as exc:
        raise AriUnavailable(str(exc)) from None
    if fetched.status != 200:
        raise AriUnavailable(
            f"{url} answered HTTP {fetched.status}", answered=fetched.status == 404
        )
    try:
        data = json.loads(fetched.body)
    except ValueError:
        raise AriUnavailable(f"{url} answered no JSON") from None
    if not isinstance(data, dict):
        raise AriUnavailable(f"{url} answered no JSON object")
    return data


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)  # RFC 3339, "Z" included (Python 3.11)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
