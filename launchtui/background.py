"""Blocking work (the OS keyring over D-Bus, SMTP and IMAP) awaited from an event loop.

The work runs in a daemon thread, not the loop's executor: the loop goes on meanwhile, and
work that never returns (a D-Bus call nobody answers) can neither freeze the UI nor keep the
process alive after the user quits, because executor threads are joined at exit and daemon
threads are not.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def daemon_future(work: Callable[[], T], name: str = "launchtui-background") -> asyncio.Future[T]:
    """Start `work` in a daemon thread; the future gets its result or exception."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: T | None, error: BaseException | None) -> None:
        if future.done():  # cancelled meanwhile
            return
        if error is None:
            future.set_result(outcome)  # type: ignore[arg-type]
        else:
            future.set_exception(error)

    def run() -> None:
        outcome: T | None = None
        error: BaseException | None = None
        try:
            outcome = work()
        except Exception as exc:  # handed to whoever awaits the future
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(settle, outcome, error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


async def in_daemon_thread(work: Callable[[], T], name: str = "launchtui-background") -> T:
    return await daemon_future(work, name)
