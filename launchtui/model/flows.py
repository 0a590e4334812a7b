"""[flows] entries as the performance checks read them, and [performance]'s probe settings.

A flow is either a URL (one GET, measured) or a short sequence:

    [flows]
    login = "https://app.example.community/login"
    posts = { steps = ["POST /login", "GET /api/posts"], credential = "member", auth = "form" }

Each step is "METHOD PATH-OR-URL" (a path is taken against the origin of the flow's first
absolute URL, else [site].canonical). Every step but the last runs once, in order, before the
probe (logging in: the cookies they set are carried on); the last step is the request the probe
sends on its schedule and measures. `credential` names a [credentials] entry; `auth` says how
its value is presented (never stored anywhere but the keyring):

- "bearer" (the default): `Authorization: Bearer VALUE` on every step
- "cookie:NAME": `Cookie: NAME=VALUE` on every step
- "form": the value is the login form's body (`email=...&password=...`,
  application/x-www-form-urlencoded), sent as the body of each POST step
"""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
AUTH_KINDS = ("bearer", "cookie:NAME", "form")
CORE_FLOWS = ("login", "join", "invite", "posts")  # probed whenever declared

# [performance] probe settings: the defaults, and the caps that no sprint file can raise.
# 60 requests give a p95 with three samples above it; at 5 a second the probe lasts 12 s and
# adds a few members' worth of traffic. The caps (300 requests, 20 a second, 10 in flight: at
# most 15 s of load at the top rate, and no more parallel requests than ten members clicking
# at once) keep a probe polite to a production app sized for its first 50 members.
DEFAULT_REQUESTS = 60
DEFAULT_RATE = 5.0
DEFAULT_CONCURRENCY = 4
MAX_REQUESTS = 300
MAX_RATE = 20.0
MAX_CONCURRENCY = 10
MIN_RATE = 0.2  # one request every 5 s: slower is not a latency probe
MAX_DURATION_S = 60.0  # a flow's schedule, first request to last: the check's run stays short


@dataclass(frozen=True, slots=True)
class Step:
    method: str
    url: str  # absolute

    def describe(self) -> str:
        return f"{self.method} {self.url}"


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: tuple[Step, ...]  # at least one; the last is measured
    credential: str = ""  # a [credentials] name, "" for none
    auth: str = "bearer"  # "bearer", "cookie:NAME" or "form"
    declared: bool = False  # written as a table of steps (a flow for the probe), not a URL

    @property
    def measured(self) -> Step:
        return self.steps[-1]

    @property
    def setup(self) -> tuple[Step, ...]:
        return self.steps[:-1]


@dataclass(frozen=True, slots=True)
class PerformanceConfig:
    requests: int = DEFAULT_REQUESTS
    rate_per_s: float = DEFAULT_RATE
    concurrency: int = DEFAULT_CONCURRENCY
