"""Whether a server is there at all: one TCP connection, given a fraction of a second.

Used before a run against the embedded lab (its DNS server listens on TCP as well as UDP), so
that the app can say "the lab is not running" instead of filling a stage with errors.
"""

from __future__ import annotations

import socket

from launchtui.model.sprint import HostPort, Sprint

PROBE_TIMEOUT = 0.3  # seconds: on loopback a live server accepts at once


def unreachable(address: HostPort, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when something accepts a TCP connection at `address`, else why not ("connection
    refused", "no answer within 0.3 s"). Blocks for at most `timeout`."""
    host, port = address
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except ConnectionRefusedError:
        return "connection refused"
    except OSError as exc:
        return exc.strerror or str(exc)


def lab_down(sprint: Sprint) -> str | None:
    """For a sprint the lab wrote ([lab].dns) whose lab does not answer: "HOST:PORT: why";
    None for any other sprint, or when the lab is up. Each view says it in its own words."""
    address = sprint.lab_dns
    why = None if address is None else unreachable(address)
    if address is None or why is None:
        return None
    return f"{address[0]}:{address[1]}: {why}"
