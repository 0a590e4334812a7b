"""The lab as one object: start and stop everything it serves, and say where it is.

`Lab` runs on the caller's event loop (the `launchtui lab` command); `LabThread` runs one on
its own loop in a daemon thread, for tests, the benchmark and `launchtui demo`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from launchtui.credentials import env_var
from launchtui.email.dkim_record import KeyRecordError, load_key, parse_key_record
from launchtui.errors import LabError
from launchtui.lab import acme, chat_webhook, demo_spf
from launchtui.lab.app_repo import ENV_REQUIRED, ensure_app_repo
from launchtui.lab.ca import LabCA, validity
from launchtui.lab.config import LAB_CAA_DOMAIN, HostSpec, LabConfig, expiring
from launchtui.lab.demo_monitors import ensure_demo_monitors
from launchtui.lab.dns_server import DnsServer
from launchtui.lab.error_ingest import SentryIngest
from launchtui.lab.logs import FOLDER as LOG_FOLDER
from launchtui.lab.logs import sprint_patterns, write_demo_logs
from launchtui.lab.mail.services import MailServices
from launchtui.lab.members import AppState
from launchtui.lab.ports import Address, hostport
from launchtui.lab.receivers import Receiver
from launchtui.lab.sprint_file import ERROR_DSN, SLACK_WEBHOOK, MailSection, write_sprint
from launchtui.lab.web import WebServers
from launchtui.lab.zone import NAMESERVER, build_zone
from launchtui.model.renewal import Renewal

HTTPS_PORT = 443  # the ports sprint URLs use; connect_to maps them to the lab's
HTTP_PORT = 80
THREAD_TIMEOUT = 30.0  # seconds LabThread waits for the lab to start or stop


DNS_PROBLEMS = {
    "nxdomain": "no DNS record (NXDOMAIN)",
    "servfail": "DNS answers SERVFAIL",
    "servfail-aaaa": "DNS answers SERVFAIL for AAAA",
    "drop": "DNS never answers (timeout)",
}
CERT_PROBLEMS = {
    "expired": "certificate expired",
    "not-yet-valid": "certificate not valid yet",
    "wrong-name": "certificate names old-{name} instead",
    "self-signed": "certificate is self-signed",
}


def _problems(host: HostSpec) -> list[str]:
    """The launch problems a host is seeded with, in words."""
    now = datetime.now(UTC)
    problems = [DNS_PROBLEMS[host.dns]] if host.dns in DNS_PROBLEMS else []
    if host.note:
        problems.append(host.note)
    if host.renew_early:
        problems.append("the lab CA asks for its certificate to be renewed early (ARI)")
    if not host.https:
        return problems
    left = expiring(host.cert)
    if host.tls == "stall":
        problems.append("TLS handshake never completes")
    elif left is not None and Renewal(*validity(host.cert, now)).renewal_due(now):
        days, lifetime = left
        problems.append(
            f"certificate expires in {days} days (a {lifetime}-day certificate past its "
            "renewal point)"
        )
    elif host.cert in CERT_PROBLEMS:
        problems.append(CERT_PROBLEMS[host.cert].format(name=host.name))
    return problems


def _dns_problems(lab: Lab, host: HostSpec) -> list[str]:
    """A stale answer at the last public resolver, and a CNAME into an external zone the lab
    answers for, to a name that does not exist there (a subdomain takeover risk)."""
    problems = []
    if host.stale_addresses and lab.resolver_addresses:
        where = hostport(lab.resolver_addresses[-1])
        problems.append(f"public resolver {where} still answers {', '.join(host.stale_addresses)}")
    target = (host.cname or "").rstrip(".").lower()
    for zone, names in lab.config.external_zones.items():
        if target.endswith("." + zone) and target not in names:
            problems.append(f"CNAME to {target}, which does not exist (takeover risk)")
    return problems


def _weak_dkim_keys(config: LabConfig) -> list[str]:
    """DKIM keys the lab publishes that email.dkim warns or fails about for their size."""
    problems = []
    for owner, values in config.txt.items():
        if "._domainkey." not in owner:
            continue
        for value in values:
            try:
                key = load_key(parse_key_record(value))
            except KeyRecordError:
                continue
            if key.key_type == "rsa" and key.bits < 2048:
                problems.append(f"  {owner}: DKIM key of {key.bits} bits")
    return problems


class Lab:
    def __init__(self, config: LabConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.ca_path = workdir / "lab-ca.pem"
        listen = config.listen
        # The configured addresses until start() binds (ephemeral ports are known only then).
        self.dns_address: Address = (listen, config.dns_port)
        self.resolver_addresses: list[Address] = [
            (listen, config.dns_port + 1 + index if config.dns_port else 0)
            for index in range(config.resolver_count)
        ]
        self.https_address: Address = (listen, config.https_port)
        self.http_address: Address = (listen, config.http_port)
        self._dns: list[DnsServer] = []
        self._web: WebServers | None = None
        # The app's members, sessions, rate limits, shared cache and request counts
        self.app_state = AppState()
        # Third-party services the lab plays, by HostSpec.receiver kind (lab.receivers)
        self.receivers: dict[str, Receiver] = {}
        chat = next((h for h in config.hosts if h.receiver == chat_webhook.KIND), None)
        self.chat = chat_webhook.ChatWebhook(chat.name) if chat else None
        if self.chat is not None:
            self.receivers[chat_webhook.KIND] = self.chat
        self.error_ingest = SentryIngest()  # a fresh key every start
        self.receivers["sentry"] = self.error_ingest
        # Mail (relay, seed mailboxes, Dovecot) when the config has mailboxes; its signing
        # key is published in the zone, so it exists before the DNS servers start.
        self.mail = MailServices(config) if config.mailboxes else None
        self._zone_config = config
        if self.mail is not None:
            self._zone_config = dataclasses.replace(config, txt=self.mail.zone_txt())

    async def start(self) -> None:
        """Bind everything; a port in use raises LabError and leaves nothing running."""
        config = self.config
        ca = LabCA(config.ca_name)
        try:
            self.dns_address = await self._start_dns(config.hosts, self.dns_address)
            for index, address in enumerate(list(self.resolver_addresses)):
                hosts = config.resolver_hosts(index)
                self.resolver_addresses[index] = await self._start_dns(hosts, address)
            self._web = WebServers(config, ca, self.app_state, self.receivers)
            self.https_address, self.http_address = await self._web.start(
                config.listen, self.https_address[1], self.http_address[1]
            )
            if self.mail is not None:
                await self.mail.start(ca, self.dns_address)
            ca.write(self.ca_path)  # only once everything is up: a failed start writes nothing
        except BaseException:
            await self.stop()
            raise

    async def _start_dns(self, hosts: list[HostSpec], address: Address) -> Address:
        server = DnsServer(build_zone(self._zone_config, hosts), self.config.dns_delay)
        self._dns.append(server)
        return await server.start(*address)

    async def stop(self) -> None:
        servers: list[DnsServer | WebServers] = [*self._dns, *([self._web] if self._web else [])]
        self._dns, self._web = [], None
        await asyncio.gather(*(server.stop() for server in servers))
        if self.mail is not None:
            await self.mail.stop()

    def network_section(self, sprint_dir: Path) -> dict[str, Any]:
        """The [network] table of a sprint file in `sprint_dir` that points at this lab."""
        try:
            ca_bundle = Path(os.path.relpath(self.ca_path.resolve(), sprint_dir.resolve()))
        except ValueError:  # another drive (Windows): no relative path exists
            ca_bundle = self.ca_path.resolve()
        connect_to: dict[str, str] = {}
        # connect_to stands in for the address DNS would give; a host whose DNS is broken
        # gets no shortcut, so its web checks see the same failure a browser would.
        for host in self.config.hosts:
            if host.dns not in ("ok", "servfail-aaaa"):
                continue
            if host.https:
                connect_to[f"{host.name}:{HTTPS_PORT}"] = hostport(self.https_address)
            if host.http:
                connect_to[f"{host.name}:{HTTP_PORT}"] = hostport(self.http_address)
        # The zone's NS host is this lab's DNS server: checks that ask the authoritative
        # server directly (dns.consistency) reach it on port 53 through this mapping.
        connect_to[f"{NAMESERVER}.{self.config.zone}:53"] = hostport(self.dns_address)
        # The relay by its name: engines that cannot ask the lab's DNS (an exported
        # Alertmanager) still reach it, with the name its certificate carries.
        if self.mail is not None:
            smtp_host, smtp_port = self.mail.smtp_address
            connect_to[f"{self.mail.hostname}:{smtp_port}"] = hostport((smtp_host, smtp_port))
        network: dict[str, Any] = {
            "nameservers": [hostport(self.dns_address)],
            "public_resolvers": [hostport(address) for address in self.resolver_addresses],
            "ca_bundle": ca_bundle.as_posix(),
            "caa_domain": LAB_CAA_DOMAIN,  # what dns.caa matches the lab CA's certificates to
            "connect_to": connect_to,
        }
        if f"{acme.LABEL}.{self.config.zone}:{HTTPS_PORT}" in connect_to:
            network["acme_directory"] = acme.directory_url(self.config.zone)
        return network

    def write_sprint(self, path: Path) -> Path:
        """Write the demo sprint pointing at this lab; an existing file gets only [network]
        (and [deploy] and [logs] when it has none). The demo app repository is made next to it
        once; its logs are written afresh each time, to end now."""
        deploy = self.deploy_section(path.parent)
        return write_sprint(
            path,
            self.config,
            self.network_section(path.parent),
            self.mail_section(),
            deploy,
            self.logs_section(path.parent) if deploy is not None else None,
        )

    def logs_section(self, sprint_dir: Path) -> list[str] | None:
        """[logs].files naming the demo app's logs, a week of them written afresh into its
        repository (lab.logs) to end now; None when they cannot be written."""
        repo = self.config.app_repo
        try:
            write_demo_logs(sprint_dir / repo / LOG_FOLDER, zone=self.config.zone)
        except OSError:
            return None
        return sprint_patterns(repo)

    def deploy_section(self, sprint_dir: Path) -> dict[str, Any] | None:
        """[deploy] naming the demo app repository beside the sprint, made there if missing;
        None when the lab has none or git cannot make it (the deploy checks then skip)."""
        if not self.config.app_repo:
            return None
        repo = sprint_dir / self.config.app_repo
        try:
            ensure_app_repo(repo, self.config.zone)
            # the team's existing monitors, which monitoring.coverage judges
            monitors = ensure_demo_monitors(repo, self.config.zone).relative_to(sprint_dir)
        except (OSError, subprocess.SubprocessError):
            return None
        return {
            "repo": self.config.app_repo,
            "env_required": list(ENV_REQUIRED),
            "monitors": monitors.as_posix(),
        }

    def mail_section(self) -> MailSection | None:
        """What the sprint's [email] and [credentials] need to use the lab's mail."""
        mail = self.mail
        if mail is None:
            return None
        imap = hostport(mail.imap_address or (self.config.listen, self.config.imap_port))
        return MailSection(
            smtp_host=mail.hostname,
            smtp_port=mail.smtp_address[1],
            smtp_username=mail.smtp_username,
            inboxes=[(address, imap, mail.credential_names[address]) for address in mail.passwords],
            credentials={cred.name: cred.purpose for cred in mail.credentials()},
        )

    def credential_environment(self) -> dict[str, str]:
        """LAUNCHTUI_CRED_<NAME> -> value for the lab's mail passwords, its demo members'
        session cookies, its chat webhook's URL and its error tracker's DSN (lab-only
        secrets)."""
        members = {env_var(name): value for name, value in self.app_state.cookies().items()}
        if self.chat is not None:
            members[env_var(SLACK_WEBHOOK)] = self.chat.url
        ingest = next((h.name for h in self.config.hosts if h.receiver == "sentry"), None)
        if ingest is not None:
            members[env_var(ERROR_DSN)] = self.error_ingest.dsn(ingest)
        if self.mail is None:
            return members
        return members | {env_var(cred.name): cred.value for cred in self.mail.credentials()}

    def describe(self) -> list[str]:
        """What is served where, and the seeded problems, as lines for a person."""
        config = self.config
        resolvers = ", ".join(hostport(address) for address in self.resolver_addresses)
        lines = [
            f"Lab zone {config.zone}, all on loopback:",
            f"  DNS (authoritative, UDP+TCP)  {hostport(self.dns_address)}",
            f"  public resolvers              {resolvers or 'none'}",
            f"  HTTPS (site chosen by SNI)    {hostport(self.https_address)}",
            f"  HTTP (redirects to HTTPS)     {hostport(self.http_address)}",
            *self._mail_lines(),
            *self._chat_lines(),
            *self._error_tracker_lines(),
            f"  lab CA certificate            {self.ca_path}",
            "Hosts:",
        ]
        for host in config.hosts:
            records = ", ".join(host.addresses)
            if host.dns == "nxdomain":
                records = "(no record)"
            elif host.cname:
                records = f"CNAME {host.cname}"
            roles = [
                role
                for role, on in (("https", host.https), ("http", host.http), ("app", host.app))
                if on
            ]
            lines.append(f"  {host.name:<32} {records:<24} {' '.join(roles) or '-'}")
        problems = [f"  {host.name}: {p}" for host in config.hosts for p in _problems(host)]
        for index, overrides in sorted(config.resolver_overrides.items()):
            names = ", ".join(host.name for host in overrides)
            where = hostport(self.resolver_addresses[index])
            problems.append(f"  public resolver {where} disagrees about {names}")
        problems += [
            f"  {host.name}: {p}" for host in config.hosts for p in _dns_problems(self, host)
        ]
        if demo_spf.DEMO_SPF in config.txt.get(config.zone, []):
            problems.append(f"  {config.zone}: {demo_spf.FAULT}")
        mail_zone = any(v.startswith("v=spf1") for v in config.txt.get(config.zone, []))
        if mail_zone and f"_dmarc.{config.zone}" not in config.txt:
            problems.append(f"  {config.zone}: no DMARC record (_dmarc.{config.zone})")
        problems += _weak_dkim_keys(config)
        slow = [f"{path} +{int(delay * 1000)} ms" for path, delay in config.latency.items()]
        for path, profile in config.latency_profiles.items():
            stall = (
                f", +{profile.stall * 1000:.0f} ms every {profile.stall_every}th request"
                if profile.stall_every
                else ""
            )
            slow.append(
                f"{path} median {profile.median * 1000:.0f} ms, p95 "
                f"{profile.quantile(0.95) * 1000:.0f} ms{stall}"
            )
        return [
            *lines,
            "Seeded problems:",
            *(problems or ["  none"]),
            f"App latency: {', '.join(slow) or 'none'}",
        ]

    def _chat_lines(self) -> list[str]:
        if self.chat is None:
            return []
        hook = f"https://{self.chat.host}/services/{self.chat.team}/{self.chat.bot}/…"
        return [f"  Chat webhook (Slack-shaped)   {hook} (URL: credential {SLACK_WEBHOOK})"]

    def _error_tracker_lines(self) -> list[str]:
        """Where the Sentry-shaped ingest takes events (its DSN is a credential: not shown)."""
        ingest = next((h.name for h in self.config.hosts if h.receiver == "sentry"), None)
        if ingest is None:
            return []
        endpoint = f"https://{ingest}/api/{self.error_ingest.project_id}/envelope/"
        return [f"  error tracker (Sentry ingest) {endpoint}"]

    def _mail_lines(self) -> list[str]:
        mail = self.mail
        if mail is None:
            return []
        smtp = f"{hostport(mail.smtp_address)} ({mail.hostname}, user {mail.smtp_username})"
        imap = hostport(mail.imap_address) if mail.imap_address else f"not served: {mail.imap_note}"
        lines = [
            f"  SMTP relay (STARTTLS + AUTH)  {smtp}",
            f"  IMAP (Dovecot, plain)         {imap}",
        ]
        for mailbox in self.config.mailboxes:
            lines.append(f"  seed inbox {mailbox.address:<28} {mailbox.policy} filter")
        return lines


class LabThread:
    """A Lab on its own event loop in a daemon thread, as a context manager.

    `with LabThread(config, workdir) as lab:` returns the started Lab; a start error (a port
    in use...) is raised in the caller's thread.
    """

    def __init__(self, config: LabConfig, workdir: Path) -> None:
        self.lab = Lab(config, workdir)
        self._loop: asyncio.AbstractEventLoop | None = None  # the thread's, once it runs
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="launchtui-lab", daemon=True)

    def _run(self) -> None:
        self._loop = loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.lab.start())
        except BaseException as exc:
            self._error = exc
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()  # until __exit__ stops the loop
            loop.run_until_complete(self.lab.stop())
        finally:
            loop.close()

    def __enter__(self) -> Lab:
        self._thread.start()
        if not self._started.wait(THREAD_TIMEOUT):
            raise LabError(f"the lab did not start within {THREAD_TIMEOUT:.0f} s")
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self.lab

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._error is None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(THREAD_TIMEOUT)
