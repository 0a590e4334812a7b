"""Merging a domain's SPF record(s) into the one record it should publish, and counting its
DNS lookups (RFC 7208 4.6.4): the corrected record the email.spf check proposes as its fix."""

from __future__ import annotations

from dataclasses import dataclass

from launchtui.email.spf_terms import (
    LOOKUP_TERMS,
    Mechanism,
    Modifier,
    SpfSyntaxError,
    Term,
    parse_term,
)
from launchtui.email.spf_tree import SpfNode
from launchtui.model.senders import sender


@dataclass(slots=True)
class LookupCost:
    """DNS lookups of a list of terms, each include costing 1 plus its tree's total."""

    totals: dict[str, int]

    def of(self, terms: list[Term]) -> int:
        total = 0
        for term in terms:
            if term.name in LOOKUP_TERMS:
                total += 1 + (
                    self.totals.get(include_target(term), 0) if term.name == "include" else 0
                )
        return total


def merged_terms(
    tree: SpfNode, declared: tuple[str, ...]
) -> tuple[list[Term], list[str], list[str]]:
    """The published record(s) merged into one: terms deduplicated, includes of domains with
    no SPF record and ptr removed, the declared senders' includes added, and one closing -all
    (kept when it was there) or ~all. A redirect= becomes an include, since the all disables
    it. Also returns the terms left out: those that do not parse, and the ptr ones."""
    broken = {node.via for node in tree.walk() if node.via and not node.records}
    terms: list[Term] = []
    dropped: list[str] = []
    ptrs: list[str] = []
    closing = "~all"
    for record in tree.records:
        for word in record.split(" ")[1:]:
            try:
                term = parse_term(word) if word else None
            except SpfSyntaxError:
                dropped.append(word)
                continue
            if term is None or term.text in broken:
                continue
            if term.name == "ptr":
                ptrs.append(term.text)
                continue
            if term.name == "all":
                closing = (
                    "-all" if isinstance(term, Mechanism) and term.qualifier == "-" else closing
                )
                continue
            if term.name == "redirect":
                term = parse_term("include:" + word.partition("=")[2])
            if term.text.lower() not in {t.text.lower() for t in terms}:
                terms.append(term)
    mechanisms = [t for t in terms if isinstance(t, Mechanism)]
    present = set(includes(mechanisms))
    for key in declared:
        include = sender(key).spf_include
        if include not in present:
            mechanisms.append(mechanism(f"include:{include}"))
            present.add(include)
    modifiers = [t for t in terms if isinstance(t, Modifier)]
    return [*mechanisms, mechanism(closing), *modifiers], dropped, ptrs


def render(terms: list[Term]) -> str:
    return " ".join(["v=spf1", *(t.text for t in terms)])


def include_target(term: Term) -> str:
    return term.text.partition(":")[2].lower()


def includes(terms: list[Term] | list[Mechanism]) -> list[str]:
    return [include_target(t) for t in terms if t.name == "include"]


def mechanism(text: str) -> Mechanism:
    term = parse_term(text)
    assert isinstance(term, Mechanism)
    return term
