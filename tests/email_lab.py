"""Labs for the email record checks: one DNS world per test module, sprints per email domain.

Scenarios live in the lab zone's subdomains (for anything served over HTTPS, which only the
lab zone can be) or in external zones, each its own organizational domain (for DMARC, whose
discovery falls back to the organizational domain).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from launchtui.lab import HostSpec, Lab, LabConfig, LabThread
from launchtui.sprint import store
from launchtui.sprint.model import Sprint

ZONE = "harborclub.test"


def dns_only(name: str, dns: str) -> HostSpec:
    """A name whose DNS misbehaves ("servfail" or "drop"); nothing serves it."""
    return HostSpec(name, dns=dns, https=False, http=False)


def mail_config(**settings: Any) -> LabConfig:
    """A lab with only the given records (no demo hosts, no CAA) on ephemeral ports."""
    defaults: dict[str, Any] = {
        "hosts": [HostSpec(ZONE)],
        "txt": {},
        "mx": {},
        "caa": {},
        "external_zones": {},
        "latency": {},
        "dns_port": 0,
        "https_port": 0,
        "http_port": 0,
    }
    return LabConfig(**{**defaults, **settings})


@contextlib.contextmanager
def started(config: LabConfig, factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(config, factory.mktemp("lab")) as lab:
        yield lab


def email_sprint(lab: Lab, directory: Path, domain: str) -> Sprint:
    """A sprint whose [email].domain is `domain`, pointed at `lab` through [network]."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{domain}.toml"
    document = {
        "sprint": {"name": f"mail {domain}"},
        "site": {"apex": ZONE},
        "email": {"domain": domain},
        "network": lab.network_section(directory),
    }
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return store.load(path).sprint
