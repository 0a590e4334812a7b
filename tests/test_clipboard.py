"""The clipboard: a local tool when the session has one, else OSC 52 said honestly.

The tools are fake executables on PATH that write their stdin to a file, so the tests see
exactly what a real wl-copy, xclip or pbcopy would have been given.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from launchtui.clipboard import OSC52_MESSAGE, clipboard_tools, copy_with_tool

FIX = 'example.test. TXT "v=spf1 include:_spf.example.net ~all"\nsecond line\n'


def _tool(folder: Path, name: str, *, exit_code: int = 0) -> Path:
    """A fake clipboard tool: its arguments and stdin go to folder/NAME.args and NAME.out."""
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{folder}/{name}.args"\n'
        f'cat > "{folder}/{name}.out"\n'
        + (f"echo 'cannot open display' >&2\nexit {exit_code}\n" if exit_code else "")
    )
    script.chmod(0o755)
    return folder / f"{name}.out"


def _env(folder: Path, **session: str) -> dict[str, str]:
    # Only the fake tools and the shell's own commands: a real xclip must never be found.
    return {"PATH": f"{folder}:/bin:/usr/bin", **session}


def test_xclip_under_x11_gets_the_text(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    out = _tool(bin_dir, "xclip")
    copied = copy_with_tool(FIX, _env(bin_dir, DISPLAY=":0"))
    assert copied.tool == "xclip"
    assert copied.message == "copied with xclip"
    assert out.read_text() == FIX
    assert (bin_dir / "xclip.args").read_text().split() == ["-selection", "clipboard", "-in"]


def test_wl_copy_comes_first_under_wayland(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    wayland = _tool(bin_dir, "wl-copy")
    _tool(bin_dir, "xclip")
    copied = copy_with_tool(FIX, _env(bin_dir, DISPLAY=":0", WAYLAND_DISPLAY="wayland-0"))
    assert copied.message == "copied with wl-copy"
    assert wayland.read_text() == FIX
    assert not (bin_dir / "xclip.out").exists()


def test_no_display_means_no_x11_tool(tmp_path: Path) -> None:
    """xclip on PATH but no DISPLAY (an SSH session, say): it could not reach a clipboard."""
    bin_dir = tmp_path / "bin"
    _tool(bin_dir, "xclip")
    _tool(bin_dir, "wl-copy")
    copied = copy_with_tool(FIX, _env(bin_dir))
    assert copied.tool is None
    assert copied.message == OSC52_MESSAGE
    assert copied.message == (
        "sent to the terminal clipboard (OSC 52); your terminal may ignore it"
    )
    assert not (bin_dir / "xclip.out").exists()


def test_pbcopy_needs_no_session_variable(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    out = _tool(bin_dir, "pbcopy")
    assert copy_with_tool(FIX, _env(bin_dir)).message == "copied with pbcopy"
    assert out.read_text() == FIX


def test_a_failing_tool_falls_through_to_the_next_then_osc52(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _tool(bin_dir, "xclip", exit_code=1)
    xsel = _tool(bin_dir, "xsel")
    assert copy_with_tool(FIX, _env(bin_dir, DISPLAY=":0")).message == "copied with xsel"
    assert xsel.read_text() == FIX
    os.remove(bin_dir / "xsel")
    copied = copy_with_tool(FIX, _env(bin_dir, DISPLAY=":0"))
    assert copied.tool is None
    assert "xclip: cannot open display" in copied.problem


def test_a_tool_that_forks_and_keeps_serving_does_not_block(tmp_path: Path) -> None:
    """Like the real xclip: a child keeps the selection (and inherited stderr) after exit."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "xclip"
    script.write_text(f'#!/bin/sh\ncat > "{bin_dir}/out"\n(sleep 5 &)\nexit 0\n')
    script.chmod(0o755)
    copied = copy_with_tool(FIX, _env(bin_dir, DISPLAY=":0"))
    assert copied.tool == "xclip"


@pytest.mark.parametrize("session", [{}, {"DISPLAY": ":0"}])
def test_nothing_on_path_finds_no_tool(tmp_path: Path, session: dict[str, str]) -> None:
    assert clipboard_tools({"PATH": str(tmp_path), **session}) == []
