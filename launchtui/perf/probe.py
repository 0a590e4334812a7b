"""The latency probe: one request sent on an open-model schedule, its latencies in an
HdrHistogram, and where the time went (DNS, connect, TLS, first byte, transfer).

Open model: request i starts at t0 + i/rate whatever the earlier ones did, and its latency is
counted from that scheduled start. When the server stalls, the requests due meanwhile wait (for
a connection, or for one of the `concurrency` slots) and that wait is in their latency: a
closed-loop tool, which sends the next request only when the previous one answered, sends fewer
requests during the stall and so hides it ("coordinated omission", Gil Tene).

Caps (launchtui.model.flows says why): a plan over them is refused, not trimmed, unless the
caller passes `benchmark=True` (benchmarks/latency_accuracy.py only; the check never does).

Phases come from httpcore's trace extension (connection.connect_tcp, connection.start_tls,
http11.send_request_headers, http11.receive_response_headers, http11.receive_response_body);
the DNS lookup is timed in our network backend, which resolves through the sprint's own DNS
client before connecting. A request that opened a new connection pays DNS, connect and TLS; one
on a kept-alive connection does not: both are counted and reported apart.
"""

from __future__ import annotations

import asyncio
import contextvars
import ssl
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpcore

from launchtui.model.flows import MAX_CONCURRENCY, MAX_RATE, MAX_REQUESTS, MIN_RATE
from launchtui.net.errors import NetError, NetTimeout, Refused
from launchtui.perf.histogram import Latencies

USER_AGENT = "launchtui (latency probe)"
BODY_CAP = 2 * 1024 * 1024  # read and discarded; a bigger body ends the exchange early
PHASES = ("dns", "connect", "tls", "ttfb", "transfer")

Resolve = Callable[[str, int], Awaitable[list[tuple[str, int]]]]


class PlanRefused(ValueError):
    """A probe plan over the caps (or nonsense): the message says which and why."""


@dataclass(frozen=True, slots=True)
class Plan:
    requests: int
    rate_per_s: float
    concurrency: int

    @property
    def duration_s(self) -> float:
        """The schedule's length: the last request starts this long after the first."""
        return (self.requests - 1) / self.rate_per_s

    def describe(self, what: str) -> str:
        return (
            f"{self.requests} requests of {what} at {self.rate_per_s:g}/s "
            f"(over {self.duration_s:.1f} s), at most {self.concurrency} in flight"
        )


def make_plan(
    requests: int, rate_per_s: float, concurrency: int, *, benchmark: bool = False
) -> Plan:
    """A plan within the caps; PlanRefused otherwise. `benchmark` lifts the caps for
    benchmarks/latency_accuracy.py, which probes its own loopback server."""
    if requests < 1 or concurrency < 1 or rate_per_s <= 0:
        raise PlanRefused("a probe needs at least 1 request, 1 in flight and a rate above 0")
    if not benchmark:
        if requests > MAX_REQUESTS:
            raise PlanRefused(
                f"{requests} requests is over the probe's cap of {MAX_REQUESTS} a flow: "
                "a latency probe is not a load test"
            )
        if not MIN_RATE <= rate_per_s <= MAX_RATE:
            raise PlanRefused(
                f"{rate_per_s:g} requests a second is outside the probe's {MIN_RATE:g} to "
                f"{MAX_RATE:g}"
            )
        if concurrency > MAX_CONCURRENCY:
            raise PlanRefused(
                f"{concurrency} requests in flight is over the probe's cap of {MAX_CONCURRENCY}"
            )
    return Plan(requests, float(rate_per_s), concurrency)


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None


@dataclass(slots=True)
class Sample:
    """One request: its latency from the scheduled start, and where the time went."""

    latency_ms: float
    status: int | None  # None: no response (timeout, refused, reset)
    error: str = ""  # why it counts as an error ("" when 2xx or 3xx)
    new_connection: bool = False
    phases: dict[str, float] = field(default_factory=dict)  # ms, those that happened
    waited_ms: float = 0.0  # from the scheduled start to the request going out


@dataclass(slots=True)
class ProbeResult:
    plan: Plan
    request: Request
    samples: list[Sample]
    duration_s: float  # wall time from the first scheduled start to the last answer
    latencies: Latencies = field(default_factory=Latencies)

    def __post_init__(self) -> None:
        for sample in self.samples:
            self.latencies.record(sample.latency_ms)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if s.error)

    @property
    def error_rate(self) -> float:
        return self.errors / len(self.samples) if self.samples else 0.0

    @property
    def answered(self) -> int:
        return sum(1 for s in self.samples if s.status is not None)

    def percentile(self, p: float) -> float:
        return self.latencies.percentile(p)

    @property
    def max_ms(self) -> float:
        return max((s.latency_ms for s in self.samples), default=0.0)

    def phase_medians(self, *, new: bool | None = None) -> dict[str, float]:
        """The median of each phase over the requests that had it (dns, connect and tls only
        happen on a new connection); `new` restricts to new or to reused connections."""
        chosen = [s for s in self.samples if new is None or s.new_connection is new]
        medians = {}
        for phase in PHASES:
            values = [s.phases[phase] for s in chosen if phase in s.phases]
            medians[phase] = round(statistics.median(values), 1) if values else 0.0
        return medians

    @property
    def new_connections(self) -> int:
        return sum(1 for s in self.samples if s.new_connection)

    def first_errors(self, limit: int = 3) -> list[str]:
        seen: list[str] = []
        for sample in self.samples:
            if sample.error and sample.error not in seen:
                seen.append(sample.error)
        return seen[:limit]


# The phases of the request being sent, set in its task: our backend adds the DNS time.
_PHASES: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
    "launchtui_probe_phases", default=None
)


async def _literal(host: str, port: int) -> list[tuple[str, int]]:
    return [(host, port)]


class _TimedBackend(httpcore.AsyncNetworkBackend):
    """Connects where `resolve` says (the sprint's DNS and connect_to), timing the lookup."""

    def __init__(self, resolve: Resolve) -> None:
        self._resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        started = time.perf_counter()
        endpoints = await self._resolve(host, port)
        phases = _PHASES.get()
        if phases is not None:
            phases["dns"] = (time.perf_counter() - started) * 1000
        last: Exception = NetError(f"no address for {host}")
        for address, mapped_port in endpoints:
            try:
                return await self._inner.connect_tcp(
                    address, mapped_port, timeout=timeout, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                if _refused(exc):
                    last = Refused(f"connection refused by {address}:{mapped_port}")
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@dataclass(frozen=True, slots=True)
class Answer:
    """A setup step's answer: what the next steps need (status, cookies set)."""

    status: int
    cookies: dict[str, str]


class Prober:
    """A connection pool of `concurrency` connections for one origin's probe. Close it with
    aclose() (or use it as an async context manager)."""

    def __init__(
        self,
        trust: ssl.SSLContext | None,
        *,
        concurrency: int,
        timeout: float,
        resolve: Resolve | None = None,
    ) -> None:
        self.timeout = timeout
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=trust,
            max_connections=concurrency,
            http1=True,
            http2=False,
            network_backend=_TimedBackend(resolve or _literal),
        )

    async def __aenter__(self) -> Prober:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._pool.aclose()

    async def send(self, request: Request) -> Answer:
        """One request outside the schedule (a setup step: logging in); NetError without an
        answer."""
        sample, headers = await self._exchange(request, time.perf_counter())
        if sample.status is None:
            raise error_kind(sample.error)(f"{request.method} {request.url}: {sample.error}")
        cookies = {}
        for name, value in headers:
            if name.lower() == b"set-cookie":
                pair = value.decode("latin-1").split(";", 1)[0]
                key, sep, val = pair.partition("=")
                if sep and key.strip():
                    cookies[key.strip()] = val.strip()
        return Answer(sample.status, cookies)

    async def run(self, request: Request, plan: Plan) -> ProbeResult:
        """Send `request` on `plan`'s open schedule; every sample's latency counts from its
        scheduled start."""
        # anyio loads its asyncio backend on first use (some 60 ms): before the clock starts
        await anyio.sleep(0)
        slots = asyncio.Semaphore(plan.concurrency)
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.005  # a few ms to set up the first task
        start_perf = time.perf_counter() + (start - loop.time())

        async def one(index: int) -> Sample:
            scheduled = start_perf + index / plan.rate_per_s
            async with slots:
                sample, _ = await self._exchange(request, scheduled)
            return sample

        tasks: list[asyncio.Task[Sample]] = []
        try:
            for index in range(plan.requests):
                delay = start + index / plan.rate_per_s - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(index)))
            samples = list(await asyncio.gather(*tasks))
        finally:
            for task in tasks:
                task.cancel()
        return ProbeResult(plan, request, samples, time.perf_counter() - start_perf)

    async def _exchange(
        self, request: Request, scheduled: float
    ) -> tuple[Sample, list[tuple[bytes, bytes]]]:
        marks: dict[str, float] = {}
        phases: dict[str, float] = {}
        token = _PHASES.set(phases)

        async def trace(event: str, info: dict[str, Any]) -> None:
            marks[event] = time.perf_counter()

        sent = time.perf_counter()
        headers: list[tuple[bytes, bytes]] = []
        status: int | None = None
        error = ""
        try:
            async with asyncio.timeout(self.timeout):
                async with self._pool.stream(
                    request.method,
                    request.url,
                    headers=[("User-Agent", USER_AGENT), *request.headers.items()],
                    content=request.content,
                    extensions={"trace": trace},
                ) as response:
                    status = response.status
                    headers = list(response.headers)
                    size = 0
                    async for chunk in response.aiter_stream():
                        size += len(chunk)
                        if size > BODY_CAP:
                            break
        except TimeoutError:
            status = None
            error = f"no complete answer within {self.timeout:g} s"
        except NetError as exc:
            status = None
            error = str(exc)
        except ssl.SSLError as exc:
            status = None
            error = f"TLS failed: {exc.reason or exc}"
        except (httpcore.ConnectError, OSError) as exc:
            status = None
            error = f"cannot connect: {exc or type(exc).__name__}"
        except httpcore.ProtocolError as exc:  # RemoteProtocolError and LocalProtocolError
            status = None
            error = f"malformed HTTP answer: {exc or type(exc).__name__}"
        except httpcore.TimeoutException as exc:
            status = None
            error = f"timed out: {exc or type(exc).__name__}"
        finally:
            _PHASES.reset(token)
        ended = time.perf_counter()
        if status is not None and not 200 <= status < 400 and not error:
            error = f"HTTP {status}"
        sample = Sample(
            latency_ms=(ended - scheduled) * 1000,
            status=status,
            error=error,
            new_connection="connection.connect_tcp.started" in marks,
            waited_ms=max(0.0, (sent - scheduled) * 1000),
        )
        sample.phases = _phases(marks, phases, ended)
        return sample, headers


def _phases(marks: dict[str, float], phases: dict[str, float], ended: float) -> dict[str, float]:
    def span(begin: str, end: str) -> float | None:
        if begin in marks and end in marks:
            return (marks[end] - marks[begin]) * 1000
        return None

    found = {}
    tcp = span("connection.connect_tcp.started", "connection.connect_tcp.complete")
    if tcp is not None:
        dns = phases.get("dns", 0.0)
        found["dns"] = dns
        found["connect"] = max(0.0, tcp - dns)
    tls = span("connection.start_tls.started", "connection.start_tls.complete")
    if tls is not None:
        found["tls"] = tls
    ttfb = span("http11.send_request_headers.started", "http11.receive_response_headers.complete")
    if ttfb is not None:
        found["ttfb"] = ttfb
    if "http11.receive_response_headers.complete" in marks:
        found["transfer"] = (ended - marks["http11.receive_response_headers.complete"]) * 1000
    return found


def _refused(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def error_kind(error: str) -> type[NetError]:
    if error.startswith("no complete answer"):
        return NetTimeout
    if error.startswith("connection refused"):
        return Refused
    return NetError
