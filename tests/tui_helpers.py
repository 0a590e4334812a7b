"""What the app's Pilot tests share: running async tests, waiting, reading notifications."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from launchtui.tui import app as app_module
from launchtui.tui.app import LaunchApp


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test on its own event loop (the suite has no asyncio plugin)."""

    @functools.wraps(test)
    def run_it(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run_it


async def wait_until(condition: Callable[[], bool], pilot: Any) -> None:
    """Let the app run until `condition` holds (the test's timeout is the only limit)."""
    while not condition():
        await pilot.pause(0.05)


class NoticedApp(LaunchApp):
    """The app, recording what it tells the user in notifications."""

    CSS_PATH = Path(app_module.__file__).with_name("app.tcss")  # relative paths follow the class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notices: list[tuple[str, str]] = []

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.notices.append((str(message), kwargs.get("severity", "information")))
        super().notify(message, *args, **kwargs)


def notifications(app: NoticedApp, severity: str | None = None) -> list[str]:
    return [message for message, level in app.notices if severity in (None, level)]
