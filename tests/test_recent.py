"""The recently opened sprints: newest first, ten at most, never a crash on a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchtui.sprint import recent


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "launchtui" / "recent.json"


def sprint(folder: Path, name: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text("")
    return path


def test_state_file_follows_xdg(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert recent.state_file() == state
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")  # invalid per the spec: ignored
    monkeypatch.setenv("HOME", "/home/someone")
    assert recent.state_file() == Path("/home/someone/.local/state/launchtui/recent.json")


def test_newest_first_and_deduplicated(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = sprint(tmp_path, "a"), sprint(tmp_path, "b")
    assert recent.read_recent() == []
    recent.record_recent(a)
    recent.record_recent(b)
    monkeypatch.chdir(tmp_path)
    recent.record_recent("a.toml")  # the same file by a relative path
    assert recent.read_recent() == [a, b]
    assert json.loads(state.read_text()) == {"recent": [str(a), str(b)]}


def test_keeps_the_last_ten(state: Path, tmp_path: Path) -> None:
    paths = [sprint(tmp_path, f"s{n}") for n in range(12)]
    for path in paths:
        recent.record_recent(path)
    assert recent.read_recent() == paths[::-1][:10]


def test_missing_files_are_dropped_on_read(state: Path, tmp_path: Path) -> None:
    a, b = sprint(tmp_path, "a"), sprint(tmp_path, "b")
    recent.record_recent(a)
    recent.record_recent(b)
    b.unlink()
    assert recent.read_recent() == [a]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"recent": "nope"}',
        b'{"recent": [1, null, "relative.toml", "/with\\u0000nul"]}',
        b'{"recent": ["' + b"x" * 70000 + b'"]}',
    ],
)
def test_a_corrupt_file_reads_as_empty(state: Path, tmp_path: Path, content: bytes) -> None:
    state.parent.mkdir(parents=True)
    state.write_bytes(content)
    assert recent.read_recent() == []
    a = sprint(tmp_path, "a")
    recent.record_recent(a)  # and is replaced by the next record
    assert recent.read_recent() == [a]


def test_an_unreadable_file_reads_as_empty(state: Path) -> None:
    state.mkdir(parents=True)  # a folder where the file should be
    assert recent.read_recent() == []
    with pytest.raises(OSError):
        recent.record_recent("/tmp/x.toml")
