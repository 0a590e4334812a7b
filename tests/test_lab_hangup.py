"""The lab's Dovecot dies with launchtui, however launchtui ends: a closed terminal (SIGHUP)
kills the process outright, without its clean-up, and Dovecot used to be left running."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import missing

from launchtui.cli import cmd_demo
from launchtui.lab.mail.dovecot import find_dovecot

SCRIPT = """
import sys, time
from pathlib import Path
from launchtui.lab import LabThread, demo_config
with LabThread(demo_config(base_port=0), Path(sys.argv[1])) as lab:
    dovecot = lab.mail._dovecot if lab.mail else None
    print(dovecot._process.pid if dovecot and dovecot._process else "none", flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for a reaper (a container's init may not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_sighup_stops_the_labs_dovecot(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        missing("the parent-death signal is Linux's: run this test on Linux")
    if find_dovecot() is None:
        missing("dovecot is not installed (apt-get install dovecot-imapd)")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.isdigit(), f"the lab served no IMAP: {line!r}"
        dovecot = int(line)
        assert _alive(dovecot)
        process.send_signal(signal.SIGHUP)
        assert process.wait(10) == -signal.SIGHUP  # killed outright: no clean-up ran
        deadline = time.monotonic() + 10
        while _alive(dovecot) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(dovecot), "Dovecot outlived the lab"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_quitting_the_interactive_demo_says_the_lab_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from launchtui.tui import app

    opened: list[Path] = []
    monkeypatch.setattr(app, "run", lambda path: opened.append(path) or 0)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    sprint = tmp_path / "sprints" / "demo.toml"
    args = argparse.Namespace(base_port=0, sprint=sprint, headless=False, format="text", save=False)
    environ = dict(os.environ)
    try:
        assert cmd_demo.run(args) == 0
    finally:  # the demo puts the lab's mail passwords in the environment: not for later tests
        os.environ.clear()
        os.environ.update(environ)
    assert opened == [sprint.resolve()]
    err = capsys.readouterr().err
    assert "The lab has stopped" in err
    assert "`launchtui demo`" in err and "`./dev demo`" in err
    assert f"`launchtui lab --sprint {sprint}`" in err
