"""The whole SPF include tree of a domain, for judging a record rather than one client.

check_host() stops at the first match, so its lookup count depends on the client address. A
receiver evaluating an address that matches nothing (any unauthorized sender, or a service
listed late in the record) walks every branch, so that is the count that must stay within
RFC 7208's limits: every include and redirect= is followed, and every lookup-costing term
counted, branch by branch. Literal a, mx and exists targets are queried to count void
lookups. Terms whose domain uses macros cannot be followed without a client, and are noted.

Hostile trees stay bounded: a domain already on the current branch is a loop (not followed
again), the walk stops at MAX_DEPTH levels and MAX_NODES records, and at most
MAX_VOID_QUERIES queries go to counting void lookups.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from launchtui.email import spf_macros
from launchtui.email.spf import MAX_NAMES, spf_records, valid_domain
from launchtui.email.spf_terms import (
    Mechanism,
    Modifier,
    Record,
    SpfSyntaxError,
    counts_lookup,
    parse_record,
)
from launchtui.net.dns import DnsClient

T = TypeVar("T")

MAX_DEPTH = 12  # one more than a valid evaluation can reach
MAX_NODES = 60
MAX_VOID_QUERIES = 60  # queries spent counting void lookups (a huge record has many terms)
VOID_NOTE = "(a void lookup)"


@dataclass(slots=True)
class SpfNode:
    domain: str
    via: str = ""  # the term that led here ("include:x", "redirect=x"); "" at the top
    records: list[str] = field(default_factory=list)  # every SPF record published there
    record: str = ""  # the record when there is exactly one, else ""
    lookups: int = 0  # this record's own lookup-costing terms
    total: int = 0  # lookups of the record and everything under it
    voids: int = 0  # void lookups of the record and everything under it
    all_term: str = ""  # "-all", "~all", "?all", "+all" or "" (none)
    problems: list[str] = field(default_factory=list)  # each makes receivers' result permerror
    notes: list[str] = field(default_factory=list)  # worth knowing, not breaking
    children: list[SpfNode] = field(default_factory=list)
    parsed: Record | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "domain": self.domain,
            "via": self.via,
            "record": self.record,
            "lookups": self.lookups,
            "total_lookups": self.total,
            # what the include (or redirect) leading here costs the record above it
            **({"branch_lookups": 1 + self.total} if self.via else {}),
            "voids": self.voids,
        }
        if len(self.records) > 1:
            data["records"] = list(self.records)
        if self.problems:
            data["problems"] = list(self.problems)
        if self.notes:
            data["notes"] = list(self.notes)
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        return data

    def outline(self, depth: int = 0) -> list[str]:
        """One line per record: how it was reached and the lookups it costs, indented."""
        cost = 1 + self.total if self.via else self.total
        head = self.via or self.domain
        extra = f", {self.voids} void" if self.voids else ""
        line = f"{'  ' * depth}{head}: {cost} lookup{'s' if cost != 1 else ''}{extra}"
        if self.problems:
            line += f" ({self.problems[0]})"
        return [line, *(line for child in self.children for line in child.outline(depth + 1))]

    def walk(self) -> list[SpfNode]:
        """This node and every node under it, depth first."""
        nodes = [self]
        for child in self.children:
            nodes += child.walk()
        return nodes

    def includes(self) -> set[str]:
        """Every domain that authorizes senders anywhere in the tree: included with a pass
        qualifier (a "-include:" forbids rather than authorizes) or redirected to."""
        return {node.domain for node in self.walk() if node.via and node.via[0] not in "-~?"}


async def walk_tree(client: DnsClient, domain: str) -> SpfNode:
    """The tree under `domain`'s SPF record; NetError when a record cannot be fetched."""
    walker = _Walker(client)
    return await walker.node(domain, "", ())


@dataclass(slots=True)
class _Voids:
    """What querying one a, mx or exists target found."""

    voids: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Walker:
    """Walks a tree; each record's includes and queries run concurrently, results in order."""

    def __init__(self, client: DnsClient) -> None:
        self.client = client
        self.nodes = 1  # the top record
        self.void_queries = 0

    async def node(self, domain: str, via: str, path: tuple[str, ...]) -> SpfNode:
        node = SpfNode(domain, via)
        records = await spf_records(self.client, domain)
        node.records = records
        if not records:
            node.problems.append(f"{domain} has no SPF record")
            node.voids = 1 if via else 0
            return node
        if len(records) > 1:
            node.problems.append(f"{domain} publishes {len(records)} SPF records")
            return node
        node.record = records[0]
        try:
            record = parse_record(records[0])
        except SpfSyntaxError as exc:
            node.problems.append(f"{domain}: {exc}")
            return node
        node.parsed = record
        alls = [m for m in record.mechanisms if m.name == "all"]
        node.all_term = f"{alls[0].qualifier}all" if alls else ""
        pending: list[Awaitable[SpfNode | _Voids]] = []
        for term in record.terms:
            if counts_lookup(term) and not (isinstance(term, Modifier) and node.all_term):
                node.lookups += 1  # redirect= counts only when it is used (no all)
            step = self.plan(node, term, (*path, domain))
            if step is not None:
                pending.append(step)
        for part in await _together(pending):
            if isinstance(part, SpfNode):
                node.children.append(part)
            else:
                node.voids += part.voids
                node.problems += part.problems
                node.notes += part.notes
        node.total = node.lookups + sum(child.total for child in node.children)
        node.voids += sum(child.voids for child in node.children)
        return node

    def plan(
        self, node: SpfNode, term: Mechanism | Modifier, path: tuple[str, ...]
    ) -> Awaitable[SpfNode | _Voids] | None:
        """What a term needs fetched (a record to follow, a target to query), if anything;
        findings that need no DNS are added to `node` at once."""
        if isinstance(term, Modifier):
            if term.name != "redirect" or node.all_term:
                return None
            follows = term.value
        elif term.name == "include":
            follows = term.domain or ()
        elif term.name == "ptr":
            node.notes.append(f"{term.text}: ptr is slow and RFC 7208 5.5 says not to use it")
            return None
        elif term.name in ("a", "mx", "exists"):
            return self.plan_void(node, term)
        else:
            return None
        if _has_macros(follows):
            node.notes.append(f"{term.text}: uses macros, so it cannot be followed here")
            return None
        target = _literal(follows)
        if target is None:
            node.problems.append(f"{term.text}: not a valid domain name")
            return None
        if target in path:
            node.problems.append(f"{term.text}: include loop back to {target}")
            return None
        if len(path) >= MAX_DEPTH or self.nodes >= MAX_NODES:
            node.problems.append(f"{term.text}: not followed, the tree is too deep or too large")
            return None
        self.nodes += 1
        return self.node(target, term.text, path)

    def plan_void(self, node: SpfNode, term: Mechanism) -> Awaitable[_Voids] | None:
        if term.domain is not None and _has_macros(term.domain):
            return None
        target = node.domain if term.domain is None else _literal(term.domain)
        if target is None:
            node.problems.append(f"{term.text}: not a valid domain name")
            return None
        self.void_queries += 1
        if self.void_queries > MAX_VOID_QUERIES:
            if self.void_queries == MAX_VOID_QUERIES + 1:
                node.notes.append(f"{term.text} and later terms: not queried for void lookups")
            return None
        return self.query_void(term, target)

    async def query_void(self, term: Mechanism, target: str) -> _Voids:
        found = _Voids()
        if term.name == "mx":
            answer = await self.client.lookup(target, "MX")
            hosts = [r for r in answer.records if r.split()[-1].rstrip(".")]
            if len(hosts) > MAX_NAMES:
                found.problems.append(
                    f"{term.text}: {target} has {len(hosts)} MX hosts (limit {MAX_NAMES})"
                )
            empty = not answer.records
        elif term.name == "a":
            addresses = await _together(
                [self.client.lookup(target, "A"), self.client.lookup(target, "AAAA")]
            )
            empty = not any(lookup.records for lookup in addresses)
        else:
            empty = not (await self.client.lookup(target, "A")).records
        if empty:
            found.voids = 1
            found.notes.append(f"{term.text}: {target} has no records {VOID_NOTE}")
        return found


async def _together(steps: list[Awaitable[T]]) -> list[T]:
    """The steps' results in order; the first NetError cancels the rest and is raised."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_await(step)) for step in steps]
    except BaseExceptionGroup as failed:
        first = failed.exceptions[0]
        raise first if isinstance(first, Exception) else failed from None
    return [task.result() for task in tasks]


async def _await(step: Awaitable[T]) -> T:
    return await step


def _has_macros(tokens: tuple[spf_macros.Token, ...]) -> bool:
    return not all(isinstance(token, str) for token in tokens)


def _literal(tokens: tuple[spf_macros.Token, ...]) -> str | None:
    """The domain a macro-free domain-spec names, None when it is not a valid one."""
    return _queryable("".join(str(token) for token in tokens))


def literal_name(text: str) -> str | None:
    """The name to query for a domain-spec as written (a term's text), None when it has a
    macro or escape ("%": not expanded here) or is no valid domain name."""
    return None if "%" in text else _queryable(text)


def _queryable(name: str) -> str | None:
    """`name` cut to 253 characters from the left (RFC 7208 7.3), lower case; None when it is
    no valid domain name, so that no DNS query is ever built from it."""
    name = spf_macros.truncate_domain(name).lower()
    return name if valid_domain(name) else None
