"""The sprint file and its run history at real size.

Three measurements:

1. The demo, run as an engineer would over a week: `launchtui demo --headless --save` N times
   (default 10) in one folder; after each run, the sprint file's size and the run history's.
   Goal: the sprint file under 40 KB after 10 runs, and not growing with runs.
2. A sprint at 300 and at 3,000 results (synthetic hostnames, every planned row with a result,
   recorded as runs): the app opened on it (App.run_test, 100x30), then the time from a key to
   the sprint file saved: `x` on a task (tick it) and a stage switch (`3`, which also saves the
   stage you are on), median of several presses. Goal: under 100 ms and 150 ms.
   Next to it, the same sprint in the old form (every result in full in the file, as before the
   run history): what parsing it once costs, which every key paid before.
3. The sprint session alone (no Textual) at the same sizes: one task write, one stage write.

    .venv/bin/python benchmarks/store.py [--demo-runs N] [--presses N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES = (300, 3000)
CHECKS_PER_HOST = 14  # about how many planned rows one hostname adds across the stages


def demo_runs(runs: int) -> None:
    print(f"1. `launchtui demo --headless --save`, {runs} runs in one folder")
    with tempfile.TemporaryDirectory() as folder:
        sprint = Path(folder) / "sprints" / "demo.toml"
        history = sprint.with_name("demo.runs.sqlite")
        sizes = []
        for run in range(1, runs + 1):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "launchtui", "demo", "--headless", "--save"],
                cwd=folder,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise SystemExit(f"demo run {run} failed:\n{done.stderr}")
            seconds = time.perf_counter() - started
            sizes.append(sprint.stat().st_size)
            print(
                f"  run {run:2}: sprint file {sizes[-1] / 1024:6.1f} KB   run history "
                f"{history.stat().st_size / 1024:7.1f} KB   ({seconds:.1f} s)"
            )
        verdict = "meets" if sizes[-1] < 40 * 1024 else "misses"
        growth = sizes[-1] - sizes[1] if len(sizes) > 1 else 0
        print(
            f"  after {runs} runs: {sizes[-1] / 1024:.1f} KB ({verdict} the goal < 40 KB); "
            f"{growth:+d} bytes since run 2"
        )


def synthetic_sprint(folder: Path, results: int) -> Path:
    """A sprint whose planned rows number about `results`, each with a recorded result."""
    from launchtui.model.results import Result, Severity, Status
    from launchtui.model.stages import STAGE_NAMES
    from launchtui.plan import planned_rows
    from launchtui.sprint import recorded, store

    hosts = max(1, results // CHECKS_PER_HOST)
    names = ", ".join(f'"h{n}.acme.community"' for n in range(hosts))
    path = folder / f"sprint-{results}.toml"
    path.write_text(
        '[sprint]\nname = "Benchmark"\n\n[site]\napex = "acme.community"\n'
        f'hostnames = [{names}]\ncanonical = "https://app.acme.community"\n\n'
        '[email]\ndomain = "acme.community"\n'
    )
    sprint = store.load(path).sprint
    rows = [row for stage in STAGE_NAMES for row in planned_rows(stage, sprint)]
    statuses = [Status.PASS] * 6 + [Status.WARN, Status.FAIL, Status.ERROR]
    for run in range(3):
        at = f"2026-12-0{run + 1}T09:00:00Z"
        batch = [
            Result(
                id=row.check.id,
                stage=row.check.stage,
                target=row.target.text,
                status=statuses[(index + run) % len(statuses)],
                severity=Severity(row.check.severity),
                summary=f"summary of {row.check.id} on {row.target.text}",
                evidence={"detail": "x" * 200, "index": index},
                fix="Do the thing.\nThen check again.",
                duration_ms=12,
                checked_at=at,
            )
            for index, row in enumerate(rows)
        ]
        recorded.record_run(path, batch, at)
    return path


def old_form_parse_ms(path: Path) -> tuple[float, int]:
    """Parsing the same results in the old form (full tables), as every key press did before."""
    import tomlkit

    from launchtui.sprint import recorded, store

    latest, _ = recorded.latest_results(store.load(path))
    doc = tomlkit.parse(path.read_text())
    doc.pop("results", None)
    section = tomlkit.table(is_super_table=True)
    for (check_id, target), result in latest.items():
        stage = section.setdefault(result.stage, tomlkit.table(is_super_table=True))
        checks = stage.setdefault(check_id, tomlkit.table(is_super_table=True))
        table = tomlkit.table()
        for key in ("status", "severity", "summary", "checked_at", "fix"):
            table[key] = str(getattr(result, key))
        table["duration_ms"] = result.duration_ms
        table["evidence"] = result.evidence
        checks[target] = table
    doc["results"] = section
    text = tomlkit.dumps(doc)
    started = time.perf_counter()
    tomlkit.parse(text)
    return (time.perf_counter() - started) * 1000, len(text.encode())


def median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times):6.1f} ms   max {max(times):6.1f} ms"


async def app_keys(path: Path, presses: int) -> tuple[list[float], list[float], int]:
    """Key to saved in the app: `x` on the first task of stage 3, then switching stages."""
    from launchtui.tui.app import LaunchApp

    app = LaunchApp(path)
    ticks: list[float] = []
    switches: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("tab")  # to the task list (stage 3 has manual tasks only)
        await pilot.pause()
        rows = len(app.sprint.plan("edge"))
        for _ in range(presses):
            ticks.append(await _until_saved(path, lambda: pilot.press("x"), pilot))
        for index in range(presses):
            key = "2" if index % 2 == 0 else "3"
            switches.append(await _until_saved(path, lambda k=key: pilot.press(k), pilot))
    return ticks, switches, rows


async def _until_saved(path: Path, press: Callable[[], Any], pilot: Any) -> float:
    before = path.stat().st_mtime_ns, path.stat().st_size
    started = time.perf_counter()
    await press()
    while (path.stat().st_mtime_ns, path.stat().st_size) == before:
        await asyncio.sleep(0.001)
    elapsed = (time.perf_counter() - started) * 1000
    await pilot.pause()
    await asyncio.sleep(0.05)  # let the screen settle, so that the next press starts clean
    return elapsed


def session_writes(path: Path, presses: int) -> tuple[list[float], list[float]]:
    from launchtui.model.tasks import tasks_for
    from launchtui.session import Level, SprintSession
    from launchtui.sprint.store import SprintDocument

    class Quiet:
        def results_changed(self, keys: set[tuple[str, str]]) -> None: ...
        def reloaded(self) -> None: ...
        def tasks_changed(self) -> None: ...
        def notice(self, text: str, level: Level = "information", timeout: float = 5) -> None: ...
        def ask_changed_on_disk(self, document: SprintDocument, what: str) -> None: ...

    session = SprintSession.open(path, Quiet())
    task = tasks_for("deploy")[0]
    ticks, stages = [], []
    for index in range(presses):
        started = time.perf_counter()
        session.save_task(task, done=index % 2 == 0)
        ticks.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        session.record_stage("edge" if index % 2 else "deploy")
        stages.append((time.perf_counter() - started) * 1000)
    return ticks, stages


def sizes(presses: int) -> None:
    print("2. Key to saved in the app (100x30), and 3. the session alone")
    with tempfile.TemporaryDirectory() as folder:
        for results in SIZES:
            path = synthetic_sprint(Path(folder), results)
            parse_ms, old_size = old_form_parse_ms(path)
            ticks, switches, rows = asyncio.run(app_keys(path, presses))
            print(
                f"  {results} results ({rows} rows on the edge stage): sprint file "
                f"{path.stat().st_size / 1024:.1f} KB (old form {old_size / 1024:.0f} KB, "
                f"parsed once in {parse_ms:.0f} ms)"
            )
            verdict = "meets" if statistics.median(ticks) < 100 else "misses"
            print(f"    app  x (task done)    {median_ms(ticks)}   {verdict} the goal < 100 ms")
            verdict = "meets" if statistics.median(switches) < 150 else "misses"
            print(f"    app  stage switch     {median_ms(switches)}   {verdict} the goal < 150 ms")
            ticks, stages = session_writes(path, presses)
            print(f"    session task write    {median_ms(ticks)}")
            print(f"    session stage write   {median_ms(stages)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-runs", type=int, default=10)
    parser.add_argument("--presses", type=int, default=9)
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    sizes(args.presses)
    if args.demo_runs:
        demo_runs(args.demo_runs)


if __name__ == "__main__":
    main()
