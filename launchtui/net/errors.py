"""Failures to reach something. The engine turns them into `error` results: could not check.

A small tree, so that a check can tell the kinds apart without reading messages:

    NetError                  anything that kept an answer from being had
      NetTimeout              no answer within the limit (connect, TLS handshake, HTTP)
      Refused                 the other side refused the connection
      TlsVerificationError    TLS worked, but the certificate did not verify
      DnsError                a DNS lookup got no answer to judge (SERVFAIL, REFUSED, timeout)

Each is made in one place, from what the library raised: httpx in net/http.py, sockets and ssl
in net/connect.py, dnspython in net/dns.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from launchtui.model.sprint import HostPort

TIMEOUT = "timeout"  # what DnsError.answers holds for a server that never answered


class NetError(Exception):
    """str() is a readable reason, e.g. "connection refused by 127.0.0.1:443"."""


class NetTimeout(NetError):
    """No answer within the limit."""


class Refused(NetError):
    """The other side refused the connection."""


class TlsVerificationError(NetError):
    """The TLS handshake worked, but the certificate did not verify (untrusted, expired, for
    another name)."""


class DnsError(NetError):
    """A DNS lookup that got no answer to judge, with what each server asked said: an rcode
    ("SERVFAIL", "REFUSED"), TIMEOUT, or the error met reaching it. The fix depends on it."""

    def __init__(
        self, message: str, name: str, rdtype: str, answers: Mapping[HostPort, str]
    ) -> None:
        super().__init__(message)
        self.name = name
        self.rdtype = rdtype
        self.answers = dict(answers)
