"""Text shown literally in Markdown: the escapes every Markdown report shares.

Control characters become visible escapes (launchtui.text.literal), characters Markdown
would act on are backslash-escaped, a line break inside a table cell is a <br>, and long text
is a fenced code block whose fence is longer than any backtick run inside: no text can add a
column, a row, a link or a heading.
"""

from __future__ import annotations

import re

from launchtui.text.literal import literal

# Characters with a meaning inside a Markdown paragraph, heading or table cell (GitHub flavour:
# | for tables, ~ for strikethrough, $ for math; # may close a heading). Line-start markers
# (-, +, 1.) need no escape: escaped text never starts a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$#])")
_BACKTICKS = re.compile(r"`+")


def inline(text: str) -> str:
    """Text shown literally on one line of Markdown (a heading, a list item)."""
    return _SPECIAL.sub(r"\\\1", literal(text))


def cell(text: str) -> str:
    """Text shown literally in a table cell; its line breaks become <br>."""
    return "<br>".join(inline(line) for line in text.split("\n")) or " "


def fenced(text: str, indent: str = "") -> list[str]:
    """A code block showing `text` literally: no run of backticks inside can close it.
    `indent` puts it inside a list item."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = literal(text, keep_newlines=True).split("\n")
    return [indent + fence + "text", *(indent + line for line in body), indent + fence]


def code(text: str) -> str:
    """Text shown literally as an inline code span (a longer fence than any backtick run)."""
    body = literal(text)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A table of already-escaped cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


_FENCE = re.compile(r" *(`{3,}|~{3,})")  # any indent: a list item's fence is indented
_HEADING = re.compile(r"( {0,3})(#{1,6})(?= |$)")


def demoted(markdown: str, levels: int) -> list[str]:
    """The lines of a Markdown document with its headings `levels` deeper (at most ######), so
    that it sits under a section of a bigger document; fenced code is left as it is."""
    lines = []
    fence = ""  # the open fence's marker, while inside one
    for line in markdown.split("\n"):
        stripped = line.lstrip(" ")
        opening = _FENCE.match(line)
        if fence:
            closing = stripped.rstrip()
            if closing.startswith(fence) and not closing.strip(fence[0]):
                fence = ""
        elif opening:
            fence = opening[1]
        elif heading := _HEADING.match(line):
            depth = min(6, len(heading[2]) + levels)
            line = heading[1] + "#" * depth + line[len(heading[0]) :]
        lines.append(line)
    return lines
