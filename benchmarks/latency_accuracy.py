"""How right perf.latency's percentiles are: launchtui's probe and `hey` against a loopback
endpoint whose latency distribution is known, stall included.

The server (its own process, so that it does not share the client's event loop) answers each
request after a service time drawn from a seeded lognormal (median 20 ms, sigma 0.5), and
stalls periodically: every 2 s (from the first request it sees) it holds every request arriving
in the next 300 ms until the stall ends. The truth: what the server made each of launchtui's
requests wait (its service time, plus the rest of the stall when it arrived during one), as the
server recorded it ("imposed"); next to it, the same computed for arrivals exactly on the
schedule (request i at i/rate: "schedule"), which a tool's arrivals can only approach (the
server's stall clock starts at the first arrival it sees, so a shift of a millisecond moves one
request per stall across a stall's edge at 50/s).

At 50 and 200 requests a second, 10 s each, it runs launchtui's probe (open model, its caps
lifted through the probe's benchmark-only parameter: the check's caps stay) and then `hey`
(Debian's package: a closed loop of -c workers, each limited to rate/c a second) against a
fresh server, and prints each tool's p50, p95 and p99 against the truth. Goal: launchtui within
5 % (or 5 ms) of the truth at both rates, stall included; a closed-loop tool under-reports the
stall, because its workers stop sending while they wait. Also printed: the probe's client CPU
time per request.

    .venv/bin/python benchmarks/latency_accuracy.py [--seconds 10] [--rates 50,200]

`hey` comes from Debian (`apt-get install hey`); without it the comparison column is skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import random
import re
import shutil
import subprocess
import sys
import time

from launchtui.perf.histogram import Latencies
from launchtui.perf.probe import Prober, Request, make_plan

MEDIAN_S = 0.020
SIGMA = 0.5
PERIOD_S = 2.0
STALL_S = 0.3
SEED = 42
CONCURRENCY = 100  # enough that the stall's backlog never waits for a connection slot
HEY_WORKERS = 8


def service_times(count: int) -> list[float]:
    rng = random.Random(SEED)
    return [MEDIAN_S * math.exp(SIGMA * rng.gauss(0.0, 1.0)) for _ in range(count)]


def stall_wait(offset: float) -> float:
    """How long a request arriving `offset` s after the first waits for the stall to end."""
    into = offset % PERIOD_S
    return STALL_S - into if into < STALL_S else 0.0


def truth(rate: float, count: int) -> Latencies:
    found = Latencies()
    for index, service in enumerate(service_times(count)):
        found.record((service + stall_wait(index / rate)) * 1000)
    return found


def serve(port_out: multiprocessing.connection.Connection) -> None:
    """The endpoint: GET /reset starts a new run (stall clock and service sequence); any other
    path answers after its service time and any stall."""
    times = service_times(100_000)
    state: dict[str, float | int | None] = {"epoch": None, "count": 0}
    imposed: list[float] = []  # what the server made each request of the run wait, in s

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                now = time.monotonic()
                body = b"ok"
                if line.startswith(b"GET /reset"):
                    state.update(epoch=None, count=0)
                    imposed.clear()
                elif line.startswith(b"GET /imposed"):
                    body = json.dumps(imposed).encode()
                else:
                    if state["epoch"] is None:
                        state["epoch"] = now
                    index = int(state["count"] or 0)
                    state["count"] = index + 1
                    epoch = float(state["epoch"] or now)
                    wait = stall_wait(now - epoch) + times[index % len(times)]
                    imposed.append(wait)
                    await asyncio.sleep(wait)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                writer.write(head + body)
                await writer.drain()
        except ConnectionError:
            return

    async def main() -> None:
        server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=1024)
        port_out.send(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def control(port: int, path: str) -> bytes:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    body = connection.getresponse().read()
    connection.close()
    return body


def imposed(port: int) -> Latencies:
    """What the server made each request of the last run wait: that run's own truth."""
    found = Latencies()
    for seconds in json.loads(control(port, "/imposed")):
        found.record(seconds * 1000)
    return found


async def launchtui_run(port: int, rate: float, count: int) -> tuple[Latencies, float, int]:
    plan = make_plan(count, rate, CONCURRENCY, benchmark=True)
    cpu = time.process_time()
    async with Prober(None, concurrency=CONCURRENCY, timeout=10) as prober:
        result = await prober.run(Request("GET", f"http://127.0.0.1:{port}/x"), plan)
    cpu = time.process_time() - cpu
    return result.latencies, cpu / count * 1000, result.errors


def hey_run(port: int, rate: float, count: int) -> dict[int, float] | None:
    if shutil.which("hey") is None:
        return None
    per_worker = rate / HEY_WORKERS
    output = subprocess.run(
        ["hey", "-n", str(count), "-c", str(HEY_WORKERS), "-q", f"{per_worker:g}", "-t", "10",
         f"http://127.0.0.1:{port}/x"],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout  # fmt: skip
    found = {}
    for percent, seconds in re.findall(r"(\d+)% in ([\d.]+) secs", output):
        found[int(percent)] = float(seconds) * 1000
    return found


def verdict(measured: float, true: float) -> str:
    ok = abs(measured - true) <= max(0.05 * true, 5.0)
    return "ok" if ok else "off"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rates", default="50,200")
    args = parser.parse_args()
    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send,), daemon=True)
    server.start()
    port = receive.recv()
    failures = 0
    try:
        print(
            f"endpoint: lognormal service (median {MEDIAN_S * 1000:.0f} ms, sigma {SIGMA}), "
            f"a {STALL_S * 1000:.0f} ms stall every {PERIOD_S:g} s; hey: {HEY_WORKERS} workers"
        )
        header = (
            f"{'rate':>5} {'pct':>4} {'schedule':>9} {'imposed':>9} {'launchtui':>10} {'':>3} "
            f"{'hey':>9}"
        )
        print(header)
        for rate in (float(r) for r in args.rates.split(",")):
            count = int(rate * args.seconds)
            scheduled = truth(rate, count)
            control(port, "/reset")
            ours, cpu_ms, errors = asyncio.run(launchtui_run(port, rate, count))
            real = imposed(port)
            control(port, "/reset")
            theirs = hey_run(port, rate, count)
            for p in (50, 95, 99):
                true, got = real.percentile(p), ours.percentile(p)
                mark = verdict(got, true)
                failures += mark != "ok"
                hey = f"{theirs[p]:>7.1f}ms" if theirs and p in theirs else "      n/a"
                print(
                    f"{rate:>5g} p{p:<3} {scheduled.percentile(p):>7.1f}ms {true:>7.1f}ms "
                    f"{got:>8.1f}ms {mark:>3} {hey}"
                )
            print(
                f"{rate:>5g} {count} requests, {errors} errors; launchtui client CPU "
                f"{cpu_ms:.2f} ms a request"
            )
    finally:
        server.terminate()
    print(
        "goal (within 5% or 5 ms of the truth at every rate):", "met" if not failures else "missed"
    )
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
