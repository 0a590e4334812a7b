"""Copying a fix to the clipboard, honestly: say how it was copied, or that it may not have been.

A local clipboard tool is used when one fits the session: wl-copy under Wayland
(WAYLAND_DISPLAY), xclip or xsel under X11 (DISPLAY), pbcopy on macOS. Without one, the text
can only be sent to the terminal as an OSC 52 escape, which many terminals (and tmux with its
default `set-clipboard external`) ignore without a word: the message says so, and the caller
keeps the text on screen to be selected by hand. No Textual here: the app sends the OSC 52
itself (through its driver) and runs `copy_with_tool` in a worker thread.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

TOOL_TIMEOUT = 3.0  # seconds; a clipboard tool that hangs (no X server answering) is given up
OSC52_MESSAGE = "sent to the terminal clipboard (OSC 52); your terminal may ignore it"

# (the session variable it needs, or "" for none; the command)
_TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("WAYLAND_DISPLAY", ("wl-copy",)),
    ("DISPLAY", ("xclip", "-selection", "clipboard", "-in")),
    ("DISPLAY", ("xsel", "--clipboard", "--input")),
    ("", ("pbcopy",)),
)


@dataclass(frozen=True)
class Copied:
    """How a copy went: `tool` is the clipboard tool that took the text, or None when it has to
    go to the terminal as OSC 52 instead; `problem` says why a tool found was not used."""

    tool: str | None
    problem: str = ""

    @property
    def message(self) -> str:
        if self.tool is not None:
            return f"copied with {self.tool}"
        return OSC52_MESSAGE


def clipboard_tools(environ: Mapping[str, str] | None = None) -> list[tuple[str, ...]]:
    """The commands that could take the text, best first, found on PATH."""
    env = os.environ if environ is None else environ
    path = env.get("PATH")
    found = []
    for needs, command in _TOOLS:
        if needs and not env.get(needs):
            continue
        executable = shutil.which(command[0], path=path)
        if executable is not None:
            found.append((executable, *command[1:]))
    return found


def copy_with_tool(text: str, environ: Mapping[str, str] | None = None) -> Copied:
    """Give the text to the first local clipboard tool that takes it. Blocks (run it in a
    thread); Copied(None) when no tool took it, and the text should go out as OSC 52."""
    problems = []
    for command in clipboard_tools(environ):
        name = os.path.basename(command[0])
        # Output goes to a file, not a pipe: xclip and xsel fork a child that keeps serving
        # the selection and would hold a pipe open, so reading it to its end would hang.
        with tempfile.TemporaryFile() as errors:
            try:
                done = subprocess.run(
                    command,
                    input=text.encode("utf-8"),
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    timeout=TOOL_TIMEOUT,
                    check=False,
                    env=None if environ is None else dict(environ),
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                problems.append(f"{name}: {exc}")
                continue
            if done.returncode == 0:
                return Copied(name)
            errors.seek(0)
            reason = errors.read().decode("utf-8", "replace").strip().splitlines()
        problems.append(f"{name}: {reason[-1] if reason else f'exit {done.returncode}'}")
    return Copied(None, "; ".join(problems))
