"""Parsing "host", "host:port" and "[v6]:port" as written in sprint files and flags."""

from __future__ import annotations

import ipaddress

from launchtui.model.sprint import HostPort


def parse_hostport(text: str, default_port: int | None = None) -> HostPort:
    """ValueError with a readable reason when `text` is not host[:port]."""
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{text!r} is not [address]:port")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif ":" in text:  # a bare IPv6 address
        host, port_text = text, ""
    else:
        host, port_text = text, ""
    if not host:
        raise ValueError(f"{text!r} has no host")
    if not port_text:
        if default_port is None:
            raise ValueError(f"{text!r} needs a port (host:port)")
        return host.lower(), default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{text!r} has an invalid port (1-65535)")
    return host.lower(), int(port_text)


def parse_connect_to(text: str) -> tuple[HostPort, HostPort]:
    """curl's --connect-to syntax, HOST:PORT:ADDRESS:PORT."""
    host, sep, rest = text.partition(":")
    port, sep2, target = rest.partition(":")
    if not (sep and sep2 and host and port):
        raise ValueError(f"{text!r} is not HOST:PORT:ADDRESS:PORT")
    return parse_hostport(f"{host}:{port}"), parse_hostport(target)


def is_ip(host: str) -> bool:
    """True for an IPv4 or IPv6 address (brackets allowed), False for a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
