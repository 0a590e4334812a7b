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
from lab_fixtures import HOSTILE_TEXT

from launchtui.lab import HostSpec, Lab, LabConfig, LabThread
from launchtui.model.sprint import Sprint
from launchtui.sprint import store

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


HOSTILE_DMARC = f"v=DMARC1; p={HOSTILE_TEXT}; rua=mailto:d@hostile.test"
HUGE_DMARC = "v=DMARC1; p=reject; rua=mailto:d@huge.test; " + "; ".join(
    f"pad{n:03d}=" + "z" * 20 for n in range(160)
)

RECORDS = {
    "monitor.test": ["v=DMARC1; p=none; rua=mailto:dmarc@monitor.test"],
    "reject.test": ["v=DMARC1; p=reject; rua=mailto:dmarc@reject.test; adkim=s"],
    "norua.test": ["v=DMARC1; p=none"],
    "blind.test": ["v=DMARC1; p=reject"],
    "partial.test": ["v=DMARC1; p=quarantine; pct=25; rua=mailto:d@partial.test"],
    "weaksp.test": ["v=DMARC1; p=reject; sp=none; rua=mailto:d@weaksp.test"],
    "outsourced.test": [
        "v=DMARC1; p=none; rua=mailto:agg@reports.example; ruf=mailto:f@forensic.example"
    ],
    "trusted.test": ["v=DMARC1; p=quarantine; rua=mailto:agg@reports.example"],
    "several.test": ["v=DMARC1; p=none; rua=mailto:a@several.test", "v=DMARC1; p=reject"],
    "typo.test": ["v=DMARC1; p=block; rua=mailto:d@typo.test"],
    "twice.test": ["v=DMARC1; p=none; p=reject; rua=mailto:d@twice.test"],
    "hostile.test": [HOSTILE_DMARC],
    "huge.test": [HUGE_DMARC],
    "lowercase.test": ["v=dmarc1; p=reject", "google-site-verification=abc123"],
    "parent.test": ["v=DMARC1; p=quarantine; rua=mailto:d@parent.test"],
    # RFC 9989: historic pct (not validated), no p, testing mode, np, a public suffix domain.
    "pct150.test": ["v=DMARC1; p=reject; pct=150; rua=mailto:d@pct150.test"],
    "nop.test": ["v=DMARC1; rua=mailto:d@nop.test"],
    "testmode.test": ["v=DMARC1; p=reject; t=y; rua=mailto:d@testmode.test"],
    "weaknp.test": ["v=DMARC1; p=reject; np=none; rua=mailto:d@weaknp.test"],
    "registry.test": ["v=DMARC1; p=reject; psd=y; rua=mailto:d@registry.test"],
    "extfail.test": [f"v=DMARC1; p=none; rua=mailto:d@{ZONE}"],
    "longhost.test": [
        "v=DMARC1; p=none; rua=mailto:d@"
        + ".".join(["a" * 60] * 3 + ["b" * 40])
        + ".reports.example"
    ],
    "flood.test": [
        "v=DMARC1; p=none; rua="
        + ",".join(f"mailto:r{n}@reports.example" for n in range(300))
        + ","
        + ",".join(f"mailto:r@h{n}.forensic.example" for n in range(30))
    ],
}


def dmarc_config() -> LabConfig:
    """DMARC records, one organizational domain (external zone) per case."""
    txt = {f"_dmarc.{domain}": values for domain, values in RECORDS.items()}
    # reports.example agreed to receive outsourced.test's and trusted.test's reports;
    # forensic.example agreed to nothing.
    txt["outsourced.test._report._dmarc.reports.example"] = ["v=DMARC1"]
    txt["trusted.test._report._dmarc.reports.example"] = ["v=DMARC1;"]
    txt["outsourced.test._report._dmarc.forensic.example"] = ["not a DMARC record"]
    txt["_dmarc.news.parent.test"] = ["v=DMARC 1; p=reject"]  # discarded: not v=DMARC1
    txt["_dmarc.dup.parent.test"] = ["v=DMARC1; p=none", "v=DMARC1; p=reject"]  # discarded
    zones = [*RECORDS, "reports.example", "forensic.example", "empty.test"]
    return mail_config(
        txt=txt,
        external_zones={zone: [] for zone in zones},
        hosts=[
            dns_only(f"_dmarc.broken.{ZONE}", "servfail"),
            dns_only(f"_dmarc.silent.{ZONE}", "drop"),
            dns_only(f"extfail.test._report._dmarc.{ZONE}", "servfail"),
        ],
    )
