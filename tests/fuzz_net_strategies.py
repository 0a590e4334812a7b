"""Hypothesis strategies shared by the fuzz tests of web and mail-transport text: `mutated`
turns a valid value into a damaged one (characters inserted, deleted or replaced, truncation,
duplication, control characters, Rich markup, escapes, huge runs, non-ASCII)."""

from __future__ import annotations

from fuzz_mutations import mutate
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
    return mutate(draw, draw(valid), pieces=_piece, duplicate="span")
