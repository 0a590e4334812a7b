"""Write a commented starter sprint file (`launchtui new`).

The starter explains every section of the target description, fills in [site] from the domain,
and leaves the rest as commented examples, so that it loads cleanly before anything is edited.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit

from launchtui.errors import SprintFileError
from launchtui.sprint.store import display_path, parse, write_atomic
from launchtui.sprint.validate import normalize_hostname

_NOT_ID = re.compile(r"[^a-z0-9._-]+")

_TEMPLATE = """\
# Launch-ready sprint for {apex}.
# Edited by the app and by hand: comments, key order and unknown keys are kept.
# Never write a secret value here: name it in [credentials], its value lives in the keyring.
# Check it:     launchtui check {command_path}
# Open the app: launchtui {command_path}

[sprint]
name = {name}
client = {client}{client_padding}# who the platform belongs to
engineer = ""              # who runs the sprint
id = "{sprint_id}"{id_padding}# names this sprint's credentials in the keyring; keep it stable

[site]
apex = "{apex}"
# Every public hostname besides the apex:
hostnames = [{hostnames}]
# Where the apex and www end up:
canonical = "{canonical}"
# Old URLs that must keep working after the launch (absolute URLs):
# redirects = [ {{ from = "http://{apex}/join", to = "{canonical}/join" }} ]

[flows]
# The core flows, timed by the performance stage and watched by the monitoring stage:
# login = "{canonical}/login"
# join = "{canonical}/join"
# invite = "{canonical}/invite/demo"
# posts = "{canonical}/api/posts"
# health = "{canonical}/api/health"
# checkout = "{canonical}/checkout"
# Member-only URLs, which a shared cache must never store:
# private = ["{canonical}/api/posts"]

[email]
domain = "{apex}"{domain_padding}# the domain community mail is sent from
# senders = ["google-workspace", "postmark"]   # the services that send mail for it
# dkim_selectors = ["google"]                   # DKIM selectors to look up
# from = "Community <hello@{apex}>"
# smtp = {{ host = "smtp.example.com", port = 587, tls = "starttls", username = "apikey" }}
# Inboxes that receive the test sends (welcome, password reset, invite, receipt):
# seed_inboxes = [ {{ address = "seed1@example.net", imap = "imap.example.net:993", \
username = "seed1@example.net" }} ]

[deploy]
# repo = "../app"                   # the app's source tree (relative to this file), scanned
#                                   # for hardcoded secrets
# env_required = ["DATABASE_URL"]   # environment variables production must set; a table
#                                   # {{ name = "APP_HOME", kind = "url" }} declares a kind
# env_source = "dotenv:.env.production"   # where their values are read: "environment",
#                                   # "heroku:APP", "fly:APP", "vercel:PROJECT", "render:SERVICE"

[credentials]
# The credentials checks may use, and what each is for. Values live in the OS keyring (service
# "launchtui", username "{sprint_id}/<name>") or, in CI, in LAUNCHTUI_CRED_<NAME>.
# cloudflare_api_token = "Cloudflare API token (Zone read)"
# smtp_password = "SMTP relay password for test sends"

# [network]                         # optional: for staging, the lab and tests
# nameservers = ["127.0.0.1:5353"]  # resolver(s) for all lookups
# public_resolvers = ["1.1.1.1", "8.8.8.8", "9.9.9.9"]   # compared for consistency
# ca_bundle = "ca.pem"              # extra trust anchors (relative to this file)
# connect_to = {{ "{canonical_host}:443" = "127.0.0.1:8443" }}   # like curl --connect-to
# timeout = 5                       # seconds per network operation (--timeout overrides)
# acme_directory = "https://acme-staging-v02.api.letsencrypt.org/directory"   # ARI (RFC 9773)
# caa_domain = "ca.example"         # the CAA domain of ca_bundle's CA (dns.caa)
"""
_COMMENT_COLUMN = 27  # where the comments after `id` and `domain` line up


def scaffold(
    path: str | Path,
    domain: str,
    hostnames: Sequence[str] = (),
    *,
    name: str = "",
    client: str = "",
    canonical: str = "",
    www: bool = True,
) -> Path:
    """Write a commented starter sprint file; returns its absolute path.

    www.DOMAIN is listed first among the hostnames unless `www` is False; the canonical URL is
    `canonical` if given, else https:// and the first of `hostnames`, else www.DOMAIN, else the
    domain. Raises SprintFileError for a bad domain, hostname or canonical URL, or if the file
    exists: it is never overwritten.
    """
    target = Path(os.path.abspath(path))
    apex = _hostname(domain, "domain", target)
    given = [_hostname(host, "hostname", target) for host in hostnames]
    listed = [f"www.{apex}"] if www else []
    listed += [host for host in given if host not in listed and host != apex]
    if canonical:
        try:
            canonical = check_canonical(canonical)
        except ValueError as exc:
            raise SprintFileError(f"{display_path(target)}: not created: {exc}") from None
        canonical_host = urlsplit(canonical).hostname or apex
    else:
        canonical_host = (given or listed or [apex])[0]
        canonical = f"https://{canonical_host}"
    sprint_id = _sprint_id(target)
    client_value = tomlkit.string(client).as_string()
    content = _TEMPLATE.format(
        apex=apex,
        command_path=shlex.quote(display_path(target)),
        name=tomlkit.string(name or f"{apex} launch").as_string(),
        client=client_value,
        client_padding=_padding(f"client = {client_value}"),
        sprint_id=sprint_id,
        id_padding=_padding(f'id = "{sprint_id}"'),
        domain_padding=_padding(f'domain = "{apex}"'),
        hostnames=", ".join(f'"{host}"' for host in listed),
        canonical=canonical,
        canonical_host=canonical_host,
    )
    parse(content, target)  # the starter must load as written
    if target.exists():
        raise SprintFileError(f"{display_path(target)}: already exists; not overwriting it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, content.encode("utf-8"))
    except OSError as exc:
        raise SprintFileError(
            f"{display_path(target)}: cannot write: {exc.strerror or exc}"
        ) from None
    return target


def check_canonical(url: str) -> str:
    """An https:// URL with a valid host, without a trailing slash; raises ValueError."""
    shown = tomlkit.string(url).as_string()
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https" or not parts.netloc:
        raise ValueError(f"canonical URL {shown} must be an https:// URL")
    if parts.username is not None:
        raise ValueError(f"canonical URL {shown} must not hold a user name or password")
    if parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValueError(f"canonical URL {shown} must be the site's root, like https://acme.org")
    try:
        port = parts.port
        host = normalize_hostname(parts.hostname or "")
    except ValueError as exc:
        raise ValueError(f"canonical URL {shown} has no valid host: {exc}") from None
    return f"https://{host}" if port is None else f"https://{host}:{port}"


def slug(name: str) -> str:
    """A file name for a sprint's name: lowercase, other characters as '-'."""
    return _NOT_ID.sub("-", name.lower()).strip("._-")


def _hostname(name: str, what: str, target: Path) -> str:
    try:
        return normalize_hostname(name)
    except ValueError as exc:
        raise SprintFileError(
            f"{display_path(target)}: not created: {what} {tomlkit.string(name).as_string()} "
            f"is not a valid DNS hostname: {exc}"
        ) from None


def _sprint_id(target: Path) -> str:
    """The file's stem as a valid [sprint].id: lowercase, other characters as '-'."""
    return slug(target.stem) or "sprint"


def _padding(line: str) -> str:
    return " " * max(1, _COMMENT_COLUMN - len(line))
