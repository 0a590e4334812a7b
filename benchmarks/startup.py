"""Startup time: from launch to the first stage screen painted, against a bare Textual app.

The bare app is a Textual App with a Header, a Static and a Footer. Both run headless at 100x30
on a copy of the TUI test fixture, and are measured two ways:

- subprocess: what a user waits for after typing `launchtui sprint.toml`. Each run starts a
  fresh Python process that imports the app, runs it headless (launchtui through its own entry
  point, launchtui.tui.app.run; the bare app through App.run, and once more after gc.freeze(),
  which launchtui's entry point does, to show what that alone is worth) and exits once the
  first screen is mounted and one frame has been processed; the clock is the wall time
  from spawn to exit, and the child's CPU time is printed too. A warm-up run of each writes
  the bytecode caches first, as an installed app has them. Runs of the two apps alternate;
  median and min are printed, next to a bare `python -c pass` for the interpreter's own share.
- in process: App.run_test in this process after one warm-up each (imports and CSS parsing
  already cached), from creating the app to the first frame.

Goal: launchtui under 1.5x the bare app.

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tui_sprint.toml"
SIZE = (100, 30)
GOAL = 1.5

# Each factory imports what its app needs only when called, so that a child process measuring
# the bare app never imports launchtui.
Factory = Callable[[Path], tuple[Callable[[], Any], type]]
Options = dict[str, Any]  # App.run's keyword arguments


def bare_app(sprint: Path) -> tuple[Callable[[], Any], type]:
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Footer, Header, Static

    class BareApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("launchtui")
            yield Footer()

    return BareApp, Screen


def launch_app(sprint: Path) -> tuple[Callable[[], Any], type]:
    from launchtui.tui.app import LaunchApp
    from launchtui.tui.screens.stage import StageScreen

    return lambda: LaunchApp(sprint), StageScreen


APPS: dict[str, Factory] = {"bare": bare_app, "launchtui": launch_app}


async def first_paint(app: Any, pilot: Any, ready: type) -> None:
    """Wait until the app shows a mounted screen of type `ready`, and one frame after that."""
    while not (isinstance(app.screen, ready) and app.screen.is_mounted):
        await asyncio.sleep(0.001)
    await pilot.pause()


# Subprocess


def child(name: str, sprint: Path) -> None:
    """Start one app headless and exit after its first screen is painted. launchtui starts
    through its own entry point (launchtui.tui.app.run, what `launchtui SPRINT` calls); the
    bare app through App.run, and once more after gc.freeze(), which launchtui's entry point
    does, so that the report can show what that alone is worth."""
    ready = APPS["launchtui" if name == "launchtui" else "bare"](sprint)[1]

    async def stop_after_first_paint(pilot: Any) -> None:
        await first_paint(pilot.app, pilot, ready)
        pilot.app.exit()

    options: Options = {"headless": True, "size": SIZE, "auto_pilot": stop_after_first_paint}
    if name == "launchtui":
        from launchtui.tui.app import run

        run(sprint, **options)
        return
    make, _ = bare_app(sprint)
    app = make()
    if name == "bare, gc frozen":
        gc.freeze()
    app.run(**options)


def spawn_ms(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one child process."""
    # Bytecode caching on, as for an installed app, even where PYTHONDONTWRITEBYTECODE is set:
    # the warm-up run writes the caches, the measured runs read them.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall * 1000, cpu * 1000


def subprocess_times(sprint: Path, runs: int) -> tuple[dict[str, list[float]], ...]:
    names = [*APPS, "bare, gc frozen"]
    commands = {name: [sys.executable, __file__, "--child", name, str(sprint)] for name in names}
    commands["python -c pass"] = [sys.executable, "-c", "pass"]
    for command in commands.values():  # warm-up: bytecode caches, the OS's file cache
        spawn_ms(command)
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so that a busy moment hits every app alike
        for name, command in commands.items():
            wall_ms, cpu_ms = spawn_ms(command)
            wall[name].append(wall_ms)
            cpu[name].append(cpu_ms)
    return wall, cpu


# In process


async def in_process_ms(make: Callable[[], Any], ready: type) -> float:
    started = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await first_paint(app, pilot, ready)
        elapsed = time.perf_counter() - started
    return elapsed * 1000


def in_process_times(sprint: Path, runs: int) -> dict[str, list[float]]:
    apps = {name: factory(sprint) for name, factory in APPS.items()}
    for make, ready in apps.values():  # warm-up: imports, CSS parsing caches
        asyncio.run(in_process_ms(make, ready))
    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(runs):
        for name, (make, ready) in apps.items():
            times[name].append(asyncio.run(in_process_ms(make, ready)))
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    bare = statistics.median(times["bare"])
    for name, values in times.items():
        median = statistics.median(values)
        line = f"  {name:16} median {median:7.1f} ms   min {min(values):7.1f} ms"
        if name == "launchtui":
            ratio = median / bare
            margin = abs(median - GOAL * bare)  # ms between the median and the goal
            verdict = (
                f"meets the goal < {GOAL}x with {margin:.0f} ms to spare"
                if ratio < GOAL
                else f"misses the goal < {GOAL}x by {margin:.0f} ms"
            )
            line += f"   {ratio:.2f}x the bare app ({verdict})"
            if "bare, gc frozen" in times:
                frozen = statistics.median(times["bare, gc frozen"])
                line += f"; {median / frozen:.2f}x the bare app with gc frozen too"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--child", choices=[*sorted(APPS), "bare, gc frozen"], help=argparse.SUPPRESS
    )
    parser.add_argument("sprint", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sprint)
        return
    with tempfile.TemporaryDirectory() as folder:
        sprint = Path(folder) / "sprint.toml"
        shutil.copy(FIXTURE, sprint)
        spawned, spawned_cpu = subprocess_times(sprint, args.runs)
        in_process = in_process_times(sprint, args.runs)
    print(
        f"Headless at {SIZE[0]}x{SIZE[1]}, {args.runs} runs each; bare app: Header, Static, Footer."
    )
    report("Subprocess: spawn to exit after the first screen is painted", spawned)
    report(
        "Subprocess CPU time (user + system; steadier than wall time on a busy machine)",
        spawned_cpu,
    )
    report("In process: run_test after a warm-up, app created to first frame", in_process)


if __name__ == "__main__":
    main()
