"""What a monitoring pass costs: `launchtui monitor --once` against Debian's blackbox_exporter
probing the same targets, and the dashboard's watch pass in process.

Two lab sprints on loopback (the lab in a process of its own, as production is on other
machines, so that its TLS handshakes are not charged to the pass measured): the demo, and a
sprint of --hosts healthy hostnames (launchtui.lab.config.bench_config; its certificates scale
with the hostnames, its HTTP monitors do not). For each:

1. `launchtui monitor --once SPRINT --format json` as a fresh process per run (what cron pays:
   interpreter start-up and imports included): wall time from spawn to exit and the child's CPU
   time (user + system), after one warm-up run that is not counted (it writes the bytecode
   caches, as an installed app has them).
2. blackbox_exporter (Debian's prometheus-blackbox-exporter) started once on the modules that
   `launchtui monitor export --to prometheus` writes for the sprint, then asked through its
   /probe endpoint for the same work: one HTTP probe per monitor (all at once, as the engine
   runs monitoring.synthetic's targets) and, at the same time, one TLS probe per hostname, at
   most 4 at once (monitoring.cert-expiry's CERT_HANDSHAKES). The export's DNS probes are left
   out: launchtui's pass has no DNS monitor. The exporter is a long-running process: only its
   probes are timed, not its start-up; its CPU time is read from /proc (clock ticks, 10 ms)
   around each set of probes, the client's (this script's urllib threads) is not counted.
3. The watch pass the monitoring screen runs every [monitoring].watch_interval (15 s in the
   demo): `headless.execute(document, stages=["monitoring"], only=WATCH_CHECKS)` in this
   process, after a warm-up: wall and CPU time per pass.

Each figure is printed as median, min and max over --runs runs. Goal (reported, not asserted):
launchtui's one-shot pass within 2x of blackbox_exporter's probe time for the same targets.

    ./dev bench monitoring [--runs 5] [--hosts 50] [--delay 0]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import yaml
from lab_process import lab_process

from launchtui.checks.monitoring.cert_expiry import CERT_HANDSHAKES
from launchtui.cli import headless
from launchtui.lab.config import LabConfig, bench_config, demo_config
from launchtui.model.monitoring import WATCH_CHECKS
from launchtui.model.results import Severity
from launchtui.monitoring.prometheus_options import HTTP_JOB, TLS_JOB
from launchtui.sprint import store

LAUNCHTUI = (sys.executable, "-m", "launchtui")
BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
GOAL = 2.0  # launchtui's one-shot pass within this many times blackbox_exporter's probes
TICK_S = 1 / os.sysconf("SC_CLK_TCK")

Figures = dict[str, list[float]]  # "wall", "cpu": seconds, one a run


def timed_runs(runs: int, one: Callable[[], tuple[float, float]]) -> Figures:
    one()  # warm-up: bytecode caches, connections' first costs
    figures: Figures = {"wall": [], "cpu": []}
    for _ in range(runs):
        wall, cpu = one()
        figures["wall"].append(wall)
        figures["cpu"].append(cpu)
    return figures


# 1. launchtui monitor --once, a process per run


def once(sprint: Path, statuses: dict[str, int]) -> tuple[float, float]:
    # Bytecode caching on, as for an installed app, even where PYTHONDONTWRITEBYTECODE is set:
    # the warm-up run writes the caches, the measured runs read them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(
        [*LAUNCHTUI, "monitor", "--once", str(sprint), "--format", "json"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: a monitor is down, still a whole pass
        raise SystemExit(f"monitor --once exited {done.returncode}: {done.stderr.strip()}")
    statuses.clear()
    for check in json.loads(done.stdout)["checks"]:
        statuses[check["status"]] = statuses.get(check["status"], 0) + 1
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


# 2. blackbox_exporter, long-running, asked through /probe


def probes(sprint: Path, folder: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(module, target) of the exported HTTP and TLS jobs, from the export's prometheus.yml."""
    subprocess.run(
        [*LAUNCHTUI, "monitor", "export", str(sprint), "--to", "prometheus", str(folder)],
        check=True,
        capture_output=True,
    )
    config = yaml.safe_load((folder / "prometheus.yml").read_text())
    jobs: dict[str, list[tuple[str, str]]] = {HTTP_JOB: [], TLS_JOB: []}
    for job in config["scrape_configs"]:
        for entry in job["static_configs"] if job["job_name"] in jobs else []:
            for target in entry["targets"]:
                jobs[job["job_name"]].append((entry["labels"]["__param_module"], target))
    return jobs[HTTP_JOB], jobs[TLS_JOB]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def blackbox(folder: Path) -> Iterator[tuple[int, str]]:
    """The exporter on the export's blackbox.yml; yields its pid and base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            BLACKBOX,
            f"--config.file={folder / 'blackbox.yml'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("blackbox_exporter did not start") from None
                time.sleep(0.05)
        yield process.pid, base
    finally:
        process.terminate()
        process.wait(10)


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S  # utime, stime


def probe(base: str, module: str, target: str) -> bool:
    query = urllib.parse.urlencode({"module": module, "target": target})
    with urllib.request.urlopen(f"{base}/probe?{query}", timeout=30) as response:
        return re.search(rb"^probe_success 1$", response.read(), re.M) is not None


def probe_set(
    pid: int, base: str, http: list[tuple[str, str]], tls: list[tuple[str, str]], ok: list[int]
) -> tuple[float, float]:
    """Every HTTP probe at once and, beside them, the TLS probes CERT_HANDSHAKES at a time."""
    cpu = cpu_of(pid)
    began = time.perf_counter()
    with (
        ThreadPoolExecutor(max(1, len(http))) as all_at_once,
        ThreadPoolExecutor(CERT_HANDSHAKES) as four,
    ):
        futures = [all_at_once.submit(probe, base, m, t) for m, t in http]
        futures += [four.submit(probe, base, m, t) for m, t in tls]
        succeeded = sum(future.result() for future in futures)
    wall = time.perf_counter() - began
    ok[:] = [succeeded, len(futures)]
    return wall, cpu_of(pid) - cpu


# 3. the watch pass, in process


def watch_pass(document: store.SprintDocument) -> tuple[float, float]:
    cpu = time.process_time()
    began = time.perf_counter()
    headless.execute(document, stages=["monitoring"], fail_on=Severity.LOW, only=WATCH_CHECKS)
    return time.perf_counter() - began, time.process_time() - cpu


def spread(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):7.0f} {min(ms):6.0f} {max(ms):6.0f}"


def measure(name: str, config: LabConfig, runs: int) -> tuple[str, float, float]:
    with tempfile.TemporaryDirectory() as workdir, lab_process(config, Path(workdir)) as sprint:
        document = store.load(sprint)
        monitors = document.sprint.monitors
        http, tls = probes(sprint, Path(workdir) / "prometheus")
        print(
            f"\n{name}: {len(monitors.http)} HTTP monitors, {len(monitors.certificates)} "
            f"certificates; exported probes: {len(http)} HTTP, {len(tls)} TLS"
        )
        statuses: dict[str, int] = {}
        launchtui = timed_runs(runs, lambda: once(sprint, statuses))
        ok: list[int] = []
        with blackbox(Path(workdir) / "prometheus") as (pid, base):
            exporter = timed_runs(runs, lambda: probe_set(pid, base, http, tls, ok))
        watch = timed_runs(runs, lambda: watch_pass(document))
    print(f"{'ms over ' + str(runs) + ' runs':<44} {'median':>7} {'min':>6} {'max':>6}")
    rows = [
        ("launchtui monitor --once, process wall", launchtui["wall"]),
        ("launchtui monitor --once, process CPU", launchtui["cpu"]),
        ("blackbox_exporter probes, wall", exporter["wall"]),
        ("blackbox_exporter probes, exporter CPU", exporter["cpu"]),
        ("watch pass in process, wall", watch["wall"]),
        ("watch pass in process, CPU", watch["cpu"]),
    ]
    for label, values in rows:
        print(f"  {label:<42} {spread(values)}")
    print(f"  launchtui's statuses: {statuses}; blackbox probe_success: {ok[0]} of {ok[1]}")
    wall = statistics.median(launchtui["wall"]) / statistics.median(exporter["wall"])
    inproc = statistics.median(watch["wall"]) / statistics.median(exporter["wall"])
    return name, wall, inproc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each, after a warm-up")
    parser.add_argument("--hosts", type=int, default=50, help="hostnames of the second sprint")
    parser.add_argument("--delay", type=float, default=0.0, help="the bench lab's delay, s")
    args = parser.parse_args()
    if not Path(BLACKBOX).exists():
        raise SystemExit(f"{BLACKBOX} not found (apt-get install prometheus-blackbox-exporter)")
    print(
        "the lab in its own process on loopback; blackbox_exporter's start-up not timed; "
        f"its HTTP probes all at once, TLS probes {CERT_HANDSHAKES} at a time"
    )
    sprints = [
        ("demo sprint", demo_config(base_port=0)),
        (f"{args.hosts} hostnames", bench_config(args.hosts, args.delay)),
    ]
    ratios = [measure(name, config, args.runs) for name, config in sprints]
    print(f"\nmedian wall against blackbox_exporter's probes (goal: under {GOAL:g}x)")
    for name, wall, inproc in ratios:
        verdict = "met" if wall < GOAL else "NOT met"
        print(
            f"  {name:<16} monitor --once {wall:5.2f}x ({verdict}); "
            f"watch pass in process {inproc:5.2f}x"
        )


if __name__ == "__main__":
    main()
