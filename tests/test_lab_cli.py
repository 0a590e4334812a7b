"""`launchtui lab` as a user runs it: a real process, stopped by a signal."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dns.rcode
from lab_fixtures import ZONE, dns_query

from launchtui.sprint import store

READY = "Serving until Ctrl-C."


def launchtui(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "launchtui", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )


class Lines:
    """A process's output lines as they come (a pipe's readline alone cannot time out)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        stdout = process.stdout
        self._queue: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in stdout:
                self._queue.put(line.rstrip("\n"))

        threading.Thread(target=pump, daemon=True).start()

    def until(self, marker: str, timeout: float = 10.0) -> list[str]:
        """The lines up to and including the first one starting with `marker`."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while not seen or not seen[-1].startswith(marker):
            try:
                seen.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"no {marker!r} in the output: {seen}") from None
        return seen


def test_lab_serves_writes_the_sprint_and_stops_on_sigterm(tmp_path: Path) -> None:
    process = launchtui("lab", "--base-port", "0", "--sprint", "sprints/demo.toml", cwd=tmp_path)
    output = Lines(process)
    try:
        text = "\n".join(output.until(READY))
        sprint = store.load(tmp_path / "sprints" / "demo.toml").sprint
        assert (tmp_path / "sprints" / "lab-ca.pem").exists()
        [nameserver] = sprint.network.nameservers
        assert dns_query(nameserver, f"app.{ZONE}").rcode() == dns.rcode.NOERROR
        assert "Seeded problems:" in text
        assert "Sprint file: wrote sprints/demo.toml" in text
        assert "launchtui check sprints/demo.toml" in text
    finally:
        process.send_signal(signal.SIGTERM)
    assert output.until("Lab stopped.") == ["Lab stopped."]
    assert process.wait(timeout=10) == 0
    assert process.stderr is not None
    assert process.stderr.read() == ""


def test_lab_with_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        https_port = blocker.getsockname()[1]
        base = str(https_port - 10)  # --base-port N serves HTTPS on N+10
        process = launchtui("lab", "--base-port", base, "--no-write", cwd=tmp_path)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 2
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("launchtui: port ")
    assert "is already in use (another lab running?); choose other ports with --base-port" in line
    assert not (tmp_path / "sprints" / "demo.toml").exists()


def test_lab_help_documents_the_port_layout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "launchtui", "lab", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert "N+10" in result.stdout
    assert "N+11" in result.stdout
    assert "SMTP relay on N+20, IMAP on N+21" in " ".join(result.stdout.split())
