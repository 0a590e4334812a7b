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

from dataclasses import dataclass, field
from typing import Any

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


class _Walker:
    def __init__(self, client: DnsClient) -> None:
        self.client = client
        self.nodes = 0
        self.void_queries = 0

    async def node(self, domain: str, via: str, path: tuple[str, ...]) -> SpfNode:
        self.nodes += 1
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
        for term in record.terms:
            if counts_lookup(term) and not (isinstance(term, Modifier) and node.all_term):
                node.lookups += 1  # redirect= counts only when it is used (no all)
            await self.term(node, term, (*path, domain))
        node.total = node.lookups + sum(child.total for child in node.children)
        node.voids += sum(child.voids for child in node.children)
        return node

    async def term(self, node: SpfNode, term: Mechanism | Modifier, path: tuple[str, ...]) -> None:
        if isinstance(term, Modifier):
            if term.name != "redirect" or node.all_term:
                return
            follows = term.value
        elif term.name == "include":
            follows = term.domain or ()
        elif term.name == "ptr":
            node.notes.append(f"{term.text}: ptr is slow and RFC 7208 5.5 says not to use it")
            return
        elif term.name in ("a", "mx", "exists"):
            await self.count_void(node, term)
            return
        else:
            return
        if _has_macros(follows):
            node.notes.append(f"{term.text}: uses macros, so it cannot be followed here")
            return
        target = _literal(follows)
        if target is None:
            node.problems.append(f"{term.text}: not a valid domain name")
            return
        if target in path:
            node.problems.append(f"{term.text}: include loop back to {target}")
            return
        if len(path) >= MAX_DEPTH or self.nodes >= MAX_NODES:
            node.problems.append(f"{term.text}: not followed, the tree is too deep or too large")
            return
        node.children.append(await self.node(target, term.text, path))

    async def count_void(self, node: SpfNode, term: Mechanism) -> None:
        if term.domain is not None and _has_macros(term.domain):
            return
        self.void_queries += 1
        if self.void_queries > MAX_VOID_QUERIES:
            if self.void_queries == MAX_VOID_QUERIES + 1:
                node.notes.append(f"{term.text} and later terms: not queried for void lookups")
            return
        target = node.domain if term.domain is None else _literal(term.domain)
        if target is None:
            node.problems.append(f"{term.text}: not a valid domain name")
            return
        if term.name == "mx":
            found = await self.client.lookup(target, "MX")
            hosts = [r for r in found.records if r.split()[-1].rstrip(".")]
            if len(hosts) > MAX_NAMES:
                node.problems.append(f"{term.text}: {target} has {len(hosts)} MX hosts (limit 10)")
            empty = not found.records
        elif term.name == "a":
            found = await self.client.lookup(target, "A")
            empty = not found.records and not (await self.client.lookup(target, "AAAA")).records
        else:
            empty = not (await self.client.lookup(target, "A")).records
        if empty:
            node.voids += 1
            node.notes.append(f"{term.text}: {target} has no records {VOID_NOTE}")


def _has_macros(tokens: tuple[spf_macros.Token, ...]) -> bool:
    return not all(isinstance(token, str) for token in tokens)


def _literal(tokens: tuple[spf_macros.Token, ...]) -> str | None:
    """The domain a macro-free domain-spec names, None when it is not a valid one."""
    name = "".join(str(token) for token in tokens).removesuffix(".").lower()
    return name if valid_domain(name) else None
