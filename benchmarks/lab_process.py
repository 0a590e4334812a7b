"""The embedded lab in a process of its own, for the benchmarks that probe it: as a real
server is on another machine, its CPU time (TLS handshakes, delays) is not charged to the run
being measured."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from launchtui.lab import LabConfig, LabThread


def _serve(config: LabConfig, workdir: Path, ready: Any, stop: Any) -> None:
    # a warning per TLS close from asyncio's ssl transport, not the lab's: kept off the tables
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    with LabThread(config, workdir) as lab:
        lab.write_sprint(workdir / "bench.toml")
        ready.set()
        stop.wait()


@contextmanager
def lab_process(config: LabConfig, workdir: Path) -> Iterator[Path]:
    """The lab serving `config` in a child process; yields the sprint file it wrote."""
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(config, workdir, ready, stop))
    server.start()
    try:
        if not ready.wait(60):
            raise SystemExit("the lab did not start within 60 s")
        yield workdir / "bench.toml"
    finally:
        stop.set()
        server.join(10)
