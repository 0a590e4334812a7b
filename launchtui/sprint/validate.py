"""Check a parsed sprint file and build its typed view.

Input is the plain data of a parsed file (tomlkit's unwrap()). Each problem is raised as
Invalid(key, problem); the store turns it into one line naming the file and the key's line.
Unknown sections and keys are allowed and left alone: they belong to the person editing the file.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import idna

from launchtui.model.env import (
    KIND_ALIASES,
    KINDS,
    SOURCE_KINDS,
    EnvSource,
    EnvVar,
    infer_kind,
    normalise_kind,
)
from launchtui.model.flows import (
    AUTH_KINDS,
    MAX_CONCURRENCY,
    MAX_DURATION_S,
    MAX_RATE,
    MAX_REQUESTS,
    METHODS,
    MIN_RATE,
    Flow,
    PerformanceConfig,
    Step,
)
from launchtui.model.limits import DEFAULT_TIMEOUT, MAX_TIMEOUT
from launchtui.model.monitoring import (
    DEFAULT_WATCH_INTERVAL,
    MAX_WATCH_INTERVAL,
    MIN_WATCH_INTERVAL,
    MonitoringConfig,
)
from launchtui.model.results import Severity, Status
from launchtui.model.senders import SENDERS, known_senders
from launchtui.model.sprint import (
    DEFAULT_SEED_CREDENTIAL,
    EmailConfig,
    HostPort,
    NetworkConfig,
    Redirect,
    SeedInbox,
    Site,
    SmtpConfig,
    Sprint,
)
from launchtui.model.stages import STAGE_NAMES
from launchtui.sprint.locate import Invalid, KeyPath
from launchtui.sprint.results import CHECK_KEYS, PASS, is_legacy
from launchtui.sprint.validate_tasks import check_tasks

_SPRINT_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_CREDENTIAL_NAME = re.compile(r"[a-z][a-z0-9_]*")
_COOKIE_AUTH = re.compile(r"cookie:[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 6265 cookie name
MAX_FLOW_STEPS = 5
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_LABEL = re.compile(r"[a-z0-9-]+")
_HOST = re.compile(r"[A-Za-z0-9.-]+")
_SMTP_TLS = ("starttls", "tls", "none")
_EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+")
_DNS_PORT = 53
_SHOWN_CHARS = 80

T = TypeVar("T")
_Reader = Callable[[Any, KeyPath], T]  # reads one value found at a key path


def build_sprint(data: Mapping[str, Any], path: Path) -> Sprint:
    """The typed view of a sprint file at `path` (absolute); raises Invalid."""
    sprint = _table(data, ("sprint",), required=True)
    site = _site(_table(data, ("site",), required=True))
    flows = _table(data, ("flows",))
    deploy = _table(data, ("deploy",))
    check_app_sections(data)
    env_vars = _env_vars(deploy)
    return Sprint(
        path=path,
        id=_sprint_id(sprint, path),
        name=_string(sprint, ("sprint", "name"), required=True),
        site=site,
        client=_string(sprint, ("sprint", "client")),
        engineer=_string(sprint, ("sprint", "engineer")),
        flows=_flows(flows, site),
        flow_specs=_flow_specs(flows, site),
        performance=_performance(_table(data, ("performance",))),
        private_urls=_each(flows, ("flows", "private"), _url),
        credentials=_credentials(_table(data, ("credentials",))),
        env_required=tuple(var.name for var in env_vars),
        env_vars=env_vars,
        env_source=_env_source(deploy, path.parent),
        network=_network(_table(data, ("network",)), path.parent),
        email=_email(_table(data, ("email",)), site.apex),
        deploy_repo=_relative_path(deploy, ("deploy", "repo"), path.parent),
        lab_dns=_lab_dns(_table(data, ("lab",))),
        **_perf_probes(_table(data, ("performance",)), data),
        monitoring=_monitoring(_table(data, ("monitoring",)), data, path.parent),
        logs=_logs(_table(data, ("logs",)), path.parent),
    )


def _perf_probes(performance: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """[performance] identities (perf.private-cache) and rate_limit_probe (perf.rate-limit)."""
    key: KeyPath = ("performance", "identities")
    identities = _each(performance, key, _str)
    declared = _table(data, ("credentials",))
    for index, name in enumerate(identities):
        if not _CREDENTIAL_NAME.fullmatch(name):
            raise Invalid(
                (*key, index),
                f"a credential name uses lowercase letters, digits and '_', got {_show(name)}",
            )
        if name not in declared:
            raise Invalid(
                (*key, index),
                f"credential {_show(name)} is not declared in [credentials] (declare it there "
                'with what it is, e.g. member_a_session = "session cookie of a test member")',
            )
    if len(identities) > 2:
        raise Invalid(key, f"expected one or two credential names, got {len(identities)}")
    if len(set(identities)) != len(identities):
        raise Invalid(key, "the two identities must be different credentials")
    probe_key: KeyPath = ("performance", "rate_limit_probe")
    probe = _get(performance, probe_key)
    if probe is not None and not isinstance(probe, bool):
        raise Invalid(probe_key, f"expected true or false, got {_kind(probe)}")
    return {"perf_identities": identities, "rate_limit_probe": bool(probe)}


def _lab_dns(lab: Mapping[str, Any]) -> HostPort | None:
    """[lab].dns, the lab's DNS server, in a sprint the lab wrote (see launchtui.lab)."""
    key: KeyPath = ("lab", "dns")
    value = _get(lab, key)
    return None if value is None else _connect_to_address(value, key)


def normalize_hostname(name: str) -> str:
    """The lowercase ASCII (punycode) form of a DNS hostname; raises ValueError with the reason."""
    if name.isascii():
        ascii_name = name.lower()
    else:
        try:
            ascii_name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(f"not a valid international name ({exc})") from None
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise ValueError("needs at least two labels, like acme.community")
    for label in labels:
        _check_label(label)
    if len(ascii_name) > 253:
        raise ValueError("longer than 253 characters")
    return ascii_name


def check_app_sections(data: Mapping[str, Any]) -> None:
    """The sections launchtui writes (see launchtui.sprint.results); raises Invalid."""
    progress = _table(data, ("progress",))
    if "stage" in progress:
        _stage(progress["stage"], ("progress", "stage"))
    results = _table(data, ("results",))
    for stage in results:
        _stage(stage, ("results", stage))
        checks = _table(results, ("results", stage))
        for check_id in checks:
            key = ("results", stage, check_id)
            table = _table(checks, key)
            if is_legacy(table):
                for target in table:
                    _result(_table(table, (*key, target)), (*key, target))
            else:
                _verdicts(table, key)
    for index, run in enumerate(_list(data, ("runs",))):
        _run(run, ("runs", index))
    for stage in _table(data, ("tasks",)):
        _stage(stage, ("tasks", stage))
    check_tasks(data)


# Sections of the target description


def _sprint_id(sprint: Mapping[str, Any], path: Path) -> str:
    sprint_id = _string(sprint, ("sprint", "id"))
    if not sprint_id:
        return path.stem
    if not _SPRINT_ID.fullmatch(sprint_id):
        raise Invalid(
            ("sprint", "id"),
            "expected lowercase letters, digits, '.', '_' or '-', starting with a letter or "
            f"digit, got {_show(sprint_id)}",
        )
    return sprint_id


def _site(site: Mapping[str, Any]) -> Site:
    canonical = site.get("canonical")
    return Site(
        apex=_hostname(_get(site, ("site", "apex"), required=True), ("site", "apex")),
        hostnames=_each(site, ("site", "hostnames"), _hostname),
        canonical="" if canonical is None else _url(canonical, ("site", "canonical")),
        redirects=_each(site, ("site", "redirects"), _redirect),
    )


def _redirect(value: Any, key: KeyPath) -> Redirect:
    table = _as_table(value, key, "a table like { from = URL, to = URL }")
    return Redirect(
        from_url=_url(_get(table, (*key, "from"), required=True), (*key, "from")),
        to_url=_url(_get(table, (*key, "to"), required=True), (*key, "to")),
    )


def _flows(flows: Mapping[str, Any], site: Site) -> dict[str, str]:
    """Each flow's URL: a URL entry's own, a sequence's measured (last) step's."""
    return {name: flow.measured.url for name, flow in _flow_specs(flows, site).items()}


def _flow_specs(flows: Mapping[str, Any], site: Site) -> dict[str, Flow]:
    return {name: _flow(name, value, site) for name, value in flows.items() if name != "private"}


def _flow(name: str, value: Any, site: Site) -> Flow:
    key: KeyPath = ("flows", name)
    if not isinstance(value, Mapping):
        return Flow(name, (Step("GET", _url(value, key)),))
    raw = _list(value, (*key, "steps"))
    if not raw:
        raise Invalid((*key, "steps"), 'expected a list of steps like "GET /api/posts"')
    if len(raw) > MAX_FLOW_STEPS:
        raise Invalid((*key, "steps"), f"at most {MAX_FLOW_STEPS} steps in a flow")
    steps: list[Step] = []
    base = ""
    for index, item in enumerate(raw):
        step = _step(item, (*key, "steps", index), base or site.canonical)
        base = base or (step.url if _is_absolute(item) else "")
        steps.append(step)
    credential = _string(value, (*key, "credential"))
    if credential and not _CREDENTIAL_NAME.fullmatch(credential):
        raise Invalid(
            (*key, "credential"),
            f"expected a credential name (lowercase letters, digits, _), got {_show(credential)}",
        )
    auth = _string(value, (*key, "auth")) or "bearer"
    if not (auth in ("bearer", "form") or _COOKIE_AUTH.fullmatch(auth)):
        raise Invalid(
            (*key, "auth"),
            f"unknown auth {_show(auth)} (expected one of {', '.join(AUTH_KINDS)})",
        )
    if auth != "bearer" and not credential:
        raise Invalid((*key, "auth"), f"auth {_show(auth)} needs a credential")
    return Flow(name, tuple(steps), credential, auth, declared=True)


def _is_absolute(item: Any) -> bool:
    return isinstance(item, str) and "://" in item


def _step(value: Any, key: KeyPath, base: str) -> Step:
    text = _str(value, key)
    method, _, where = text.strip().partition(" ")
    where = where.strip()
    if method not in METHODS or not where:
        raise Invalid(
            key,
            f'expected "METHOD PATH" (METHOD one of {", ".join(METHODS)}), got {_show(text)}',
        )
    if where.startswith("/"):
        if not base:
            raise Invalid(key, f"{_show(where)} is a path: give a full URL or [site].canonical")
        parts = urlsplit(base)
        where = f"{parts.scheme}://{parts.netloc}{where}"
    return Step(method, _url(where, key))


def _performance(table: Mapping[str, Any]) -> PerformanceConfig:
    """[performance] probe settings, refused over the caps (launchtui.model.flows says why)."""
    config = PerformanceConfig()
    requests = _get(table, ("performance", "requests"))
    if requests is not None:
        requests = _int(requests, ("performance", "requests"), minimum=1)
        if requests > MAX_REQUESTS:
            raise Invalid(
                ("performance", "requests"),
                f"{requests} requests is over the cap of {MAX_REQUESTS} a flow (a latency probe "
                "is not a load test)",
            )
        config = replace(config, requests=requests)
    rate = _get(table, ("performance", "rate"))
    if rate is not None:
        key: KeyPath = ("performance", "rate")
        if isinstance(rate, bool) or not isinstance(rate, int | float):
            raise Invalid(key, f"expected requests a second (a number), got {_kind(rate)}")
        if not MIN_RATE <= rate <= MAX_RATE:
            raise Invalid(
                key, f"{rate:g} requests a second is outside {MIN_RATE:g} to {MAX_RATE:g}"
            )
        config = replace(config, rate_per_s=float(rate))
    concurrency = _get(table, ("performance", "concurrency"))
    if concurrency is not None:
        concurrency = _int(concurrency, ("performance", "concurrency"), minimum=1)
        if concurrency > MAX_CONCURRENCY:
            raise Invalid(
                ("performance", "concurrency"),
                f"{concurrency} requests in flight is over the cap of {MAX_CONCURRENCY}",
            )
        config = replace(config, concurrency=concurrency)
    if (config.requests - 1) / config.rate_per_s > MAX_DURATION_S:
        raise Invalid(
            ("performance",),
            f"{config.requests} requests at {config.rate_per_s:g}/s take over "
            f"{MAX_DURATION_S:g} s a flow, the probe's cap: fewer requests or a higher rate",
        )
    return config


def _email(email: Mapping[str, Any], apex: str) -> EmailConfig:
    domain = email.get("domain")
    smtp = email.get("smtp")
    return EmailConfig(
        domain=apex if domain is None else _hostname(domain, ("email", "domain")),
        senders=_each(email, ("email", "senders"), _sender),
        dkim_selectors=_each(email, ("email", "dkim_selectors"), _str),
        from_address=_string(email, ("email", "from")),
        smtp=None if smtp is None else _smtp(_as_table(smtp, ("email", "smtp"), "a table")),
        seed_inboxes=_each(email, ("email", "seed_inboxes"), _seed_inbox),
        unsubscribe=_each(email, ("email", "unsubscribe"), _unsubscribe_uri),
    )


def _unsubscribe_uri(value: Any, key: KeyPath) -> str:
    """A List-Unsubscribe URI (RFC 2369): https: for RFC 8058 one-click, or mailto:."""
    uri = _str(value, key).strip()
    scheme = uri.partition(":")[0].lower()
    if scheme == "https":
        try:
            host = urlsplit(uri).hostname
        except ValueError:
            host = None
        if not host:
            raise Invalid(key, f"{_show(uri)} has no readable host")
    elif scheme != "mailto" or "@" not in uri:
        raise Invalid(key, f"expected an https:// or mailto: URI, got {_show(uri)}")
    if any(c in uri for c in "<>, ") or not uri.isprintable():
        raise Invalid(key, f"{_show(uri)}: a URI cannot hold spaces, commas or angle brackets")
    return uri


def _sender(value: Any, key: KeyPath) -> str:
    name = _str(value, key)
    if name not in SENDERS:
        raise Invalid(key, f"unknown sending service {_show(name)} (known: {known_senders()})")
    return name


def _smtp(smtp: Mapping[str, Any]) -> SmtpConfig:
    key: KeyPath = ("email", "smtp")
    port = smtp.get("port")
    tls = _string(smtp, (*key, "tls")) or "starttls"
    if tls not in _SMTP_TLS:
        raise Invalid((*key, "tls"), f"expected one of {', '.join(_SMTP_TLS)}, got {_show(tls)}")
    return SmtpConfig(
        host=_string(smtp, (*key, "host")),
        port=587 if port is None else _port(port, (*key, "port")),
        tls=tls,
        username=_string(smtp, (*key, "username")),
    )


def _seed_inbox(value: Any, key: KeyPath) -> SeedInbox:
    table = _as_table(value, key, "a table like { address = ..., imap = ..., username = ... }")
    credential = _string(table, (*key, "credential")) or DEFAULT_SEED_CREDENTIAL
    if not _CREDENTIAL_NAME.fullmatch(credential):
        raise Invalid(
            (*key, "credential"),
            f"a credential name uses lowercase letters, digits and '_', got {_show(credential)}",
        )
    return SeedInbox(
        address=_string(table, (*key, "address")),
        imap=_string(table, (*key, "imap")),
        username=_string(table, (*key, "username")),
        credential=credential,
    )


def _credentials(credentials: Mapping[str, Any]) -> dict[str, str]:
    for name, purpose in credentials.items():
        if not _CREDENTIAL_NAME.fullmatch(name):
            raise Invalid(
                ("credentials", name),
                "a credential name uses lowercase letters, digits and '_', starting with a "
                f"letter, got {_show(name)}",
            )
        _str(purpose, ("credentials", name))
    return dict(credentials)


def _env_name(value: Any, key: KeyPath) -> str:
    name = _str(value, key)
    if not _ENV_NAME.fullmatch(name):
        expected = "an environment variable name like DATABASE_URL"
        raise Invalid(key, f"expected {expected}, got {_show(name)}")
    return name


def _env_vars(deploy: Mapping[str, Any]) -> tuple[EnvVar, ...]:
    """[deploy].env_required: names, or tables { name = "DATABASE_URL", kind = "url" }."""
    found = _each(deploy, ("deploy", "env_required"), _env_var)
    seen: set[str] = set()
    for index, var in enumerate(found):
        if var.name in seen:
            raise Invalid(("deploy", "env_required", index), f"{var.name} is listed twice")
        seen.add(var.name)
    return found


def _env_var(value: Any, key: KeyPath) -> EnvVar:
    if not isinstance(value, Mapping):
        name = _env_name(value, key)
        return EnvVar(name, infer_kind(name))
    for extra in value:
        if extra not in ("name", "kind"):
            raise Invalid((*key, extra), "unknown key (expected name and kind)")
    name = _env_name(_get(value, (*key, "name"), required=True), (*key, "name"))
    kind_text = _string(value, (*key, "kind"))
    if not kind_text:
        return EnvVar(name, infer_kind(name))
    try:
        return EnvVar(name, normalise_kind(kind_text), declared=True)
    except ValueError:
        kinds = ", ".join([*KINDS, *KIND_ALIASES])
        problem = f"unknown kind {_show(kind_text)} (expected one of {kinds})"
        raise Invalid((*key, "kind"), problem) from None


def _env_source(deploy: Mapping[str, Any], folder: Path) -> EnvSource | None:
    """[deploy].env_source: "dotenv:PATH" (relative to the sprint file), "environment",
    "heroku:APP", "fly:APP", "vercel:PROJECT" or "render:SERVICE"."""
    key: KeyPath = ("deploy", "env_source")
    text = _string(deploy, key)
    if not text:
        return None
    try:
        return parse_env_source(text, folder)
    except ValueError as exc:
        raise Invalid(key, str(exc)) from None


def parse_env_source(text: str, folder: Path) -> EnvSource:
    """An env source as the sprint file (or env-check) writes it; ValueError says what is wrong."""
    kind, colon, location = text.partition(":")
    expected = (
        'expected "dotenv:PATH", "environment", "heroku:APP", "fly:APP", "vercel:PROJECT" '
        f'or "render:SERVICE", got {_show(text)}'
    )
    if kind not in SOURCE_KINDS:
        raise ValueError(expected)
    if kind == "environment":
        if colon:
            raise ValueError(f'"environment" takes nothing after it, got {_show(text)}')
        return EnvSource(kind)
    if not location.strip() or any(c.isspace() or not c.isprintable() for c in location):
        raise ValueError(expected)
    if kind == "dotenv":
        return EnvSource(kind, os.path.normpath(folder / location))
    if not _PLATFORM_NAME.fullmatch(location):
        raise ValueError(
            f"{kind}: expected an app, project or service name or id (letters, digits, '-', "
            f"'_' and '.'), got {_show(location)}"
        )
    return EnvSource(kind, location)


_PLATFORM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _network(network: Mapping[str, Any], folder: Path) -> NetworkConfig:
    key: KeyPath = ("network",)
    connect_to = _table(network, (*key, "connect_to"))
    return NetworkConfig(
        nameservers=_each(network, (*key, "nameservers"), _resolver),
        public_resolvers=_each(network, (*key, "public_resolvers"), _resolver),
        ca_bundle=_ca_bundle(network, folder),
        connect_to={
            _connect_to_address(name, (*key, "connect_to", name)): _connect_to_address(
                address, (*key, "connect_to", name)
            )
            for name, address in connect_to.items()
        },
        timeout=_timeout(network, (*key, "timeout")),
        acme_directory=_acme_directory(network),
        caa_domain=_caa_domain(network),
    )


def _caa_domain(network: Mapping[str, Any]) -> str:
    key: KeyPath = ("network", "caa_domain")
    value = _get(network, key)
    if value is None:
        return ""
    if "ca_bundle" not in network:  # it names the CAA domain of that bundle's CA
        raise Invalid(key, "needs network.ca_bundle, the CA whose certificates it applies to")
    return _hostname(value, key)


def _acme_directory(network: Mapping[str, Any]) -> str:
    key: KeyPath = ("network", "acme_directory")
    value = _get(network, key)
    if value is None:
        return ""
    url = _url(value, key)
    if not url.startswith("https://"):  # RFC 8555 section 6.1: ACME runs over HTTPS only
        raise Invalid(key, f"expected an https:// URL of an ACME directory, got {_show(url)}")
    return url


def _timeout(network: Mapping[str, Any], key: KeyPath) -> float:
    value = network.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(key, f"expected a number of seconds, got {_kind(value)}")
    if not 0 < value <= MAX_TIMEOUT:
        raise Invalid(key, f"expected more than 0 and at most {MAX_TIMEOUT:g} seconds, got {value}")
    return float(value)


def _ca_bundle(network: Mapping[str, Any], folder: Path) -> Path | None:
    key: KeyPath = ("network", "ca_bundle")
    bundle = _relative_path(network, key, folder)
    if bundle is not None and not bundle.is_file():
        raise Invalid(key, f"file not found: {bundle}")
    return bundle


def _resolver(value: Any, key: KeyPath) -> HostPort:
    text = _str(value, key)
    try:
        return _host_port(text, default_port=_DNS_PORT)
    except ValueError:
        raise Invalid(
            key, f'expected "host", "host:port" or "[ipv6]:port", got {_show(text)}'
        ) from None


def _connect_to_address(value: Any, key: KeyPath) -> HostPort:
    text = _str(value, key)
    try:
        return _host_port(text, default_port=None)
    except ValueError:
        raise Invalid(key, f'expected "host:port" or "[ipv6]:port", got {_show(text)}') from None


def _monitoring(
    monitoring: Mapping[str, Any], data: Mapping[str, Any], folder: Path
) -> MonitoringConfig:
    """[monitoring]: alert routes, the error-tracking DSN, the team's existing monitors."""
    alert_email = _string(monitoring, ("monitoring", "alert_email"))
    if alert_email and not _EMAIL.fullmatch(alert_email):
        raise Invalid(
            ("monitoring", "alert_email"), f"expected an email address, got {_show(alert_email)}"
        )
    declared = _table(data, ("credentials",))
    names = {}
    for name in ("slack_webhook", "error_dsn"):
        key: KeyPath = ("monitoring", name)
        value = names[name] = _string(monitoring, key)
        if value and value not in declared:
            raise Invalid(
                key,
                f"credential {_show(value)} is not declared in [credentials] (declare it there "
                f'with what it is, e.g. {value} = "..."; its value lives in the keyring)',
            )
    alertmanager = _string(monitoring, ("monitoring", "alertmanager"))
    if alertmanager:
        _url(alertmanager, ("monitoring", "alertmanager"))
    interval_key: KeyPath = ("monitoring", "watch_interval")
    interval = _get(monitoring, interval_key)
    watch = DEFAULT_WATCH_INTERVAL
    if interval is not None:
        if isinstance(interval, bool) or not isinstance(interval, int | float):
            raise Invalid(interval_key, f"expected a number of seconds, got {_kind(interval)}")
        if not MIN_WATCH_INTERVAL <= interval <= MAX_WATCH_INTERVAL:
            raise Invalid(
                interval_key,
                f"expected {MIN_WATCH_INTERVAL:g} to {MAX_WATCH_INTERVAL:g} seconds (the "
                f"dashboard probes production that often), got {interval:g}",
            )
        watch = float(interval)
    existing = tuple(
        Path(os.path.normpath(folder / name))
        for name in _each(monitoring, ("monitoring", "existing"), _str)
    )
    return MonitoringConfig(
        alert_email=alert_email,
        slack_webhook=names["slack_webhook"],
        error_dsn=names["error_dsn"],
        alertmanager=alertmanager,
        existing=existing,
        watch_interval=watch,
    )


def _logs(logs: Mapping[str, Any], folder: Path) -> tuple[str, ...]:
    """[logs].files: glob patterns (a relative one against the sprint file's folder)."""
    key: KeyPath = ("logs", "files")
    written = _each(logs, key, _log_pattern)
    patterns = tuple(os.path.normpath(folder / pattern) for pattern in written)
    for index, pattern in enumerate(patterns):
        if pattern in patterns[:index]:
            first = patterns.index(pattern)
            raise Invalid(
                (*key, index), f"{_show(written[index])} names the files of entry {first} again"
            )
    return patterns


def _log_pattern(value: Any, key: KeyPath) -> str:
    pattern = _str(value, key)
    if not pattern.strip():
        raise Invalid(key, "expected a file name or glob pattern, got an empty string")
    if any(not char.isprintable() for char in pattern):
        raise Invalid(key, f"a file pattern cannot hold control characters, got {_show(pattern)}")
    if pattern.endswith(("/", os.sep)):
        raise Invalid(key, f"expected files, got a folder {_show(pattern)} (add /*.log, say)")
    return pattern


def _relative_path(table: Mapping[str, Any], key: KeyPath, folder: Path) -> Path | None:
    name = _string(table, key)
    return Path(os.path.normpath(folder / name)) if name else None


# App-owned sections


def _result(table: Mapping[str, Any], key: KeyPath) -> None:
    _enum(_get(table, (*key, "status"), required=True), (*key, "status"), Status, "status")
    _enum(_get(table, (*key, "severity"), required=True), (*key, "severity"), Severity, "severity")
    for name in ("summary", "checked_at", "fix"):
        _string(table, (*key, name))
    if "duration_ms" in table:
        _int(table["duration_ms"], (*key, "duration_ms"), minimum=0)
    _table(table, (*key, "evidence"))
    if "previous" in table:
        previous_key = (*key, "previous")
        previous = _table(table, previous_key)
        status = _get(previous, (*previous_key, "status"), required=True)
        _enum(status, (*previous_key, "status"), Status, "status")
        _string(previous, (*previous_key, "summary"))
        _string(previous, (*previous_key, "checked_at"))


def _verdicts(table: Mapping[str, Any], key: KeyPath) -> None:
    """A check's verdicts in the compact form (see launchtui.sprint.results)."""
    for name in table:
        if name not in CHECK_KEYS:
            expected = ", ".join(sorted(CHECK_KEYS))
            raise Invalid((*key, name), f"unknown key (expected {expected})")
    _enum(_get(table, (*key, "severity"), required=True), (*key, "severity"), Severity, "severity")
    _string(table, (*key, "checked_at"))
    seen: dict[str, str] = {}
    for status in (str(s) for s in Status):
        if status not in table:
            continue
        if status == PASS:
            targets = _each(table, (*key, status), _str)
        else:
            summaries = _table(table, (*key, status))
            for target in summaries:
                _string(summaries, (*key, status, target))
            targets = tuple(summaries)
        for target in targets:
            if target in seen:
                raise Invalid((*key, status), f"{_show(target)} is listed under {seen[target]} too")
            seen[target] = status


def _run(value: Any, key: KeyPath) -> None:
    run = _as_table(value, key, "a [[runs]] table")
    _string(run, (*key, "at"))
    _each(run, (*key, "stages"), _stage)
    counts = _table(run, (*key, "counts"))
    for status, count in counts.items():
        _enum(status, (*key, "counts", status), Status, "status")
        _int(count, (*key, "counts", status), minimum=0)


def _stage(value: Any, key: KeyPath) -> str:
    name = _str(value, key)
    if name not in STAGE_NAMES:
        expected = ", ".join(STAGE_NAMES)
        raise Invalid(key, f"unknown stage {_show(name)} (expected one of {expected})")
    return name


# Values


def _get(table: Mapping[str, Any], key: KeyPath, *, required: bool = False) -> Any:
    name = str(key[-1])  # a table's keys are strings; only list positions are ints
    if name in table:
        return table[name]
    if required:
        raise Invalid(key, "required key is missing")
    return None


def _table(table: Mapping[str, Any], key: KeyPath, *, required: bool = False) -> Mapping[str, Any]:
    value = _get(table, key, required=required)
    return {} if value is None else _as_table(value, key, "a table")


def _as_table(value: Any, key: KeyPath, expected: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(key, f"expected {expected}, got {_kind(value)}")
    return value


def _list(table: Mapping[str, Any], key: KeyPath) -> list[Any]:
    value = _get(table, key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(key, f"expected a list, got {_kind(value)}")
    return value


def _each(table: Mapping[str, Any], key: KeyPath, read: _Reader[T]) -> tuple[T, ...]:
    return tuple(read(item, (*key, index)) for index, item in enumerate(_list(table, key)))


def _string(table: Mapping[str, Any], key: KeyPath, *, required: bool = False) -> str:
    value = _get(table, key, required=required)
    return "" if value is None else _str(value, key)


def _str(value: Any, key: KeyPath) -> str:
    if not isinstance(value, str):
        raise Invalid(key, f"expected a string, got {_kind(value)}")
    return value


def _int(value: Any, key: KeyPath, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Invalid(key, f"expected a whole number of at least {minimum}, got {_kind(value)}")
    return value


def _port(value: Any, key: KeyPath) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise Invalid(key, f"expected a port number from 1 to 65535, got {_kind(value)}")
    return value


def _enum(value: Any, key: KeyPath, kind: type[StrEnum], what: str) -> str:
    allowed = [str(member) for member in kind]
    text = _str(value, key)
    if text not in allowed:
        raise Invalid(key, f"unknown {what} {_show(text)} (expected one of {', '.join(allowed)})")
    return text


def _hostname(value: Any, key: KeyPath) -> str:
    name = _str(value, key)
    try:
        return normalize_hostname(name)
    except ValueError as exc:
        raise Invalid(key, f"expected a DNS hostname, got {_show(name)}: {exc}") from None


def _url(value: Any, key: KeyPath) -> str:
    url = _str(value, key)
    try:
        parts = urlsplit(url)  # ValueError: an unclosed "[" or a bracketed host no IP address
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # ... or a port that is not a number from 0 to 65535
        valid = False
    if not valid or any(char.isspace() or not char.isprintable() for char in url):
        raise Invalid(key, f"expected an https:// or http:// URL, got {_show(url)}")
    return url


def _check_label(label: str) -> None:
    if not label:
        raise ValueError("has an empty label (two dots in a row, or a dot at an end)")
    if len(label) > 63:
        raise ValueError(f"label {_show(label)} is longer than 63 characters")
    if not _LABEL.fullmatch(label):
        raise ValueError(f"label {_show(label)} may only hold letters, digits and hyphens")
    if label.startswith("-") or label.endswith("-"):
        raise ValueError(f"label {_show(label)} starts or ends with a hyphen")


def _host_port(text: str, *, default_port: int | None) -> HostPort:
    """ "host", "host:port", "[v6]:port" or a bare IPv6 address; raises ValueError."""
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        ipaddress.IPv6Address(host)
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(text)
        port_text = rest[1:] or None
    elif text.count(":") > 1:
        host, port_text = str(ipaddress.IPv6Address(text)), None
    else:
        host, colon, port = text.partition(":")
        if not _HOST.fullmatch(host):
            raise ValueError(text)
        port_text = port if colon else None
    if port_text is None:
        if default_port is None:
            raise ValueError(text)
        return host, default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(text)
    return host, int(port_text)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({_show(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, datetime.date | datetime.time):
        return f"a date/time ({value.isoformat()})"
    return type(value).__name__


def _show(text: str) -> str:
    """A value quoted on one line, escapes and all, and cut short if long."""
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 1] + "…"
    return json.dumps(text, ensure_ascii=False)
