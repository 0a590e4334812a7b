"""The seed inbox test at real size: `launchtui email-test` run again and again on the demo lab,
as an engineer would over a week, then `check --stage email` on the sprint file it leaves.

Starts the demo lab in this process (its relay, DNS and Dovecot seed inboxes on ephemeral ports),
writes its sprint, and runs every template to every seed inbox RUNS times. Prints, per run, the
wall time (sending, finding each message over IMAP, verifying and judging the sender rules) and
the sprint file's size and logged entries, which the log's cap (EMAIL_TESTS_KEPT) must hold flat;
then the time of the email stage's checks, email.sender-rules reading that log. No peer tool
does this end to end; the figures are launchtui's own.

    .venv/bin/python benchmarks/delivery_test.py [--runs 6]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

from launchtui.cli.main import main as launchtui
from launchtui.email.delivery_log import EMAIL_TESTS_KEPT
from launchtui.lab import LabThread, demo_config


def quiet(*arguments: str) -> float:
    """Run one launchtui command with its output swallowed; the seconds it took."""
    started = time.monotonic()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        launchtui(list(arguments))
    return time.monotonic() - started


def run(runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="launchtui-bench-delivery-"))
    with LabThread(demo_config(base_port=0), folder / "lab") as lab:
        for name, value in lab.credential_environment().items():
            os.environ[name] = value
        sprint = lab.write_sprint(folder / "demo.toml")
        print(f"email-test on the demo, {runs} runs (the log keeps {EMAIL_TESTS_KEPT} entries)")
        for n in range(1, runs + 1):
            seconds = quiet("email-test", str(sprint), "--timeout", "30")
            text = sprint.read_text()
            print(
                f"  run {n}: {seconds:.2f} s, sprint file {len(text.encode()) / 1024:.1f} KB, "
                f"{text.count('[[email_tests]]')} logged messages"
            )
        seconds = quiet("check", str(sprint), "--stage", "email", "--format", "json")
        print(f"check --stage email on that file: {seconds:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    run(parser.parse_args().runs)
