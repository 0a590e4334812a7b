"""Listening addresses: how they are written, and what a failed bind tells the user."""

from __future__ import annotations

import errno

from launchtui.errors import LabError

Address = tuple[str, int]


def hostport(address: Address) -> str:
    """The address as sprint files write it: 127.0.0.1:5390, or [::1]:5390 for IPv6."""
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind_error(exc: OSError, host: str, port: int) -> LabError:
    if exc.errno == errno.EADDRINUSE:
        return LabError(
            f"port {port} on {host} is already in use (another lab running?); "
            "choose other ports with --base-port"
        )
    return LabError(f"cannot listen on port {port} on {host}: {exc.strerror or exc}")
