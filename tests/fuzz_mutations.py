"""How the fuzz tests damage a valid value, one piece of code for every parser's tests.

`mutate` applies one to four edits to a text: an insertion, a deletion, a replacement, a
truncation, a duplication (of the tail, of a span, or of a whole line: a key defined twice) and,
when the caller gives them, pieces that mean something to its parser (control characters, Rich
markup, YAML or TOML syntax). `mutate_values` does the same to a parsed document: values
replaced, deleted or added at its keys and list positions.

PYTEST_DONT_REWRITE
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from hypothesis import strategies as st

Duplicate = Literal["tail", "span", "line"]
Action = Literal["replace", "delete", "add"]


def mutate(
    draw: st.DrawFn,
    text: str,
    *,
    bits: Sequence[str] = (),
    pieces: st.SearchStrategy[str] | None = None,
    max_delete: int = 8,
    duplicate: Duplicate = "tail",
) -> str:
    """`text` with one to four edits. `pieces`: what insertions and replacements put in (default:
    any short text, any one character); `bits`: inserted as an edit of their own."""
    kinds = ["insert", "delete", "replace", "truncate", "duplicate"] + (["bit"] if bits else [])
    inserted = st.text(max_size=8) if pieces is None else pieces
    replaced = st.characters() if pieces is None else pieces
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(kinds))
        at = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:at] + draw(inserted) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, max_delete)) :]
        elif kind == "replace":
            text = text[:at] + draw(replaced) + text[at + 1 :]
        elif kind == "truncate":
            text = text[:at]
        elif kind == "bit":
            text = text[:at] + draw(st.sampled_from(bits)) + text[at:]
        else:
            text = _duplicated(draw, text, at, duplicate)
    return text


def _duplicated(draw: st.DrawFn, text: str, at: int, how: Duplicate) -> str:
    if how == "tail":
        return text[:at] + text[at:] + text[at:]
    if how == "span":
        end = draw(st.integers(at, len(text)))
        return text[:end] + text[at:end] + text[end:]
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    end = len(text) if end < 0 else end
    return text[:end] + "\n" + text[start:end] + text[end:]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into nested dicts and lists (the root excluded)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def mutate_values(
    draw: st.DrawFn,
    data: Any,
    values: st.SearchStrategy[Any],
    *,
    rounds: int,
    actions: Sequence[Action],
) -> None:
    """Change `data` in place, one to `rounds` times: at a drawn key path, replace the value,
    delete it, or (in a table) add a new key."""
    for _ in range(draw(st.integers(1, rounds))):
        found = paths(data)
        if not found:
            return
        where = draw(st.sampled_from(found))
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(actions))
        if action == "delete":
            del parent[where[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        else:
            parent[where[-1]] = draw(values)
