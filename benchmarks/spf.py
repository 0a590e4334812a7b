"""SPF evaluation throughput: 500 domains with realistic include trees, every DNS answer of
the lab delayed 50 ms, evaluated concurrently (at most 50 at once).

Each domain's record mixes its own servers (ip4, a, mx), a shared include of its own and the
big providers' trees (Google's three netblocks, Postmark, Mailgun's two regions, Mailchimp,
SendGrid). The client address matches nothing, as for an unauthorized sender, so nothing ends
an evaluation early on a match: most walk their whole tree to fail or softfail at "all", but
the domains with the heaviest mix of providers go over RFC 7208's limit of 10 lookups and stop
at the 11th with permerror, their trees only partly walked (48 of the default 500; the
"results" line counts them). Prints wall time, SPF lookups (the terms that count toward the
limit, the 11th included), DNS queries actually sent, and both per second. With pyspf
installed, it also times pyspf on a sample, one evaluation at a time (it is synchronous).

    .venv/bin/python benchmarks/spf.py [--domains 500] [--delay 0.05] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from launchtui.email.spf import SpfOutcome, check_host
from launchtui.lab import LabConfig, LabThread
from launchtui.lab.demo_spf import INCLUDES, ZONES
from launchtui.net.dns import DnsClient, Lookup

ZONE = "bench.test"
CLIENT = "203.0.113.77"  # authorized by no domain
PROVIDERS = [
    "include:_spf.google.com",
    "include:spf.mtasv.net",
    "include:mailgun.org",
    "include:servers.mcsv.net",
    "include:sendgrid.net",
]


def bench_world(count: int, delay: float) -> tuple[LabConfig, list[str]]:
    rng = random.Random(7208)
    txt = {owner: [record] for owner, record in INCLUDES.items()}
    records: list[tuple[str, str, str]] = []
    mx: dict[str, list[str]] = {}
    domains = []
    for n in range(count):
        domain = f"d{n:04d}.{ZONE}"
        domains.append(domain)
        records += [(domain, "A", f"198.51.100.{n % 250 + 1}"), (f"mx.{domain}", "A", "192.0.2.25")]
        mx[domain] = [f"10 mx.{domain}."]
        shared = f"_spf.team{n % 20}.{ZONE}"
        txt[shared] = [f"v=spf1 ip4:192.0.2.{n % 20}/32 ip6:2001:db8:{n % 20:x}::/48 ~all"]
        terms = [f"ip4:198.51.100.{n % 250 + 1}", "a", "mx", f"include:{shared}"]
        terms += rng.sample(PROVIDERS, rng.randint(1, 3))
        txt[domain] = [" ".join(["v=spf1", *terms, rng.choice(["-all", "~all"])])]
    config = LabConfig(
        zone=ZONE,
        hosts=[],
        txt=txt,
        mx=mx,
        caa={},
        records=records,
        external_zones={zone: [] for zone in ZONES},
        resolver_count=0,
        dns_delay=delay,
        dns_port=0,
        https_port=0,
        http_port=0,
    )
    return config, domains


class CountingClient(DnsClient):
    """A DnsClient that counts the queries it sends."""

    queries = 0

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        CountingClient.queries += 1
        return await DnsClient.lookup(self, name, rdtype)


async def evaluate_all(client: DnsClient, domains: list[str], concurrency: int) -> list[SpfOutcome]:
    gate = asyncio.Semaphore(concurrency)

    async def one(domain: str) -> SpfOutcome:
        async with gate:
            return await check_host(client, CLIENT, f"bounce@{domain}")

    return await asyncio.gather(*(one(domain) for domain in domains))


def serve(config: LabConfig, workdir: str, ready: multiprocessing.Queue, stop: object) -> None:
    """Run the lab in a process of its own, so that its CPU time is not the client's."""
    with LabThread(config, Path(workdir)) as lab:
        ready.put(lab.dns_address)
        stop.wait()  # type: ignore[attr-defined]


def time_pyspf(address: tuple[str, int], domains: list[str]) -> tuple[float, list[str]] | None:
    """Seconds per evaluation with pyspf and its results, or None when it is not installed."""
    here = Path(__file__).resolve().parent  # this file is spf.py too: not the one to import
    sys.path = [p for p in sys.path if Path(p or ".").resolve() != here]
    try:
        import dns.resolver
        import spf  # type: ignore[import-not-found]  # pyspf: optional, for comparison only
    except ImportError:
        return None
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address[0]]
    resolver.port = address[1]
    dns.resolver.default_resolver = resolver
    began = time.perf_counter()
    results = [
        str(spf.check2(i=CLIENT, s=f"bounce@{domain}", h=domain, timeout=20)[0])
        for domain in domains
    ]
    return (time.perf_counter() - began) / len(domains), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--pyspf-sample", type=int, default=20)
    args = parser.parse_args()
    if args.domains < 1 or args.pyspf_sample < 0:
        parser.error("--domains must be at least 1 and --pyspf-sample at least 0")
    config, domains = bench_world(args.domains, args.delay)
    ready: multiprocessing.Queue[tuple[str, int]] = multiprocessing.Queue()
    stop = multiprocessing.Event()
    with tempfile.TemporaryDirectory() as workdir:
        lab = multiprocessing.Process(target=serve, args=(config, workdir, ready, stop))
        lab.start()
        try:
            address = ready.get(timeout=60)
            run(args, domains, address)
        finally:
            stop.set()
            lab.join(timeout=10)


def run(args: argparse.Namespace, domains: list[str], address: tuple[str, int]) -> None:
    client = CountingClient((address,), timeout=10.0)
    began = time.perf_counter()
    outcomes = asyncio.run(evaluate_all(client, domains, args.concurrency))
    wall = time.perf_counter() - began
    lookups = sum(outcome.lookups for outcome in outcomes)
    results = Counter(str(outcome.result) for outcome in outcomes)
    print(
        f"{len(domains)} domains, every DNS answer delayed {args.delay * 1000:.0f} ms, "
        f"{args.concurrency} evaluations at once"
    )
    print(f"results: {dict(sorted(results.items()))}")
    print(f"wall time: {wall:.2f} s ({wall / len(domains) * 1000:.1f} ms per domain)")
    print(f"SPF lookups (counted toward the limit): {lookups}, {lookups / wall:.0f}/s")
    print(f"DNS queries sent: {CountingClient.queries}, {CountingClient.queries / wall:.0f}/s")
    sample = domains[: args.pyspf_sample]
    if not sample:
        print("pyspf: no comparison asked for (--pyspf-sample 0)")
        return
    theirs = time_pyspf(address, sample)
    if theirs is None:
        print("pyspf: not installed, no comparison")
    else:
        per_eval, their_results = theirs
        began = time.perf_counter()
        ours = asyncio.run(evaluate_all(client, sample, 1))
        mine = (time.perf_counter() - began) / len(sample)
        agree = sum(
            1
            for outcome, result in zip(ours, their_results, strict=True)
            if str(outcome.result) == result
        )
        print(
            f"one at a time on {len(sample)} domains: launchtui {mine * 1000:.0f} ms, "
            f"pyspf {per_eval * 1000:.0f} ms per evaluation; same result for {agree}"
        )


if __name__ == "__main__":
    main()
