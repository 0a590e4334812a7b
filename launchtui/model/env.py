"""The environment variables a deploy needs, and where their production values are read.

Plain data, shared by the sprint file's validation, the domain code (launchtui.deploy) and
the `deploy.env` check. A variable's kind says how its value is judged; when the sprint file
does not declare it, the kind is inferred from the name (`infer_kind`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Kinds a variable can be declared as; "flag" is read as "bool".
KINDS = ("url", "database_url", "payment_key", "token", "email", "bool", "secret", "generic")
KIND_ALIASES = {"flag": "bool"}

# Where values come from: "dotenv:PATH", "environment", or a platform's API.
PLATFORMS = ("heroku", "fly", "vercel", "render")
SOURCE_KINDS = ("dotenv", "environment", *PLATFORMS)

_DATABASE = re.compile(
    r"(DATABASE|DB|POSTGRES|POSTGRESQL|PG|MYSQL|MONGO|MONGODB|REDIS|REDISCLOUD|REDISTOGO|"
    r"CELERY_BROKER|BROKER|AMQP|RABBITMQ|CLOUDAMQP)(_[A-Z0-9]+)*_(URL|URI|DSN)"
    r"|(DATABASE|REDIS|MONGO|MONGODB)_(URL|URI|DSN)"
)
_PAYMENT = re.compile(r"(STRIPE_(SECRET|API|RESTRICTED)(_[A-Z0-9]+)*_KEY|STRIPE_SECRET|STRIPE_KEY)")
_DEBUG = re.compile(r"([A-Z0-9]+_)?DEBUG|FLASK_DEBUG|DJANGO_DEBUG|APP_DEBUG")
_EMAIL = re.compile(r"([A-Z0-9]+_)*(EMAIL|MAIL_FROM|FROM_EMAIL|ADMIN_EMAIL|SENDER)(_ADDRESS)?")
_URL = re.compile(r"([A-Z0-9]+_)*(URL|URI|ENDPOINT|HOST_URL|BASE_URL|ORIGIN)")
_TOKEN = re.compile(r"([A-Z0-9]+_)*(TOKEN|API_KEY|KEY)")
_SECRET = re.compile(r"([A-Z0-9]+_)*(SECRET|SECRET_KEY|PASSWORD|PASSPHRASE|SALT|PEPPER)")


def normalise_kind(kind: str) -> str:
    """The kind `kind` names ("flag" is "bool"); ValueError when it is none of KINDS."""
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(kind)
    return kind


def infer_kind(name: str) -> str:
    """The kind a variable's name suggests: DATABASE_URL and REDIS_URL are database URLs,
    STRIPE_SECRET_KEY a payment key, DEBUG a flag, *_URL a URL, *_TOKEN and *_KEY tokens,
    *_SECRET and *_PASSWORD secrets; anything else is generic."""
    upper = name.upper()
    for pattern, kind in (
        (_DATABASE, "database_url"),
        (_PAYMENT, "payment_key"),
        (_DEBUG, "bool"),
        (_EMAIL, "email"),
        (_URL, "url"),
        (_SECRET, "secret"),
        (_TOKEN, "token"),
    ):
        if pattern.fullmatch(upper):
            return kind
    return "generic"


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    kind: str  # one of KINDS
    declared: bool = False  # the kind was declared in the sprint file (else inferred)


@dataclass(frozen=True, slots=True)
class EnvSource:
    """Where production's values are read: `kind` is one of SOURCE_KINDS; `location` is the
    dotenv file (absolute) or the platform's app, project or service; "" for environment."""

    kind: str
    location: str = ""

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def text(self) -> str:
        """How the sprint file writes it, e.g. "heroku:acme-prod"."""
        return f"{self.kind}:{self.location}" if self.location else self.kind
