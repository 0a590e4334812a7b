"""Find the line where a key is defined in a TOML text.

tomlkit keeps no line numbers on parsed items, so validation errors find their line by scanning
the raw text: table and array-of-tables headers (quoted keys included), `key = value` lines,
dotted keys, and the keys and elements of inline tables and arrays. A key path is a tuple of
keys and array indexes, e.g. ("site", "redirects", 0, "from"). A path that is not written in the
text (a missing key, say) falls back to its closest written parent: the enclosing key or table
header, and finally line 1.
"""

from __future__ import annotations

import json
import re

KeyPath = tuple[str | int, ...]


class Invalid(Exception):
    """A problem with one key of the file."""

    def __init__(self, key: KeyPath, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}
_SCALAR_END = ",]}\n\r#"


def line_of(text: str, key: KeyPath) -> int:
    """The 1-based line defining `key`, else that of its closest written parent, else 1."""
    lines = _Scanner(text).scan().lines
    for end in range(len(key), 0, -1):
        line = lines.get(key[:end])
        if line is not None:
            return line
    return 1


_NEWLINE_IN_STRING = re.compile(r"not allowed in strings, use \\u000[ad] instead")


def string_not_closed(reason: str) -> bool:
    """Whether a tomlkit parse error means a one-line string runs to the end of its line:
    tomlkit reports the newline as a control character ("use \\u000a instead")."""
    return _NEWLINE_IN_STRING.search(reason) is not None


def redefinition_line(text: str) -> int | None:
    """The line of the first key or table defined a second time, if any.

    tomlkit reports some duplicate keys without a position; this finds it.
    """
    seen: set[KeyPath] = set()
    for key, line in _Scanner(text).scan().definitions:
        if key in seen:
            return line
        seen.add(key)
    return None


def dotted(key: KeyPath) -> str:
    """A key path as written in TOML: site.redirects[0].from, results.edge."tls.certificate"."""
    text = ""
    for part in key:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if _BARE_KEY.fullmatch(part) else _quoted_key(part)
            text += f".{name}" if text else name
    return text


def _quoted_key(part: str) -> str:
    """A TOML quoted key with every unprintable character escaped (JSON escapes C0 controls
    only: a C1 control such as U+0085 or a line separator would reach the terminal raw)."""
    text = json.dumps(part, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


class _Malformed(Exception):
    """The text is not TOML the scanner understands; keep what was found so far."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.table: KeyPath = ()
        self.array_counts: dict[KeyPath, int] = {}  # [[array]] path -> tables seen so far
        self.lines: dict[KeyPath, int] = {}  # first line mentioning each path
        self.definitions: list[tuple[KeyPath, int]] = []  # explicit keys and [table] headers

    def scan(self) -> _Scanner:
        try:
            while self.pos < len(self.text):
                self._statement()
        except (_Malformed, IndexError):
            pass
        return self

    def _statement(self) -> None:
        char = self.text[self.pos]
        if char == "\n":
            self._newline()
        elif char in " \t\r":
            self.pos += 1
        elif char == "#":
            self._skip_comment()
        elif char == "[":
            self._header()
        else:
            self._key_value()

    def _header(self) -> None:
        is_array = self.text.startswith("[[", self.pos)
        self.pos += 2 if is_array else 1
        keys = self._keys()
        self._expect("]]" if is_array else "]")
        if is_array:
            base = (*self._resolve(keys[:-1]), keys[-1])
            index = self.array_counts.get(base, 0)
            self.array_counts[base] = index + 1
            self.table = (*base, index)
        else:
            self.table = self._resolve(keys)
            self.definitions.append((self.table, self.line))
        self._record(self.table)

    def _resolve(self, keys: list[str]) -> KeyPath:
        """Header keys to a path, through the latest table of each [[array]] on the way."""
        path: KeyPath = ()
        for key in keys:
            path += (key,)
            if path in self.array_counts:
                path += (self.array_counts[path] - 1,)
        return path

    def _key_value(self) -> None:
        key = self.table + tuple(self._keys())
        self.definitions.append((key, self.line))
        self._assignment(key)
        while self.pos < len(self.text) and self.text[self.pos] != "\n":
            self.pos += 1  # only whitespace or a comment can follow a value

    def _assignment(self, key: KeyPath) -> None:
        self._record(key)
        self._expect("=")
        self._skip_blank(newlines=False)
        self._value(key)

    def _value(self, key: KeyPath) -> None:
        char = self.text[self.pos]
        if char == "[":
            self._array(key)
        elif char == "{":
            self._inline_table(key)
        elif char in "\"'":
            self._string()
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == start:
                raise _Malformed

    def _array(self, key: KeyPath) -> None:
        self.pos += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            self._record((*key, index))
            self._value((*key, index))
            self._skip_blank(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1
                index += 1

    def _inline_table(self, key: KeyPath) -> None:
        self.pos += 1
        while True:
            self._skip_blank(newlines=True)
            if self.text[self.pos] == "}":
                self.pos += 1
                return
            self._assignment(key + tuple(self._keys()))
            self._skip_blank(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1

    def _keys(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            keys.append(self._key())
            self._skip_blank(newlines=False)
            if self.text[self.pos] != ".":
                return keys
            self.pos += 1

    def _key(self) -> str:
        char = self.text[self.pos]
        if char in "\"'":
            start = self.pos
            self._string()
            raw = self.text[start + 1 : self.pos - 1]
            return _unescape(raw) if char == '"' else raw
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise _Malformed
        self.pos = match.end()
        return match.group()

    def _string(self) -> None:
        quote = self.text[self.pos]
        if self.text.startswith(quote * 3, self.pos):
            self._multiline_string(quote)
            return
        self.pos += 1
        while self.text[self.pos] != quote:
            if self.text[self.pos] == "\n":
                raise _Malformed
            self.pos += 2 if quote == '"' and self.text[self.pos] == "\\" else 1
        self.pos += 1

    def _multiline_string(self, quote: str) -> None:
        self.pos += 3
        while not self.text.startswith(quote * 3, self.pos):
            char = self.text[self.pos]
            if char == "\\" and quote == '"':
                self.pos += 1
                char = self.text[self.pos]
            if char == "\n":
                self.line += 1
            self.pos += 1
        # Up to two quotes right before the closing delimiter belong to the string.
        while self.text.startswith(quote, self.pos):
            self.pos += 1

    def _skip_blank(self, *, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r":
                self.pos += 1
            elif newlines and char == "\n":
                self._newline()
            elif newlines and char == "#":
                self._skip_comment()
            else:
                return

    def _skip_comment(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end == -1 else end

    def _newline(self) -> None:
        self.line += 1
        self.pos += 1

    def _expect(self, token: str) -> None:
        self._skip_blank(newlines=False)
        if not self.text.startswith(token, self.pos):
            raise _Malformed
        self.pos += len(token)

    def _record(self, key: KeyPath) -> None:
        for end in range(1, len(key) + 1):
            self.lines.setdefault(key[:end], self.line)


def _unescape(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uUx" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(replace, raw)
