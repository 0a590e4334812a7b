"""The rules: one per token format a community platform's stack uses, each from the provider's
documented format, plus a generic keyword-and-entropy rule.

Every match of a rule starts where one of its anchors (lower-case literals, or exact-case ones)
starts: the scanner finds the anchors with substring searches and tries the pattern only
there, so a file without any costs a few searches, and one with many costs one bounded match
per occurrence. Every pattern has a
`secret` group (the value fingerprinted and redacted) and is bounded on both sides so that a
match inside a longer base64 or hex run (an inline image, a lockfile's integrity hash) is no
match. Quantifiers are bounded, so a 100,000-character minified line costs linear time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    LIVE = "live"  # a production credential (or one whose mode cannot be told: treated as live)
    TEST = "test"  # a test-mode key, or a database URL on a local host


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    pattern: re.Pattern[str]
    anchors: tuple[str, ...]
    keyword: bool = False  # the format alone is too common: a provider word must name it
    min_entropy: float = 3.0  # Shannon bits per character of the secret, against placeholders
    exact: bool = False  # anchors are matched case-sensitively (against the text as it is)

    def mode(self, secret: str, whole: str) -> Mode:
        if "_test_" in secret[:9]:
            return Mode.TEST
        if self.id == "database-url" and _LOCAL_DB.search(whole):
            return Mode.TEST
        return Mode.LIVE


_B = r"(?<![A-Za-z0-9_+/-])"  # not inside a longer token, base64 or hex run
_E = r"(?![A-Za-z0-9_+/=-])"
_ASSIGN = r"""[A-Za-z0-9_.\-]{0,40}["'`]?\s{0,4}(?::=|=>|=|:)\s{0,4}["'`]?"""
_LOCAL_DB = re.compile(r"@(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)(?:[:/]|$)", re.I)


def _rule(
    rule_id: str,
    title: str,
    pattern: str,
    anchors: tuple[str, ...],
    *,
    keyword: bool = False,
    min_entropy: float = 3.0,
    exact: bool = False,
) -> Rule:
    return Rule(rule_id, title, re.compile(pattern), anchors, keyword, min_entropy, exact)


RULES: tuple[Rule, ...] = (
    # Stripe, docs.stripe.com/keys: secret keys sk_live_/sk_test_, restricted keys
    # rk_live_/rk_test_ (publishable pk_ keys are meant for browsers and are not flagged);
    # Stripe's security team gives (sk|rk)_live_ with 10 to 128 alphanumerics after the prefix
    # (GitLab secret detection, issue 458019). Webhook signing secrets: whsec_ (docs.stripe.com/
    # webhooks#verify-events), mode not visible: treated as live.
    _rule(
        "stripe-secret-key",
        "Stripe secret or restricted API key",
        _B + r"(?P<secret>(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247})" + _E,
        ("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
    ),
    _rule(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        _B + r"(?P<secret>whsec_[0-9A-Za-z]{24,128})" + _E,
        ("whsec_",),
    ),
    # AWS IAM user guide, "Manage access keys": access key IDs start AKIA (long-term) or ASIA
    # (temporary, STS), 20 characters upper-case alphanumeric; the secret access key is 40
    # characters of base64 and has no prefix, so it needs its keyword (aws_secret_access_key).
    _rule(
        "aws-access-key-id",
        "AWS access key ID",
        r"(?<![A-Za-z0-9])(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Za-z0-9])",
        ("AKIA", "ASIA"),
        exact=True,
    ),
    _rule(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i:aws)[A-Za-z0-9_.\-]{0,20}(?i:secret)"
        + _ASSIGN
        + _B
        + r"(?P<secret>[A-Za-z0-9/+]{40})"
        + _E,
        ("aws",),
        keyword=True,
        min_entropy=3.5,
    ),
    # Google Cloud, "Using API keys": keys are AIza followed by 35 characters [0-9A-Za-z_-].
    _rule(
        "google-api-key",
        "Google API key",
        _B + r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + _E,
        ("AIza",),
        exact=True,
    ),
    # GitHub, "Behind GitHub's new authentication token formats" (2021): ghp_ (personal), gho_
    # (OAuth), ghu_ (user-to-server), ghs_ (server-to-server), ghr_ (refresh), 36 characters
    # [A-Za-z0-9] after the prefix; fine-grained personal tokens github_pat_ + 22 + _ + 59.
    _rule(
        "github-token",
        "GitHub token",
        _B
        + r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})"
        + _E,
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    # Slack, "Token types" (api.slack.com/authentication/token-types): xoxb- (bot), xoxp-
    # (user), xoxa-/xoxr- (app and refresh), xoxs- (legacy session); app-level tokens xapp-.
    # Incoming webhooks: https://hooks.slack.com/services/T.../B.../<24 characters>.
    _rule(
        "slack-token",
        "Slack token",
        _B + r"(?P<secret>xox[bpars]-[0-9A-Za-z]{8,}-[0-9A-Za-z\-]{8,200}|xapp-\d-[A-Z0-9]{8,}"
        r"-\d{6,}-[a-f0-9]{32,128})" + _E,
        ("xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"),
    ),
    _rule(
        "slack-webhook",
        "Slack incoming webhook URL",
        r"hooks\.slack\.com/(?:services|workflows)/(?P<secret>T[A-Z0-9]{6,12}/[AB][A-Z0-9]{6,12}"
        r"/[A-Za-z0-9]{20,32})" + _E,
        ("hooks.slack.com",),
    ),
    # SendGrid, "API keys": SG. + 22-character key id + . + 43-character secret (base64url).
    _rule(
        "sendgrid-api-key",
        "SendGrid API key",
        _B + r"(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + _E,
        ("SG.",),
        exact=True,
    ),
    # Postmark, "API tokens": server and account tokens are UUIDs, sent as
    # X-Postmark-Server-Token / X-Postmark-Account-Token. A UUID alone is everywhere, so only
    # with the word postmark before it.
    _rule(
        "postmark-token",
        "Postmark server or account token",
        r"(?i:postmark)" + _ASSIGN + _B + r"(?P<secret>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
        r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})" + _E,
        ("postmark",),
        keyword=True,
    ),
    # Mailgun, "API keys": the legacy private key is key- + 32 hex characters; current keys are
    # 32 hex, -, 8 hex, -, 8 hex, named by the word mailgun.
    _rule(
        "mailgun-api-key",
        "Mailgun API key",
        _B + r"(?P<secret>key-[0-9a-f]{32})" + _E,
        ("key-",),
    ),
    _rule(
        "mailgun-api-key-v2",
        "Mailgun API key",
        r"(?i:mailgun)" + _ASSIGN + _B + r"(?P<secret>[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})" + _E,
        ("mailgun",),
        keyword=True,
    ),
    # Twilio, "API keys and auth tokens": an API key SID is SK + 32 hex (its secret is near),
    # the account SID AC + 32 hex is an identifier, not flagged; the auth token is 32 hex and
    # needs the word twilio.
    _rule(
        "twilio-api-key",
        "Twilio API key SID",
        r"(?<![A-Za-z0-9])(?P<secret>SK[0-9a-fA-F]{32})(?![A-Za-z0-9])",
        ("SK",),
        exact=True,
    ),
    _rule(
        "twilio-auth-token",
        "Twilio auth token",
        r"(?i:twilio)[A-Za-z0-9_.\-]{0,20}(?i:token|secret)"
        + _ASSIGN
        + _B
        + r"(?P<secret>[0-9a-fA-F]{32})"
        + _E,
        ("twilio",),
        keyword=True,
    ),
    # Cloudflare, "Create API token": API tokens are 40 characters [A-Za-z0-9_-] without a
    # prefix; the global API key is 37 hex. Only with the word cloudflare (or CF_API_...).
    _rule(
        "cloudflare-api-token",
        "Cloudflare API token or key",
        r"(?i:cloudflare|cf_api)[A-Za-z0-9_.\-]{0,30}"
        + _ASSIGN
        + _B
        + r"(?P<secret>[A-Za-z0-9_\-]{40}|[0-9a-f]{37})"
        + _E,
        ("cloudflare", "cf_api"),
        keyword=True,
        min_entropy=3.5,
    ),
    # RFC 7468 (PKCS #8 "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), PKCS #1 "RSA PRIVATE KEY",
    # SEC 1 "EC PRIVATE KEY", OpenSSH "OPENSSH PRIVATE KEY", PGP private key blocks. The
    # secret is the start of the base64 body, which is what the fingerprint is of.
    _rule(
        "private-key",
        "Private key",
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
        r"(?:\\[rn]|\s){1,8}(?:[A-Za-z-]{1,20}: [^\n]{0,100}(?:\\[rn]|\s){1,4}){0,4}"
        r"(?P<secret>[A-Za-z0-9+/=]{40,64})",
        ("-----begin ",),
    ),
    # Connection URLs (RFC 3986 userinfo): scheme://user:password@host for PostgreSQL, MySQL,
    # MongoDB, Redis and AMQP; a password that is a placeholder or a ${VAR} is not a finding.
    _rule(
        "database-url",
        "Database URL with a password",
        r"(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)://"
        r"[A-Za-z0-9._%\-]{0,64}:(?P<secret>[^\s:@/'\"`$<>{}]{4,128})@[A-Za-z0-9.\-\[\]:]{1,255}",
        ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp"),
        min_entropy=0.0,
    ),
    # JWT signing secrets (HS256 keys) and framework session secrets, by their usual names.
    _rule(
        "jwt-secret",
        "JWT or session signing secret",
        r"(?i:jwt[_.\-]?(?:secret|signing[_.\-]?key|key)|secret[_.\-]?key[_.\-]?base|"
        r"session[_.\-]?secret|nextauth[_.\-]?secret|auth[_.\-]?secret|cookie[_.\-]?secret)"
        + _ASSIGN
        + r"(?P<secret>[A-Za-z0-9+/=_\-.!@#%^&*]{16,256})",
        ("jwt", "secret", "session", "nextauth", "auth", "cookie"),
        keyword=True,
    ),
)

# The generic rule: a secret-sounding name assigned a long, random-looking value.
# The generic rule: a secret-sounding name assigned a long, random-looking value. The pattern
# starts at the keyword (a leading name part would be tried at every offset); the scanner
# reads the whole name back from the text before it.
GENERIC = _rule(
    "generic-secret",
    "Secret-looking value assigned to a secret-sounding name",
    r"(?i:secret|token|passw(?:or)?d|pwd|api[_.\-]?key|apikey|access[_.\-]?key|"
    r"private[_.\-]?key|credential|auth[_.\-]?key)[A-Za-z0-9_.\-]{0,30}"
    r"""["'`]?\s{0,4}(?::=|=>|=|:)\s{0,4}["'`]?(?P<secret>[A-Za-z0-9+/=_\-.~!@#%^&*]{16,256})""",
    ("secret", "token", "passw", "pwd", "api", "access", "private", "credential", "auth"),
    keyword=True,
    min_entropy=3.6,
)

ALLOW_MARK = "launchtui: allow-secret"

LOCKFILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "cargo.lock",
        "gemfile.lock",
        "composer.lock",
        "go.sum",
        "mix.lock",
        "pubspec.lock",
    }
)

PLACEHOLDER_WORDS = (
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "xxxx",
    "dummy",
    "sample",
    "redacted",
    "todo",
    "fixme",
    "insert",
    "replace",
    "fake",
    "notreal",
    "not_a_real",
    "secret_here",
    "key_here",
    "****",
    "....",
    "process.env",
    "os.environ",
    "getenv",
    "env[",
    "env(",
    "config.",
    "settings.",
)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HEX = re.compile(r"^[0-9a-f]+$", re.I)
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_HASH_NAMES = re.compile(r"hash|sha|md5|digest|checksum|integrity|commit|etag|nonce|csrf", re.I)
_SECRET_NAMES = re.compile(r"secret|passw|private|api", re.I)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


# Whole values that are defaults or stand-ins, not secrets (a database URL's password, say).
PLACEHOLDER_VALUES = frozenset(
    {"password", "passwd", "pass", "secret", "postgres", "root", "admin", "user", "test"}
)


def is_placeholder(value: str) -> bool:
    low = value.lower()
    if low in PLACEHOLDER_VALUES:
        return True
    if any(word in low for word in PLACEHOLDER_WORDS):
        return True
    if low.startswith(("$", "<", "{", "%")) or "${" in low or "{{" in low:
        return True
    return len(set(value)) <= 3


def generic_filtered(name: str, value: str) -> bool:
    """True when the generic rule's match is a known near miss: a UUID, a hash, a dotted
    identifier (a code reference), a value of one character class."""
    if _UUID.match(value):
        return True
    if _HEX.match(value) and len(value) in _HASH_LENGTHS:
        return bool(_HASH_NAMES.search(name)) or not _SECRET_NAMES.search(name)
    if _IDENTIFIER.match(value):
        return True
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return not (has_digit and has_alpha)
