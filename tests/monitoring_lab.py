"""A lab for the synthetic monitoring checks and `monitor --once`: monitors that are up, slow,
down in each way, and hosts that cannot be reached; certificates with every amount of time
left. Module-scoped labs of their own (see `monitoring_lab`)."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import Any

import tomlkit
from lab_fixtures import HOSTILE_TEXT, ZONE

from launchtui.lab import HostSpec, LabConfig, Route
from launchtui.lab.config import HealthSpec
from launchtui.model.sprint import Sprint

APP = f"app.{ZONE}"
SLOW_DELAY = 0.7  # seconds, over SLOW_MS and well inside the probe's timeout
HOSTS = [
    HostSpec(ZONE),
    HostSpec(
        APP,
        app=True,
        health=HealthSpec("1.4.0"),
        routes={
            "/": Route(body="<h1>Harbor Club</h1>"),
            "/login": Route(body="<form>login</form>"),
            "/checkout": Route(body="<form>checkout</form>"),
            "/slow": Route(body="<h1>slow</h1>"),
            "/broken": Route(500, body=HOSTILE_TEXT, content_type="text/plain"),
            "/moved": Route(302, {"Location": f"https://sso.{ZONE}/[bold]x[/bold]"}),
        },
    ),
    HostSpec(f"down.{ZONE}", app=True, health=HealthSpec(status="down")),
    HostSpec(f"hostile.{ZONE}", app=True, health=HealthSpec(status=HOSTILE_TEXT)),
    HostSpec(f"stall.{ZONE}", tls="stall"),
    HostSpec(f"drop.{ZONE}", dns="drop"),
    HostSpec(f"self.{ZONE}", cert="self-signed"),
    HostSpec(f"soon.{ZONE}", cert="expiring:2"),
    HostSpec(f"weeks.{ZONE}", cert="expiring:10"),
    HostSpec(f"month.{ZONE}", cert="expiring:20"),
    HostSpec(f"gone.{ZONE}", cert="expired"),
]


def config() -> LabConfig:
    return LabConfig(
        hosts=HOSTS, dns_port=0, https_port=0, http_port=0, latency={"/slow": SLOW_DELAY}
    )


def url(path: str, host: str = APP) -> str:
    return f"https://{host}{path}"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def refusing(sprint: Sprint, host: str) -> Sprint:
    """`sprint` where host:443 is a loopback port that refuses connections."""
    mapped = {**sprint.network.connect_to, (host, 443): ("127.0.0.1", closed_port())}
    return dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=mapped)
    )


def monitored(
    base: Sprint, home: str = "", hostnames: tuple[str, ...] = (), **flows: str
) -> Sprint:
    """`base` watching `home` ([site].canonical) and these flows; its certificates those of
    the apex and `hostnames`."""
    site = dataclasses.replace(base.site, canonical=home, hostnames=hostnames)
    return dataclasses.replace(base, site=site, flows=dict(flows))


def written(sprint_path: Path, home: str, hostnames: tuple[str, ...] = (), **flows: str) -> Path:
    """The sprint file at `sprint_path` rewritten to watch `home` and these flows only, and
    the certificates of the apex and `hostnames`."""
    doc = tomlkit.parse(sprint_path.read_text())
    site: Any = doc["site"]
    site["canonical"] = home
    site["hostnames"] = list(hostnames)
    doc["flows"] = dict(flows)
    sprint_path.write_text(tomlkit.dumps(doc))
    return sprint_path
