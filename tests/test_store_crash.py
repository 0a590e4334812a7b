"""A save killed at any moment leaves a sprint file that loads and equals a version written."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from launchtui.sprint import store

KILLS = 30
VERSIONS = 4
REPO = Path(__file__).resolve().parent.parent

SAVE_LOOP = """
import sys
from launchtui.sprint import store

document = store.load(sys.argv[1])
print("ready", flush=True)
version = 0
while True:
    version = (version + 1) % int(sys.argv[2])
    document.doc["sprint"]["name"] = f"Version {version}"
    store.save(document)
"""

WRITE_LOOP = """
import sys
from pathlib import Path
from launchtui.sprint import store

path = Path(sys.argv[1])
versions = [Path(name).read_bytes() for name in sys.argv[2:]]
print("ready", flush=True)
while True:
    for data in versions:
        store.write_atomic(path, data)
"""


def big_sprint(results: int) -> str:
    lines = [
        "# A large sprint file: many stored results.",
        "[sprint]",
        'name = "Version 0"',
        "",
        "[site]",
        'apex = "acme.community"',
        "",
    ]
    for index in range(results):
        lines += [
            f'[results.edge."dns.resolves"."host{index}.acme.community"]',
            'status = "pass"',
            'severity = "high"',
            f'summary = "host{index}.acme.community resolves to 192.0.2.{index % 250}"',
            'checked_at = "2025-03-01T09:30:00Z"',
            "duration_ms = 12",
            'previous = {status = "fail", summary = "SERVFAIL", checked_at = "2025-02-28"}',
            "",
        ]
    return "\n".join(lines)


def kill_repeatedly(
    command: list[str], path: Path, versions: set[bytes], seed: int, aim: bool = False
) -> int:
    """Kill the writer at random moments, checking the file each time.

    Every version is a valid sprint file, so equal to a version means it loads. Returns how many
    kills left a temporary file behind, i.e. landed inside a write. With `aim`, every other kill
    waits, after its random delay, for a temporary file to appear: a write under way.
    """
    rng = random.Random(seed)
    interrupted_writes = 0
    for kill in range(KILLS):
        before = set(path.parent.glob("*.tmp"))
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO) as writer:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.15))
            if aim and kill % 2:
                wait_for_a_write(path, before)
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        assert path.read_bytes() in versions, f"seed {seed}, kill {kill}"
        interrupted_writes += len(set(path.parent.glob("*.tmp")) - before)
    return interrupted_writes


def wait_for_a_write(path: Path, before: set[Path], limit: float = 2.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if set(path.parent.glob("*.tmp")) - before:
            return


def assert_only_recognisable_leftovers(path: Path) -> None:
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]+\.tmp")
    for leftover in path.parent.iterdir():
        assert leftover == path or pattern.fullmatch(leftover.name), leftover.name


def test_save_survives_sigkill(tmp_path: Path) -> None:
    # Most of a save is rendering and validating; the next test aims at the write itself.
    path = tmp_path / "acme.toml"
    text = big_sprint(results=200)
    path.write_text(text)
    versions = {
        text.replace('name = "Version 0"', f'name = "Version {version}"').encode()
        for version in range(VERSIONS)
    }
    command = [sys.executable, "-c", SAVE_LOOP, str(path), str(VERSIONS)]
    seed = random.randrange(10**6)
    interrupted = kill_repeatedly(command, path, versions, seed=seed, aim=True)
    assert interrupted > 0, f"seed {seed}: no kill landed inside a write: the test proves nothing"
    assert_only_recognisable_leftovers(path)
    assert store.load(path).sprint.name.startswith("Version ")


def test_write_atomic_survives_sigkill_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "sprints" / "acme.toml"
    path.parent.mkdir()
    text = big_sprint(results=4000)  # a few megabytes: most kills land inside a write
    versions = [
        text.replace('name = "Version 0"', f'name = "Version {version}"').encode()
        for version in range(VERSIONS)
    ]
    sources = []
    for version, data in enumerate(versions):
        source = tmp_path / "versions" / f"{version}.toml"
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(data)
        sources.append(str(source))
    path.write_bytes(versions[0])
    command = [sys.executable, "-c", WRITE_LOOP, str(path), *sources]
    interrupted = kill_repeatedly(command, path, set(versions), seed=random.randrange(10**6))
    assert interrupted > 0, "no kill landed inside a write: the test proves nothing"
    assert_only_recognisable_leftovers(path)
