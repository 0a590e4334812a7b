"""Failures to reach something. The engine turns them into `error` results: could not check."""

from __future__ import annotations

from collections.abc import Mapping

from launchtui.model.sprint import HostPort

TIMEOUT = "timeout"  # what DnsError.answers holds for a server that never answered


class NetError(Exception):
    """str() is a readable reason, e.g. "connection refused by 127.0.0.1:443"."""


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
