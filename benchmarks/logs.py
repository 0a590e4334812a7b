"""Log reading: launchtui against GoAccess on the same generated combined log, in one run.

Generates a seeded nginx combined log (default 1,000,000 lines, about 200 MB: realistic paths,
statuses, agents and addresses, a timezone offset, some failed logins, checkout errors and
webhook 5xx) into a temporary directory, then, each in a process of its own with its peak RSS
(resource.getrusage of the children):
- launchtui, read: `read_events` consumed fully, counting events per class;
- launchtui, notes: the whole daily-note engine on the same file (`read_events` into
  `analyse`: hourly counts, baselines, findings, templates, the Markdown notes), which is the
  work comparable with GoAccess's report;
- GoAccess (Debian's `goaccess`): `goaccess FILE --log-format=COMBINED -o report.json`.
Both run again on the first half of the file, to show launchtui's memory does not grow with
the file. Prints lines per second, peak RSS and the time ratio.

Goals: launchtui within 2x of GoAccess's time; its memory flat between the half and full file.

    .venv/bin/python benchmarks/logs.py [--lines 1000000] [--seed 15] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PATHS = [
    ("/", 30),
    ("/posts", 20),
    ("/posts/{n}", 25),
    ("/members/{n}", 8),
    ("/static/app.{h}.js", 15),
    ("/static/app.{h}.css", 10),
    ("/login", 6),
    ("/join", 2),
    ("/invite/{h}", 1),
    ("/checkout", 2),
    ("/billing/portal", 1),
    ("/webhooks/stripe", 2),
    ("/health", 5),
    ("/api/v1/feed?page={n}", 10),
    ("/wp-login.php", 1),
]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari",
    "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
REFERERS = [
    "-",
    "https://acme.community/",
    "https://acme.community/posts",
    "https://www.google.com/",
]


def status_for(path: str, rng: random.Random) -> int:
    roll = rng.random()
    if path.startswith("/login") and roll < 0.15:
        return rng.choice((401, 401, 403, 429))
    if path.startswith("/checkout") and roll < 0.05:
        return rng.choice((402, 422, 500))
    if path.startswith("/webhooks") and roll < 0.03:
        return 500
    if path == "/wp-login.php":
        return 404
    if roll < 0.003:
        return rng.choice((500, 502, 503, 504))
    if roll < 0.03:
        return 404
    if roll < 0.08:
        return 304
    return 302 if path in ("/login", "/join") and roll < 0.2 else 200


def generate(path: Path, lines: int, seed: int) -> None:
    rng = random.Random(seed)
    weights = [w for _, w in PATHS]
    shapes = [p for p, _ in PATHS]
    clients = [
        f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        for _ in range(5000)
    ]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    step = timedelta(days=7) / lines
    zone = timedelta(hours=1)
    with path.open("w", encoding="ascii") as out:
        for i in range(lines):
            shape = rng.choices(shapes, weights)[0]
            url = shape.format(n=rng.randint(1, 99999), h=f"{rng.getrandbits(32):08x}")
            method = (
                "POST" if shape in ("/login", "/join", "/checkout", "/webhooks/stripe") else "GET"
            )
            local = start + step * i + zone
            stamp = local.strftime("%d/%b/%Y:%H:%M:%S +0100")
            status = status_for(url, rng)
            out.write(
                f'{rng.choice(clients)} - - [{stamp}] "{method} {url} HTTP/1.1" {status} '
                f'{rng.randint(200, 60000)} "{rng.choice(REFERERS)}" "{rng.choice(AGENTS)}"\n'
            )


LAUNCHTUI = """
import sys, time
from collections import Counter
from launchtui.logs.read import read_events
counts = Counter()
n = 0
t = time.perf_counter()
for event in read_events([sys.argv[1]]):
    n += 1
    for name in event.classes:
        counts[name] += 1
print(n, time.perf_counter() - t, dict(sorted(counts.items())))
"""
NOTES = """
import sys
from launchtui.logs.analyse import analyse
from launchtui.logs.read import read_events
digest = analyse(read_events([sys.argv[1]]))
print(len(digest.days), "days,", sum(day.unusual for day in digest.days), "findings")
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of this child, stdout). Each child runs under its own
    python so RUSAGE_CHILDREN's maximum is the child's own (a wrapper process measures it)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "if p.returncode: sys.stderr.write(p.stderr); sys.exit(p.returncode)\n"
        "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
        "print(p.stdout, end='')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True
    )
    first, _, rest = out.stdout.partition("\n")
    wall, rss = (float(x) for x in first.split())
    return wall, rss, rest.strip()


def row(tool: str, label: str, lines: int, wall: float, rss: float) -> str:
    return f"{tool:<10} {label:<6} {lines:>10,} {wall:>8.2f} {lines / wall:>10,.0f} {rss:>9.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="launchtui-logs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    goaccess = shutil.which("goaccess")
    try:
        full = work / "access.log"
        half = work / "access-half.log"
        t = time.perf_counter()
        generate(full, args.lines, args.seed)
        with full.open("rb") as src, half.open("wb") as dst:
            for i, line in enumerate(src):
                if i >= args.lines // 2:
                    break
                dst.write(line)
        size = full.stat().st_size
        print(
            f"generated {args.lines:,} lines, {size / 1e6:.0f} MB "
            f"in {time.perf_counter() - t:.1f} s"
        )
        print(
            f"{'tool':<10} {'file':<6} {'lines':>10} {'wall s':>8} {'lines/s':>10} {'peak MiB':>9}"
        )
        results: dict[tuple[str, str], tuple[float, float]] = {}
        for label, log, lines in (("half", half, args.lines // 2), ("full", full, args.lines)):
            wall, rss, out = run([sys.executable, "-c", LAUNCHTUI, str(log)])
            results[("launchtui", label)] = (wall, rss)
            print(row("launchtui", label, lines, wall, rss))
            if label == "full":
                print(f"  launchtui events and classes: {out}")
            wall, rss, out = run([sys.executable, "-c", NOTES, str(log)])
            results[("notes", label)] = (wall, rss)
            print(row("notes", label, lines, wall, rss) + f"  ({out})")
            if goaccess:
                report = work / f"report-{label}.json"
                wall, rss, _ = run(
                    [
                        goaccess,
                        str(log),
                        "--log-format=COMBINED",
                        "--no-progress",
                        "-o",
                        str(report),
                    ]
                )
                results[("goaccess", label)] = (wall, rss)
                print(row("goaccess", label, lines, wall, rss))
        if goaccess:
            for tool in ("launchtui", "notes"):
                ratio = results[(tool, "full")][0] / results[("goaccess", "full")][0]
                print(f"time ratio {tool}/goaccess (full): {ratio:.2f}x (goal: <= 2x)")
        else:
            print("goaccess not found: no comparison (sudo apt-get install goaccess)")
        for tool in ("launchtui", "notes"):
            growth = results[(tool, "full")][1] - results[(tool, "half")][1]
            print(f"{tool} peak RSS full - half: {growth:+.1f} MiB (goal: flat)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
