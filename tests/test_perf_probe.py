"""The latency probe without the check: the open-model schedule under a stall, the caps, the
HdrHistogram's percentiles, phases on new and reused connections, refusals and timeouts."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from servers import server_thread

from launchtui.model.flows import MAX_CONCURRENCY, MAX_RATE, MAX_REQUESTS
from launchtui.perf.histogram import Latencies
from launchtui.perf.probe import PlanRefused, Prober, Request, make_plan


def _stalling_server(stall_on: int, stall_s: float, service_s: float = 0.005):
    """A keep-alive HTTP/1.1 server answering 200 after `service_s`, whose `stall_on`-th
    request (1-based, over all connections) stalls the whole server for `stall_s`."""
    state = {"count": 0, "stalled_until": 0.0}

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line = await reader.readline()
            if not line:
                return
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            state["count"] += 1
            now = time.monotonic()
            if state["count"] == stall_on:
                state["stalled_until"] = now + stall_s
            await asyncio.sleep(max(0.0, state["stalled_until"] - now) + service_s)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    return handler


def _probe(url: str, plan, *, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        async with Prober(None, concurrency=plan.concurrency, timeout=timeout) as prober:
            return await prober.run(Request("GET", url), plan)

    return asyncio.run(go())


def test_the_schedule_is_kept_when_the_server_stalls_and_the_wait_is_counted():
    # 20/s, one in flight: the 5th request stalls the server 500 ms. A closed loop would send
    # nothing meanwhile and record one slow request; the open model records every request due
    # during the stall with the time it waited (coordinated omission corrected).
    with server_thread() as thread:
        port = thread.serve(_stalling_server(stall_on=5, stall_s=0.5))
        result = _probe(f"http://127.0.0.1:{port}/", make_plan(20, 20, 1))
    latencies = [sample.latency_ms for sample in result.samples]
    assert result.errors == 0
    assert latencies[4] >= 500  # the stalled one
    # requests 6.. were due at 50 ms steps during the stall: each waited the rest of it
    for index in range(5, 13):
        due_after_stall = 200 + 500 - index * 50  # stall from ~200 ms to ~700 ms
        assert latencies[index] >= due_after_stall - 20, (index, latencies)
    assert latencies[-1] < 100  # caught up after
    assert result.percentile(50) > 50  # half the requests felt the stall
    assert result.percentile(95) >= 450
    assert result.max_ms >= 500
    # the waiting is recorded apart from the exchange
    assert result.samples[6].waited_ms > 300


def test_a_plan_over_the_caps_is_refused_with_the_reason():
    with pytest.raises(
        PlanRefused, match=f"10000 requests is over the probe's cap of {MAX_REQUESTS}"
    ):
        make_plan(10_000, 5, 4)
    with pytest.raises(PlanRefused, match=f"to {MAX_RATE:g}"):
        make_plan(60, 500, 4)
    with pytest.raises(PlanRefused, match=f"cap of {MAX_CONCURRENCY}"):
        make_plan(60, 5, 50)
    with pytest.raises(PlanRefused, match="cap of 60 s a flow"):
        make_plan(300, 1, 4)
    with pytest.raises(PlanRefused, match="at least 1 request"):
        make_plan(0, 5, 4)
    # the benchmark alone may go past them, explicitly
    assert make_plan(10_000, 500, 50, benchmark=True).requests == 10_000
    plan = make_plan(60, 5, 4)
    assert (
        plan.describe("GET /x") == "60 requests of GET /x at 5/s (over 11.8 s), at most 4 in flight"
    )


def test_histogram_percentiles_of_known_inputs():
    latencies = Latencies()
    for ms in range(1, 1001):  # 1..1000 ms
        latencies.record(ms)
    assert latencies.count == 1000
    for p, expected in ((50, 500), (95, 950), (99, 990), (100, 1000)):
        assert latencies.percentile(p) == pytest.approx(expected, rel=1e-3)
    skewed = Latencies()
    rng = random.Random(7)
    values = sorted(rng.lognormvariate(3, 1) for _ in range(5000))
    for value in values:
        skewed.record(value)
    assert skewed.percentile(95) == pytest.approx(values[int(0.95 * 5000) - 1], rel=2e-3)
    assert skewed.percentile(99) == pytest.approx(values[int(0.99 * 5000) - 1], rel=2e-3)
    assert Latencies().percentile(95) == 0.0


def test_phases_and_new_and_reused_connections_are_told_apart():
    with server_thread() as thread:
        port = thread.serve(_stalling_server(stall_on=0, stall_s=0, service_s=0.03))
        result = _probe(f"http://127.0.0.1:{port}/", make_plan(10, 20, 1))
    assert result.new_connections == 1  # kept alive after the first
    new, reused = result.samples[0], result.samples[1]
    assert new.new_connection and not reused.new_connection
    assert set(new.phases) == {"dns", "connect", "ttfb", "transfer"}  # no TLS on http://
    assert set(reused.phases) == {"ttfb", "transfer"}
    assert 25 <= result.phase_medians()["ttfb"] <= 80


def test_refused_and_timed_out_requests_are_errors_with_their_reason():
    with server_thread() as thread:
        port = thread.serve(_stalling_server(stall_on=1, stall_s=5))
        slow = _probe(f"http://127.0.0.1:{port}/", make_plan(2, 20, 2), timeout=0.3)
    assert slow.errors == 2 and slow.answered == 0
    assert slow.first_errors() == ["no complete answer within 0.3 s"]
    assert all(sample.latency_ms >= 300 for sample in slow.samples)
    refused = _probe("http://127.0.0.1:1/", make_plan(2, 20, 1))
    assert refused.error_rate == 1.0
    assert refused.first_errors() == ["connection refused by 127.0.0.1:1"]
