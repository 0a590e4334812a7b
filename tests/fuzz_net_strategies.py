"""Hypothesis strategies shared by the fuzz tests of web and mail-transport text: `mutated`
turns a valid value into a damaged one (characters inserted, deleted or replaced, truncation,
duplication, control characters, Rich markup, escapes, huge runs, non-ASCII)."""

from __future__ import annotations

from hypothesis import strategies as st

NASTY = [
    "\x00",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\x7f",
    "\x1b[31m",
    "[bold]",
    "[/]",
    "[link=https://evil.test]x[/link]",
    "\\",
    '"',
    "'",
    ";",
    ",",
    "=",
    ":",
    "<",
    ">",
    "%",
    "%00",
    "\u00a0",
    "\u2028",
    "\ufeff",
    "²",
    "٣",
    "é",
    "ü.example",
    "\U0001f600",
    "\udcff",
    " ",
    "",
]

_piece = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=4),
    st.sampled_from(["a" * 70, "9" * 40, "x" * 5000, "[" * 200, '"' * 33]),
)


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[str]) -> str:
    """`valid`'s value with one to four mutations."""
    text = draw(valid)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "duplicate"]))
        at = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:at] + draw(_piece) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        elif kind == "replace":
            text = text[:at] + draw(_piece) + text[at + 1 :]
        elif kind == "truncate":
            text = text[:at]
        else:
            end = draw(st.integers(at, len(text)))
            text = text[:end] + text[at:end] + text[end:]
    return text
