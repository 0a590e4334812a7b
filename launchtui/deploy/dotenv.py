"""A dotenv parser: the format python-dotenv, Docker Compose, Node's dotenv and foreman read.

    # a comment
    export DATABASE_URL=postgres://...      # `export ` is allowed and ignored
    PLAIN=value with spaces   # an inline comment starts at " #"
    SINGLE='kept $literally'                # no interpolation; only \\' and \\\\ escape
    DOUBLE="line one\\nline two"             # \\n \\t \\r \\" \\\\ escapes
    MULTI="first line
    second line"                            # a quoted value may span lines
    EMPTY=

A line that is none of these (no `=`, a bad name, an unclosed quote) is a ParseError naming
its line: a file that cannot be read as a whole is never judged on the part that could.
Values are returned, never printed: ParseError messages name lines and variables only.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_BYTES = 1024 * 1024  # a dotenv file is small; a larger one is refused, not read
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


class ParseError(ValueError):
    """A dotenv file that cannot be read; str() is one line naming the file's line."""


def read(path: Path) -> dict[str, str]:
    """The variables of the dotenv file at `path`; OSError or ParseError when unreadable."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ParseError(f"{path}: larger than {MAX_BYTES // 1024} KiB: not a dotenv file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        return parse(text)
    except ParseError as exc:
        raise ParseError(f"{path}:{exc}") from None


def parse(text: str) -> dict[str, str]:
    """The variables of dotenv `text`; a later assignment wins. ParseError: "LINE: problem"."""
    values: dict[str, str] = {}
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pos, line = 0, 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        stripped = text[pos:end].strip()
        if not stripped or stripped.startswith("#"):
            pos, line = end + 1, line + 1
            continue
        name, value, used = _assignment(text, pos, line)
        values[name] = value
        line += text.count("\n", pos, pos + used) + 1
        pos += used
        pos = pos + 1 if pos < len(text) and text[pos] == "\n" else pos
    return values


def _assignment(text: str, start: int, line: int) -> tuple[str, str, int]:
    """(name, value, characters used up to the end of its last line, newline excluded)."""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    head = text[start:end].lstrip()
    offset = start + (end - start - len(head))
    if head.startswith("export ") or head.startswith("export\t"):
        rest = head[len("export") :].lstrip()
        offset += len(head) - len(rest)
        head = rest
    name, equals, _ = head.partition("=")
    name = name.rstrip()
    if not equals:
        raise ParseError(f"{line}: expected NAME=VALUE (no '=' on this line)")
    if not _NAME.fullmatch(name):
        # not echoed: a line that is not NAME=VALUE may be a value pasted on its own
        raise ParseError(f"{line}: the text before '=' is not a variable name")
    value_start = offset + head.index("=") + 1
    while value_start < end and text[value_start] in " \t":
        value_start += 1
    if value_start < len(text) and text[value_start] in "\"'":
        value, after = _quoted(text, value_start, line, name)
        rest_end = text.find("\n", after)
        rest_end = len(text) if rest_end < 0 else rest_end
        trailing = text[after:rest_end].strip()
        if trailing and not trailing.startswith("#"):
            raise ParseError(f"{line}: {name}: text after the closing quote")
        return name, value, rest_end - start
    raw = text[value_start:end]
    # " #" starts a comment, also when the blanks before it follow '=' ("A= # note" is empty)
    spaced = value_start > offset + head.index("=") + 1
    comment = re.search(r"\s#", raw)
    if spaced and raw.startswith("#"):
        raw = ""
    elif comment:
        raw = raw[: comment.start()]
    return name, raw.strip(), end - start


def _quoted(text: str, start: int, line: int, name: str) -> tuple[str, int]:
    """The value of the quoted string at text[start] and the index after its closing quote."""
    quote = text[start]
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == quote:
            return "".join(chars), pos + 1
        if char == "\\" and quote == '"' and pos + 1 < len(text):
            nxt = text[pos + 1]
            if nxt in _ESCAPES:
                chars.append(_ESCAPES[nxt])
                pos += 2
                continue
        # python-dotenv's rule: in single quotes only \' and \\ are escapes, so 'a\' is unclosed
        if char == "\\" and quote == "'" and text[pos + 1 : pos + 2] in ("'", "\\"):
            chars.append(text[pos + 1])
            pos += 2
            continue
        chars.append(char)
        pos += 1
    raise ParseError(f"{line}: {name}: the {quote} quote is never closed")
