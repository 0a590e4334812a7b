"""The lab CA's ACME Renewal Information (RFC 9773): acme.<zone> serves a directory naming
renewalInfo, and a suggested window for each certificate the CA asks to renew early (a window
that already ended, with an explanationURL, as a CA does before revoking). The lab CA knows no
window for its other certificates: renewalInfo answers them 404, and tls.certificate judges
them by their lifetime."""

from __future__ import annotations

import datetime as dt
import json

from cryptography import x509

from launchtui.lab.config import Route
from launchtui.net.ari import certificate_id

LABEL = "acme"  # acme.<zone>
_JSON = "application/json"


def directory_url(zone: str) -> str:
    return f"https://{LABEL}.{zone}/directory"


def routes(zone: str, early: list[x509.Certificate], now: dt.datetime) -> dict[str, Route]:
    """The directory, and renewalInfo for the certificates to renew `early`."""
    base = f"https://{LABEL}.{zone}"
    directory = {"newNonce": f"{base}/new-nonce", "renewalInfo": f"{base}/renewal-info"}
    window = {
        "suggestedWindow": {
            "start": f"{now - dt.timedelta(days=2):%Y-%m-%dT%H:%M:%SZ}",
            "end": f"{now - dt.timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}",
        },
        "explanationURL": f"{base}/incidents/lab-key-compromise",
    }
    answers = {
        f"/renewal-info/{certificate_id(cert)}": Route(
            headers={"Retry-After": "21600"}, body=json.dumps(window), content_type=_JSON
        )
        for cert in early
    }
    return {"/directory": Route(body=json.dumps(directory), content_type=_JSON), **answers}
