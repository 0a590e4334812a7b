"""Startup time: from launch to the first stage screen painted, against a bare Textual app.

Both run headless (App.run_test) at 100x30 in the same process, after one warm-up each, on a
copy of the TUI test fixture. The clock stops once the first screen is mounted and one frame
has been processed. Goal: LaunchApp under 1.5x the bare app.

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from launchtui.tui.app import LaunchApp
from launchtui.tui.screens.stage import StageScreen

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tui_sprint.toml"
SIZE = (100, 30)


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("launchtui")


async def time_to_first_screen(make: Callable[[], App[object]], ready: type) -> float:
    started = time.perf_counter()
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        while not (isinstance(app.screen, ready) and app.screen.is_mounted):
            await asyncio.sleep(0.001)
        await pilot.pause()  # one frame processed: the screen has been painted
        elapsed = time.perf_counter() - started
    return elapsed


def median_ms(make: Callable[[], App[object]], ready: type, runs: int) -> float:
    asyncio.run(time_to_first_screen(make, ready))  # warm-up: imports, CSS parsing caches
    times = [asyncio.run(time_to_first_screen(make, ready)) for _ in range(runs)]
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sprint = Path(folder) / "sprint.toml"
        shutil.copy(FIXTURE, sprint)
        bare = median_ms(BareApp, Screen, args.runs)
        launch = median_ms(lambda: LaunchApp(sprint), StageScreen, args.runs)
    print(f"bare Textual app (one Static): {bare:7.1f} ms")
    print(f"launchtui, first stage screen: {launch:7.1f} ms  ({launch / bare:.2f}x, goal < 1.5x)")


if __name__ == "__main__":
    main()
