"""Cloudflare: its published edge address ranges, and a small read-only v4 API client.

The ranges are a dated copy shipped in launchtui/data/cloudflare-ips.txt (no network needed).
The API client reads zones, zone settings and DNS records with a token, and unwraps the
documented envelope `{"success", "errors", "messages", "result", "result_info"}`. Its base
URL is https://api.cloudflare.com/client/v4 unless the environment variable
LAUNCHTUI_CLOUDFLARE_API names another (tests point it at a loopback server). The token only
ever travels in the Authorization header: it is never part of a URL or an error message.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from launchtui.net.errors import NetError
from launchtui.net.http import HttpClient

API_ENV = "LAUNCHTUI_CLOUDFLARE_API"
DEFAULT_API = "https://api.cloudflare.com/client/v4"
MAX_PAGES = 5  # DNS records of one name fit one page; a few more cover odd zones
_API_BODY_LIMIT = 1024 * 1024

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Ranges:
    date: str  # when the copy was taken, "YYYY-MM-DD"
    networks: tuple[Network, ...]

    def contains(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks if network.version == ip.version)


def parse_ranges(text: str) -> Ranges:
    """One CIDR per line, '#' comments, and a '# ranges_date: YYYY-MM-DD' line."""
    date = ""
    networks: list[Network] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            key, _, value = line.lstrip("# ").partition(":")
            if key == "ranges_date":
                date = value.strip()
        elif line:
            networks.append(ipaddress.ip_network(line))
    return Ranges(date, tuple(networks))


@functools.cache
def ranges() -> Ranges:
    """The shipped copy of Cloudflare's ranges (read once, from the installed package)."""
    data = resources.files("launchtui").joinpath("data/cloudflare-ips.txt")
    return parse_ranges(data.read_text(encoding="utf-8"))


def api_base() -> str:
    return os.environ.get(API_ENV) or DEFAULT_API


class CloudflareApi:
    def __init__(self, http: HttpClient, token: str, base: str | None = None) -> None:
        self._http = http
        self._token = token
        self.base = (base or api_base()).rstrip("/")

    async def get(self, path: str, **params: str | int) -> tuple[Any, dict[str, Any]]:
        """(result, result_info) of GET path; NetError with Cloudflare's own error text."""
        query = f"?{urlencode(params)}" if params else ""
        where = f"Cloudflare API GET {path}"
        response = await self._http.fetch(
            self.base + path + query,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            max_body=_API_BODY_LIMIT,
        )
        if response.truncated:
            raise NetError(f"{where}: response larger than {_API_BODY_LIMIT} bytes")
        try:
            envelope = json.loads(response.body)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("success"), bool):
            raise NetError(f"{where}: HTTP {response.status}, not a Cloudflare API response")
        if not envelope["success"] or response.status >= 400:
            raise NetError(f"{where}: HTTP {response.status}: {_errors(envelope)}")
        info = envelope.get("result_info")
        return envelope.get("result"), info if isinstance(info, dict) else {}

    async def zone(self, name: str) -> dict[str, Any] | None:
        """The zone called `name` that the token can see, or None."""
        result, _ = await self.get("/zones", name=name)
        zones = [z for z in result or [] if isinstance(z, dict) and z.get("name") == name]
        return zones[0] if zones else None

    async def setting(self, zone_id: str, setting: str) -> str:
        result, _ = await self.get(f"/zones/{zone_id}/settings/{setting}")
        if not isinstance(result, dict) or "value" not in result:
            raise NetError(f"Cloudflare API: setting {setting} came without a value")
        return str(result["value"])

    async def dns_records(self, zone_id: str, name: str) -> list[dict[str, Any]]:
        """The zone's records for exactly `name`, every page (up to MAX_PAGES)."""
        records: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            result, info = await self.get(
                f"/zones/{zone_id}/dns_records", name=name, page=page, per_page=100
            )
            records += [r for r in result or [] if isinstance(r, dict)]
            if page >= int(info.get("total_pages") or 1):
                break
        return records


def _errors(envelope: dict[str, Any]) -> str:
    errors = envelope.get("errors")
    texts = [
        f"{e.get('code')} {e.get('message')}" if isinstance(e, dict) else str(e)
        for e in (errors if isinstance(errors, list) else [])
    ]
    return "; ".join(texts) or "success is false and no error was given"
