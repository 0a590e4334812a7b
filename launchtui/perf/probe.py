"""The latency probe: one request sent on an open-model schedule, its latencies in an
HdrHistogram, and where the time went (DNS, connect, TLS, first byte, transfer).

Open model: request i starts at t0 + i/rate whatever the earlier ones did, and its latency is
counted from that scheduled start. When the server stalls, the requests due meanwhile wait (for
a connection, or for one of the `concurrency` slots) and that wait is in their latency: a
closed-loop tool, which sends the next request only when the previous one answered, sends fewer
requests during the stall and so hides it ("coordinated omission", Gil Tene).

Caps (launchtui.model.flows says why): a plan over them is refused, not trimmed, unless the
caller passes `benchmark=True` (benchmarks/latency_accuracy.py only; the check never does).

Phases are timed where they happen, in the probe's own small HTTP/1.1 client (see Prober): the
DNS lookup (through the sprint's own DNS client and connect_to), the TCP connect, the TLS
handshake, the wait from sending the request to the response head (time to first byte) and the
body (transfer). A request that opened a new connection pays DNS, connect and TLS; one on a
kept-alive connection does not: both are counted and reported apart.
"""

from __future__ import annotations

import asyncio
import ssl
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import h11

from launchtui.model.flows import (
    MAX_CONCURRENCY,
    MAX_DURATION_S,
    MAX_RATE,
    MAX_REQUESTS,
    MIN_RATE,
)
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
        if (requests - 1) / rate_per_s > MAX_DURATION_S:
            raise PlanRefused(
                f"{requests} requests at {rate_per_s:g}/s take over the probe's cap of "
                f"{MAX_DURATION_S:g} s a flow"
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


async def _literal(host: str, port: int) -> list[tuple[str, int]]:
    return [(host, port)]


@dataclass(frozen=True, slots=True)
class Answer:
    """A setup step's answer: what the next steps need (status, cookies set)."""

    status: int
    cookies: dict[str, str]


class _Connection:
    """One HTTP/1.1 connection of the probe's own (h11 over asyncio streams)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)

    def close(self) -> None:
        self.writer.transport.abort()


Origin = tuple[str, str, int]


class Prober:
    """The probe's own keep-alive connections (at most one per request in flight, so at most
    `concurrency`) to the origins it is asked about: a small HTTP/1.1 client on h11 rather than
    httpx, so that each phase is timed where it happens (the DNS lookup, the TCP connect, the
    TLS handshake, the wait for the response head, the body) and a request costs a fraction of
    the CPU: a schedule must not fall behind because its client is busy. Close it with aclose()
    (or use it as an async context manager)."""

    def __init__(
        self,
        trust: ssl.SSLContext | None,
        *,
        concurrency: int,
        timeout: float,
        resolve: Resolve | None = None,
    ) -> None:
        self.timeout = timeout
        self._trust = trust
        self._resolve = resolve or _literal
        self._idle: dict[Origin, list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._concurrency = concurrency

    async def __aenter__(self) -> Prober:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()

    async def send(self, request: Request) -> Answer:
        """One request outside the schedule (a setup step: logging in); NetError without an
        answer."""
        sample, headers = await self._exchange(request, time.perf_counter())
        if sample.status is None:
            raise error_kind(sample.error)(f"{request.method} {request.url}: {sample.error}")
        cookies = {}
        for name, value in headers:
            if name == b"set-cookie":
                pair = value.decode("latin-1").split(";", 1)[0]
                key, sep, val = pair.partition("=")
                if sep and key.strip():
                    cookies[key.strip()] = val.strip()
        return Answer(sample.status, cookies)

    async def run(self, request: Request, plan: Plan) -> ProbeResult:
        """Send `request` on `plan`'s open schedule; every sample's latency counts from its
        scheduled start."""
        slots = asyncio.Semaphore(min(plan.concurrency, self._concurrency))
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
        sent = time.perf_counter()
        phases: dict[str, float] = {}
        state: dict[str, Any] = {"new": False}
        headers: list[tuple[bytes, bytes]] = []
        status: int | None = None
        error = ""
        try:
            async with asyncio.timeout(self.timeout):
                status, headers = await self._send(request, phases, state)
        except TimeoutError:
            error = f"no complete answer within {self.timeout:g} s"
        except NetError as exc:
            error = str(exc)
        except ssl.SSLError as exc:
            error = f"TLS failed: {exc.reason or exc}"
        except h11.ProtocolError as exc:
            error = f"malformed HTTP answer: {exc}"
        except OSError as exc:
            error = f"connection failed: {exc.strerror or exc}"
        finally:
            connection = state.pop("connection", None)
            if connection is not None:  # the exchange did not end cleanly: not reusable
                connection.close()
                self._open.discard(connection)
        ended = time.perf_counter()
        if status is not None and not 200 <= status < 400:
            error = f"HTTP {status}"
        if "ttfb_started" in state:
            phases["ttfb"] = (state.get("head_at", ended) - state["ttfb_started"]) * 1000
        if "head_at" in state:
            phases["transfer"] = (ended - state["head_at"]) * 1000
        sample = Sample(
            latency_ms=(ended - scheduled) * 1000,
            status=status,
            error=error,
            new_connection=bool(state["new"]),
            phases=phases,
            waited_ms=max(0.0, (sent - scheduled) * 1000),
        )
        return sample, headers

    async def _send(
        self, request: Request, phases: dict[str, float], state: dict[str, Any]
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        parts = urlsplit(request.url)
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, host, port)
        idle = self._idle.setdefault(origin, [])
        connection = idle.pop() if idle else None
        if connection is None:
            state["new"] = True
            connection = await self._connect(scheme, host, port, phases)
            self._open.add(connection)
        state["connection"] = connection
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        authority = parts.netloc.rpartition("@")[2]
        head = [("Host", authority), ("User-Agent", USER_AGENT), *request.headers.items()]
        body = request.content or b""
        if body or request.method in ("POST", "PUT", "PATCH"):
            head.append(("Content-Length", str(len(body))))
        state["ttfb_started"] = time.perf_counter()
        wire = connection.h11
        data = wire.send(h11.Request(method=request.method, target=target, headers=head)) or b""
        if body:
            data += wire.send(h11.Data(data=body)) or b""
        data += wire.send(h11.EndOfMessage()) or b""
        connection.writer.write(data)
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        size = 0
        while True:
            event = wire.next_event()
            if event is h11.NEED_DATA:
                wire.receive_data(await connection.reader.read(65536))
            elif isinstance(event, h11.Response):
                state["head_at"] = time.perf_counter()
                status = event.status_code
                headers = list(event.headers)
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > BODY_CAP:
                    break  # read enough: the connection is dropped, not reused
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise NetError("the server closed the connection before answering")
        if wire.our_state is h11.DONE and wire.their_state is h11.DONE:
            wire.start_next_cycle()
            self._idle[origin].append(connection)
            state.pop("connection", None)
        return status, headers

    async def _connect(
        self, scheme: str, host: str, port: int, phases: dict[str, float]
    ) -> _Connection:
        began = time.perf_counter()
        endpoints = await self._resolve(host, port)
        resolved = time.perf_counter()
        phases["dns"] = (resolved - began) * 1000
        last: NetError = NetError(f"no address for {host}")
        for address, mapped in endpoints:
            try:
                reader, writer = await asyncio.open_connection(address, mapped)
            except ConnectionRefusedError:
                last = Refused(f"connection refused by {address}:{mapped}")
                continue
            except OSError as exc:
                last = NetError(f"cannot connect to {address}:{mapped}: {exc.strerror or exc}")
                continue
            connected = time.perf_counter()
            phases["connect"] = (connected - resolved) * 1000
            if scheme == "https":
                try:
                    await writer.start_tls(
                        self._trust or ssl.create_default_context(), server_hostname=host
                    )
                except BaseException:
                    writer.transport.abort()
                    raise
                phases["tls"] = (time.perf_counter() - connected) * 1000
            return _Connection(reader, writer)
        raise last


def error_kind(error: str) -> type[NetError]:
    if error.startswith("no complete answer"):
        return NetTimeout
    if error.startswith("connection refused"):
        return Refused
    return NetError
