"""The demo sprint file the lab writes, and the refresh of [network] in an existing one.

A sprint file belongs to its engineer: when it exists, only the values of its [network] table
change, [lab].dns (which marks the file as the lab's) and the lab's mail ports in [email]
(comments, results, notes and every other key are kept); a file without [email], [deploy] or
[logs] gains it, and the lab's mail credentials are declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
import tomlkit.items

from launchtui.errors import SprintFileError
from launchtui.lab import acme, members
from launchtui.lab.config import LabConfig
from launchtui.sprint import store

# The demo's sending setup (see the email stage): the lab relay signs with the "lab" selector;
# "legacy2019" is an old 1024-bit key still published.
DEMO_SENDERS = ["google-workspace", "postmark", "sendgrid"]
DEMO_SELECTORS = ["lab", "legacy2019"]


@dataclass
class MailSection:
    """The lab's mail as a sprint declares it: the relay and the seed inboxes."""

    smtp_host: str
    smtp_port: int
    smtp_username: str
    inboxes: list[tuple[str, str, str]]  # (address, imap host:port, credential name)
    credentials: dict[str, str] = field(default_factory=dict)  # name -> purpose

    def email_table(self, zone: str) -> dict[str, Any]:
        smtp = tomlkit.inline_table()
        smtp.update(
            {
                "host": self.smtp_host,
                "port": self.smtp_port,
                "tls": "starttls",
                "username": self.smtp_username,
            }
        )
        return {
            "domain": zone,
            "senders": DEMO_SENDERS,
            "dkim_selectors": DEMO_SELECTORS,
            "from": f"Harbor Club <{self.smtp_username}>",
            "smtp": smtp,
            "seed_inboxes": self.inbox_array(),
            "unsubscribe": unsubscribe_uris(zone),
        }

    def inbox_array(self) -> tomlkit.items.Array:
        array = tomlkit.array().multiline(True)
        for address, imap, credential in self.inboxes:
            entry = tomlkit.inline_table()
            entry.update(
                {"address": address, "imap": imap, "username": address, "credential": credential}
            )
            array.append(entry)
        return array


def unsubscribe_uris(zone: str) -> tomlkit.items.Array:
    """The demo community's List-Unsubscribe URIs: one-click HTTPS, and mailto."""
    uris = tomlkit.array()
    uris.extend([f"https://{zone}/unsubscribe", f"mailto:unsubscribe@{zone}"])
    return uris


MEMBER_PAGES = ("/account", "/profile", "/settings")
FLOW_PATHS = {
    "login": "/login",
    "join": "/join",
    "invite": "/invite/demo",
    "posts": "/api/posts",
    "health": "/api/health",
    "checkout": "/checkout",
}


def _old_urls(config: LabConfig) -> tomlkit.items.Array:
    """The demo's declared old URLs, when the apex serves their redirects (see demo_hosts)."""
    zone, app = config.zone, f"https://app.{config.zone}"
    declared = {
        "/join": (f"http://{zone}/join", f"{app}/join"),  # healthy
        "/signup": (f"https://{zone}/signup", f"{app}/join"),  # a temporary (302) redirect
        "/old-pricing": (f"https://{zone}/old-pricing", f"{app}/pricing"),  # a loop
    }
    apex = next((host for host in config.hosts if host.name == zone), None)
    array = tomlkit.array().multiline(True)
    if apex is not None and set(declared) <= set(apex.routes):
        for old, new in declared.values():
            entry = tomlkit.inline_table()
            entry.update({"from": old, "to": new})
            array.append(entry)
    return array


def demo_sprint(
    config: LabConfig,
    network: dict[str, Any],
    mail: MailSection | None = None,
    deploy: dict[str, Any] | None = None,
    logs: list[str] | None = None,
) -> tomlkit.TOMLDocument:
    document = tomlkit.document()
    document.add(tomlkit.comment("Written by `launchtui lab`: the Harbor Club demo sprint."))
    document.add(tomlkit.comment("Each lab start refreshes [network] only; edit the rest freely."))
    document.add(tomlkit.nl())
    document["sprint"] = {
        "name": "Harbor Club launch (lab)",
        "client": "Harbor Club",
        "engineer": "",
        "id": "demo",
    }
    hostnames = tomlkit.array().multiline(True)  # one per line: diff-friendly
    # Neither the apex nor the lab CA's ACME server is one of the community's hostnames.
    not_hostnames = {config.zone, f"{acme.LABEL}.{config.zone}"}
    # nor a third party's host in another zone the lab serves (a CDN's)
    hostnames.extend(
        host.name
        for host in config.hosts
        if host.name not in not_hostnames and host.name.endswith("." + config.zone)
    )
    app_host = next((host.name for host in config.hosts if host.app), None)
    document["site"] = {
        "apex": config.zone,
        "hostnames": hostnames,
        "canonical": f"https://{app_host}" if app_host else f"https://{config.zone}",
        "redirects": _old_urls(config),
    }
    if app_host:
        flows: dict[str, Any] = {
            flow: f"https://{app_host}{path}" for flow, path in FLOW_PATHS.items()
        }
        # Member pages (lab.members): /account is right, /profile is publicly cacheable,
        # /settings is open to web cache deception behind the app host's shared cache.
        flows["private"] = [flows["posts"], *(f"https://{app_host}{p}" for p in MEMBER_PAGES)]
        document["flows"] = flows
        # perf.latency's probe, kept short for the demo: 20 requests of each flow at 10/s
        document["performance"] = {"requests": 20, "rate": 10, "concurrency": 4}
    if mail is not None:
        document["email"] = mail.email_table(config.zone)
        document["monitoring"] = monitoring_table(mail, deploy)
    if deploy is not None:
        document["deploy"] = _deploy_table(deploy)
    if logs:
        document["logs"] = _logs_table(logs)
    credentials = {"cloudflare_api_token": "Cloudflare API token (Zone read)"}
    if app_host:
        # The lab's demo members' session cookies (from its environment, like the mail
        # passwords); the burst of perf.rate-limit is fine here: it is the lab.
        credentials |= {
            name: f"session cookie of lab member {member}"
            for name, member in zip(members.CREDENTIALS, members.MEMBERS, strict=True)
        }
        document["performance"] |= {
            "identities": list(members.CREDENTIALS),
            "rate_limit_probe": True,
        }
    if mail is not None:
        credentials |= MONITORING_CREDENTIALS
    document["credentials"] = credentials | (mail.credentials if mail else {})
    document["network"] = network
    update_lab(document, network)
    return document


# Stage 6's credentials: the lab's chat webhook and error-tracking ingest (lab-only secrets,
# given to the demo through its environment like the mail passwords).
SLACK_WEBHOOK = "slack_webhook"
ERROR_DSN = "sentry_dsn"
MONITORING_CREDENTIALS = {
    SLACK_WEBHOOK: "Slack incoming-webhook URL for alerts",
    ERROR_DSN: "Sentry DSN of the app's error tracking",
}
DEMO_WATCH_INTERVAL = 15  # the dashboard's watch passes: it is the lab, so often


def monitoring_table(
    mail: MailSection, deploy: dict[str, Any] | None = None
) -> tomlkit.items.Table:
    """[monitoring]: alerts emailed to the first seed inbox (the lab's relay delivers there)
    and posted to the lab's Slack-shaped webhook; errors reported to its Sentry-shaped ingest;
    the demo team's existing monitors in the app repository (lab.demo_monitors)."""
    table = tomlkit.table()
    table.update(
        {
            "alert_email": mail.inboxes[0][0] if mail.inboxes else "",
            "slack_webhook": SLACK_WEBHOOK,
            "error_dsn": ERROR_DSN,
            "watch_interval": DEMO_WATCH_INTERVAL,
        }
    )
    if deploy is not None and deploy.get("monitors"):
        table["existing"] = [deploy["monitors"]]
    return table


def _deploy_table(deploy: dict[str, Any]) -> tomlkit.items.Table:
    table = tomlkit.table()
    table.comment("the demo app repository beside this file, made by the lab (its keys are fake)")
    required = tomlkit.array().multiline(True)
    required.extend(deploy.get("env_required", []))
    # Production's values, as far as the demo has them: the repository's env file, with the
    # missing variable, the placeholder and the test-mode key deploy.env finds.
    source = f"dotenv:{deploy['repo']}/.env.production"
    table.update({"repo": deploy["repo"], "env_required": required, "env_source": source})
    return table


def update_deploy(document: tomlkit.TOMLDocument, deploy: dict[str, Any]) -> None:
    """Give an existing sprint without [deploy] the lab's; one with it is left alone. Its
    [monitoring] gets the demo's existing monitors when it names none."""
    if "deploy" not in document:
        document["deploy"] = _deploy_table(deploy)
    monitoring = document.get("monitoring")
    if (
        isinstance(monitoring, tomlkit.items.Table)
        and "existing" not in monitoring
        and deploy.get("monitors")
    ):
        monitoring["existing"] = [deploy["monitors"]]


def _logs_table(patterns: list[str]) -> tomlkit.items.Table:
    table = tomlkit.table()
    table.comment("a week of the demo app's logs, written afresh by each lab start (lab.logs)")
    files = tomlkit.array().multiline(True)
    files.extend(patterns)
    table["files"] = files
    return table


def update_logs(document: tomlkit.TOMLDocument, logs: list[str]) -> None:
    """Give an existing sprint without [logs] the lab's; one with it is left alone."""
    if logs and "logs" not in document:
        document["logs"] = _logs_table(logs)


def update_lab(document: tomlkit.TOMLDocument, network: dict[str, Any]) -> None:
    """Mark the sprint as the lab's: [lab].dns is the lab's DNS server, which the app probes
    before saying the lab is not running (and how to start it)."""
    nameservers = network.get("nameservers") or []
    if not nameservers:
        return
    table = document.get("lab")
    if not isinstance(table, tomlkit.items.Table):
        table = tomlkit.table()
        table.comment(
            "served by launchtui's lab: start it with `launchtui demo` or `launchtui lab`"
        )
        document["lab"] = table
    table["dns"] = nameservers[0]


def update_mail(document: tomlkit.TOMLDocument, zone: str, mail: MailSection) -> None:
    """Point an existing sprint's [email] at this lab run's relay and inboxes (their ports may
    have changed), adding [email] and the mail credentials when the file has none yet."""
    table = document.get("email")
    if not isinstance(table, tomlkit.items.Table):
        document["email"] = mail.email_table(zone)
    else:
        smtp = table.get("smtp")
        if isinstance(smtp, dict) and smtp.get("host") == mail.smtp_host:
            smtp["port"] = mail.smtp_port
        imap = {address: where for address, where, _ in mail.inboxes}
        for inbox in table.get("seed_inboxes", []):
            if isinstance(inbox, dict) and inbox.get("address") in imap:
                inbox["imap"] = imap[inbox["address"]]
        if "unsubscribe" not in table:  # a demo sprint written before the announcement existed
            table["unsubscribe"] = unsubscribe_uris(zone)
    credentials = document.get("credentials")
    if not isinstance(credentials, tomlkit.items.Table):
        document["credentials"] = mail.credentials
        return
    for name, purpose in mail.credentials.items():
        if name not in credentials:
            credentials[name] = purpose


def update_network(document: tomlkit.TOMLDocument, network: dict[str, Any]) -> None:
    """Set the [network] values in place, keeping the table's comments and other keys."""
    table = document.get("network")
    if not isinstance(table, tomlkit.items.Table):
        document["network"] = network
        return
    for key, value in network.items():
        if isinstance(value, dict) and isinstance(table.get(key), tomlkit.items.InlineTable):
            inline = tomlkit.inline_table()  # keep a hand-written inline table inline
            inline.update(value)
            value = inline
        table[key] = value


def _refreshed(
    path: Path,
    network: dict[str, Any],
    zone: str,
    mail: MailSection | None,
    deploy: dict[str, Any] | None = None,
    logs: list[str] | None = None,
) -> bytes:
    """The file at `path` with its [network] values replaced and nothing else changed.

    Not loaded through the sprint store on purpose: the store rejects a file whose old
    ca_bundle is gone (a lab CA from an earlier run, say), and that is what this refresh fixes.
    """
    original = path.read_bytes()
    try:
        document = tomlkit.parse(original.decode("utf-8"))
    except (UnicodeDecodeError, tomlkit.exceptions.ParseError) as exc:
        raise SprintFileError(f"{path}: cannot refresh [network]: {exc}") from None
    update_network(document, network)
    update_lab(document, network)
    if mail is not None:
        update_mail(document, zone, mail)
    if deploy is not None:
        update_deploy(document, deploy)
    if logs:
        update_logs(document, logs)
    text = tomlkit.dumps(document)
    if b"\r\n" in original:  # tomlkit writes new lines as LF: keep a CRLF file CRLF
        text = re.sub(r"(?<!\r)\n", "\r\n", text)
    return text.encode("utf-8")


def write_sprint(
    path: Path,
    config: LabConfig,
    network: dict[str, Any],
    mail: MailSection | None = None,
    deploy: dict[str, Any] | None = None,
    logs: list[str] | None = None,
) -> Path:
    """Write the demo sprint to `path`, or only refresh [network] (and the lab's mail ports
    in [email]) if the file exists; a file without [deploy] or [logs] gains the lab's.

    A file that is not TOML raises SprintFileError and is left alone; writes are atomic.
    """
    if path.exists():
        data = _refreshed(path, network, config.zone, mail, deploy, logs)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = tomlkit.dumps(demo_sprint(config, network, mail, deploy, logs)).encode("utf-8")
    store.write_atomic(path, data)
    return path
