"""Judging a deploy's environment variables: present, not empty, not a placeholder, plausible
for their kind. Textual-free and network-free: values come in as a `Listing`.

A value is never part of a verdict: evidence carries at most its length and a fingerprint
(the first 8 hex digits of its SHA-256), and summaries name the variable and what is wrong
with it, never what it holds.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from launchtui.deploy import dotenv
from launchtui.model.env import EnvSource, EnvVar
from launchtui.model.results import Evidence, Status


class SourceError(Exception):
    """The source of values could not be read; str() is one line, never a value."""


@dataclass(frozen=True, slots=True)
class Listing:
    """The variables one source holds. A value of None is present but not readable (Fly.io
    shows names and digests only; Vercel's sensitive variables), with `unreadable` saying why."""

    source: str  # how the source is written, e.g. "heroku:acme-prod", "dotenv:.env.production"
    values: Mapping[str, str | None]
    unreadable: str = ""


@dataclass(slots=True)
class Verdict:
    status: Status
    problems: list[str] = field(default_factory=list)  # what is wrong, worst first
    evidence: Evidence = field(default_factory=dict)


def fingerprint(value: str) -> str:
    """A short, safe-to-show identity of a value: its SHA-256's first 8 hex digits."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


# -- reading the local sources --------------------------------------------------------------


def source_label(source: EnvSource, folder: Path | None = None) -> str:
    """How a source is shown: a dotenv path relative to `folder` when it is inside it."""
    if source.kind != "dotenv":
        return source.text
    path = source.path
    if folder is not None:
        try:
            return f"dotenv:{path.relative_to(folder)}"
        except ValueError:
            pass
    return f"dotenv:{path}"


def read_dotenv(path: Path, label: str) -> Listing:
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            # a FIFO or a device would block the run or never end: never opened
            raise SourceError(f"{label}: not a regular file")
        return Listing(label, dotenv.read(path))
    except FileNotFoundError:
        raise SourceError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{label}: is a directory, not a dotenv file") from None
    except PermissionError:
        raise SourceError(f"{label}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except dotenv.ParseError as exc:
        raise SourceError(f"{label}: {exc}") from None


def read_environment(environ: Mapping[str, str] | None = None) -> Listing:
    return Listing("environment", dict(os.environ if environ is None else environ))


# -- judging one variable -------------------------------------------------------------------

# Values people leave in place of the real one (compared lower-case, stripped)
_PLACEHOLDER_WORDS = {
    "changeme", "change-me", "change_me", "change me", "changethis", "change-this",
    "replaceme", "replace-me", "replace_me", "todo", "tbd", "fixme", "placeholder",
    "your-key-here", "your_key_here", "yourkeyhere", "your-secret-here", "your-token-here",
    "your-api-key", "your_api_key", "example", "sample", "dummy", "fake", "foo", "bar",
    "foobar", "test", "secret", "password", "pass", "null", "none", "nil", "undefined",
    "...", "-", "n/a", "na", "set-me", "setme", "insert-here", "xxx",
}  # fmt: skip
_PLACEHOLDER_PATTERNS = (
    re.compile(r"<[^<>]*>"),  # <your key>
    re.compile(r"\$\{[^}]*\}"),  # ${STRIPE_KEY}: an unexpanded reference
    re.compile(r"\{\{.*\}\}"),  # {{ secret }}: an unrendered template
    re.compile(r"x{4,}|X{4,}"),  # sk_live_xxxxxxxx
    re.compile(r"(?i)change[-_ ]?me|replace[-_ ]?me|your[-_ ]\w*[-_ ]here|\btodo\b|\bfixme\b"),
    re.compile(r"(?i)\bexample\.(com|org|net)\b"),  # RFC 2606 example domains
    re.compile(r"(?i)^(your|my)[-_](api[-_])?(key|token|secret|password)$"),
)
_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}
_DEBUG = re.compile(r"([A-Z0-9]+_)?DEBUG")
_DB_SCHEMES = {
    "postgres", "postgresql", "postgis", "mysql", "mysql2", "mariadb", "redis", "rediss",
    "mongodb", "mongodb+srv", "amqp", "amqps", "sqlserver", "mssql", "cockroachdb",
    "postgresql+psycopg", "postgresql+psycopg2", "postgresql+asyncpg", "mysql+pymysql",
}  # fmt: skip
_LOCAL_SUFFIXES = (".local", ".localhost", ".internal.test")
_MIN_SECRET = 16


def placeholder(value: str) -> str:
    """Why `value` reads as a placeholder, or "" when it does not."""
    text = value.strip()
    if text.lower() in _PLACEHOLDER_WORDS:
        return "a placeholder word"
    for pattern in _PLACEHOLDER_PATTERNS:
        if pattern.search(text):
            return "a placeholder (template, example value or filler)"
    if len(text) >= 4 and len(set(text)) == 1:
        return "one character repeated"
    return ""


def judge(var: EnvVar, value: str | None, present: bool, listing: Listing) -> Verdict:
    """The verdict on one variable as `listing` has it (value None: present, unreadable)."""
    evidence: Evidence = {
        "source": listing.source,
        "kind": var.kind,
        "kind_from": "declared" if var.declared else "name",
        "set": present,
    }
    if not present:
        return Verdict(Status.FAIL, [f"not set in {listing.source}"], evidence)
    if value is None:
        evidence["checked"] = "presence only"
        evidence["why_unreadable"] = listing.unreadable
        return Verdict(Status.PASS, [], evidence)
    evidence["length"] = len(value)
    evidence["fingerprint"] = fingerprint(value)
    evidence["checked"] = "presence, emptiness, placeholders, kind"
    if not value.strip():
        return Verdict(Status.FAIL, ["set but empty"], evidence)
    why = placeholder(value)
    if why:
        return Verdict(Status.FAIL, [f"holds {why}, not a real value"], evidence)
    fails, warns = _by_kind(var, value.strip())
    if var.kind != "payment_key" and _is_test_payment_key(value.strip()):
        fails.insert(0, "a Stripe test-mode key (sk_test_/rk_test_) in production")
    status = Status.FAIL if fails else Status.WARN if warns else Status.PASS
    return Verdict(status, fails + warns, evidence)


def _is_test_payment_key(value: str) -> bool:
    return value.startswith(("sk_test_", "rk_test_"))


def _by_kind(var: EnvVar, value: str) -> tuple[list[str], list[str]]:
    """(failures, warnings) for a non-empty, non-placeholder value of the variable's kind."""
    kind = var.kind
    if kind == "url":
        return _url(value, database=False)
    if kind == "database_url":
        return _url(value, database=True)
    if kind == "payment_key":
        return _payment_key(value)
    if kind in ("token", "secret"):
        if len(value) < _MIN_SECRET:
            return [], [f"only {len(value)} characters: short for a {kind}"]
        return [], []
    if kind == "email":
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", value):
            return ["not an email address"], []
        return [], []
    if kind == "bool":
        lowered = value.lower()
        if lowered not in _TRUE | _FALSE:
            return [], ["not a recognised true/false value"]
        if lowered in _TRUE and _DEBUG.fullmatch(var.name.upper()):
            return [], ["debug mode is on in production (stack traces and settings shown)"]
        return [], []
    return [], []


def _url(value: str, *, database: bool) -> tuple[list[str], list[str]]:
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return ["does not parse as a URL"], []
    scheme = parts.scheme.lower()
    if database:
        if scheme in ("sqlite", "sqlite3"):
            return [], ["an SQLite file: not shared between instances or kept across deploys"]
        if scheme not in _DB_SCHEMES:
            return ["the scheme is not a known database's (postgres://, mysql://, redis://...)"], []
    elif scheme not in ("http", "https", "ws", "wss"):
        return ["not an http(s) URL"], []
    if not host:
        return ["has no host"], []
    if _local(host):
        return ["points at this machine or the local network (localhost, loopback, .local)"], []
    if not database and scheme in ("http", "ws"):
        return [], ["plain http: not encrypted in transit"]
    return [], []


def _local(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_link_local


def _payment_key(value: str) -> tuple[list[str], list[str]]:
    if value.startswith(("sk_live_", "rk_live_")):
        return [], []
    if _is_test_payment_key(value):
        return ["a Stripe test-mode key (sk_test_/rk_test_) in production"], []
    if value.startswith("pk_test_"):
        return ["a Stripe test-mode publishable key, not a live secret key"], []
    if value.startswith("pk_live_"):
        return ["a Stripe publishable key (pk_live_), not a secret key"], []
    return [], ["does not look like a Stripe secret key (sk_live_ or rk_live_)"]


# -- the repo's .env.example ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExampleComparison:
    not_required: tuple[str, ...]  # in .env.example, not in [deploy].env_required
    not_documented: tuple[str, ...]  # required, not in .env.example


def compare_example(required: list[str], example: Mapping[str, str | None]) -> ExampleComparison:
    wanted = set(required)
    return ExampleComparison(
        not_required=tuple(name for name in example if name not in wanted),
        not_documented=tuple(name for name in required if name not in example),
    )
