"""The tasks a lab server owns (connections, delayed answers), so that stop() ends them all.

asyncio.Server.close() in Python 3.11 leaves accepted connections running, and a delayed
answer or a stalled handshake could otherwise outlive the lab.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class ServerTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._adopt(asyncio.get_running_loop().create_task(coro))

    def connection_handler(self, serve: StreamHandler) -> StreamHandler:
        """`serve` made fit for asyncio.start_server: owned here, its writer always closed,
        and ended quietly by cancel_all() (asyncio 3.11 logs a cancelled handler as an error)."""

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._adopt(task)
            try:
                await serve(reader, writer)
            except (asyncio.CancelledError, OSError, TimeoutError):
                # The lab is stopping, or the client went away, idled out or refused our TLS
                # certificate (ssl.SSLError is an OSError): the client's result to report.
                pass
            finally:
                writer.close()

        return handle

    def _adopt(self, task: asyncio.Task[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
