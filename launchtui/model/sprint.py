"""The typed view of a sprint file's target description (the brief's fixed contract).

The store validates the TOML document and builds these; checks read only these, never TOML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from launchtui.model.env import EnvSource, EnvVar
from launchtui.model.flows import Flow, PerformanceConfig
from launchtui.model.limits import DEFAULT_TIMEOUT
from launchtui.model.monitoring import MonitoringConfig, Monitors, monitors_for

HostPort = tuple[str, int]
DEFAULT_SEED_CREDENTIAL = "seed_imap_password"


@dataclass(frozen=True, slots=True)
class Redirect:
    from_url: str
    to_url: str


@dataclass(frozen=True, slots=True)
class Site:
    apex: str
    hostnames: tuple[str, ...] = ()
    canonical: str = ""
    redirects: tuple[Redirect, ...] = ()

    @property
    def all_hostnames(self) -> tuple[str, ...]:
        """Apex first, then every other public hostname, without duplicates."""
        seen: dict[str, None] = {self.apex: None}
        for host in self.hostnames:
            seen.setdefault(host, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    nameservers: tuple[HostPort, ...] = ()  # empty: the system's resolvers
    public_resolvers: tuple[HostPort, ...] = ()
    ca_bundle: Path | None = None  # absolute, resolved against the sprint file's folder
    connect_to: dict[HostPort, HostPort] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT  # per operation; a whole HTTP exchange gets twice that
    # The ACME directory whose renewalInfo (RFC 9773) to ask about the sprint's certificates,
    # for the lab and staging CAs; "" asks the issuer's known production directory.
    acme_directory: str = ""
    # The CAA domain a certificate issued by a CA of ca_bundle answers to (a private CA: the
    # lab's, a staging one); "" leaves such a certificate's issuer unmatched.
    caa_domain: str = ""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str = ""
    port: int = 587
    tls: str = "starttls"  # "starttls", "tls" or "none"
    username: str = ""  # the password is a credential, never in the file


@dataclass(frozen=True, slots=True)
class SeedInbox:
    address: str = ""
    imap: str = ""  # "host:port"
    username: str = ""
    credential: str = DEFAULT_SEED_CREDENTIAL  # the credential holding its IMAP password


@dataclass(frozen=True, slots=True)
class EmailConfig:
    domain: str = ""  # [email].domain, else the site's apex
    senders: tuple[str, ...] = ()  # known sending services, e.g. "postmark"
    dkim_selectors: tuple[str, ...] = ()
    from_address: str = ""  # [email].from
    smtp: SmtpConfig | None = None
    seed_inboxes: tuple[SeedInbox, ...] = ()
    # List-Unsubscribe URIs the launch announcement carries (https: for one-click, mailto:)
    unsubscribe: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sprint:
    path: Path
    id: str  # keyring namespace: [sprint].id, else the file name without .toml
    name: str
    site: Site
    client: str = ""
    engineer: str = ""
    flows: dict[str, str] = field(default_factory=dict)
    private_urls: tuple[str, ...] = ()
    credentials: dict[str, str] = field(default_factory=dict)  # name -> what it is for
    env_required: tuple[str, ...] = ()  # the names of env_vars, in order
    env_vars: tuple[EnvVar, ...] = ()  # [deploy].env_required with each variable's kind
    env_source: EnvSource | None = None  # [deploy].env_source: where production's values are
    network: NetworkConfig = field(default_factory=NetworkConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    deploy_repo: Path | None = None  # absolute, resolved against the sprint file's folder
    # [lab].dns: written by the embedded lab, whose DNS server this is; the app checks that
    # it answers before a run, and says how to start the lab when it does not
    lab_dns: HostPort | None = None
    # [performance] identities: the credentials (one or two) private pages are loaded as by
    # perf.private-cache; one alone is compared with an anonymous visitor
    perf_identities: tuple[str, ...] = ()
    # [performance] rate_limit_probe: perf.rate-limit may send its bursts (off: skipped)
    rate_limit_probe: bool = False
    # [flows] as the performance checks read them (URL entries as one GET, tables as steps)
    flow_specs: dict[str, Flow] = field(default_factory=dict)
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)
    # [logs].files: glob patterns of the logs the daily risk notes read, absolute (a relative
    # one resolved against the sprint file's folder); launchtui.logs.files expands them
    logs: tuple[str, ...] = ()

    @property
    def monitors(self) -> Monitors:
        """Stage 6's monitors: the core flows of [site] and [flows], every hostname's
        certificate (launchtui.model.monitoring)."""
        site = self.site
        return monitors_for(site.canonical, site.apex, site.all_hostnames, self.flows)
