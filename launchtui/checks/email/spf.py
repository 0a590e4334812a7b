"""email.spf: the sending domain's SPF record authorizes every declared sender, within limits.

One SPF record (RFC 7208 4.5), that parses, whose whole include tree needs at most 10 DNS
lookups and 2 void lookups (4.6.4; a receiver checking an address the record does not list
walks every branch, so the whole tree counts), that ends in -all or ~all, and that includes
the SPF domain of every service in [email].senders. The evidence is the include tree with
each branch's lookup count; the fix is the corrected record, merged, with what to drop or
flatten when it would still need more than 10 lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from launchtui.email.spf import MAX_LOOKUPS, MAX_VOIDS
from launchtui.email.spf_merge import LookupCost, include_target, includes, merged_terms, render
from launchtui.email.spf_terms import (
    Term,
)
from launchtui.email.spf_tree import VOID_NOTE, SpfNode, literal_name, walk_tree
from launchtui.model.results import Outcome, Status
from launchtui.model.senders import SENDERS, sender
from launchtui.model.targets import Target
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

# Include domain -> the catalogue's service, to name services in findings and fixes.
_SERVICE_BY_INCLUDE = {s.spf_include: s.title for s in SENDERS.values()}


@dataclass(slots=True)
class Findings:
    fail: list[str] = field(default_factory=list)
    warn: list[str] = field(default_factory=list)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    domain = target.value
    declared = ctx.sprint.email.senders
    tree = await walk_tree(ctx.net.dns, domain)
    evidence: dict[str, object] = {"resolver": ctx.net.dns.label, "domain": domain}
    if not tree.records:
        return Outcome(
            Status.FAIL,
            f"{domain} publishes no SPF record: receivers cannot tell which servers may send "
            "its mail",
            evidence | {"senders": list(declared)},
            fix=await fix_text(ctx, domain, tree, declared),
        )
    includes = tree.includes()
    authorized = {key: sender(key).spf_include in includes for key in declared}
    evidence |= {
        "record": tree.record,
        "lookups": tree.total,
        "lookup_limit": MAX_LOOKUPS,
        "voids": tree.voids,
        "void_limit": MAX_VOIDS,
        "all": closing_all(tree),
        "senders": authorized,
        "branches": tree.outline(),
        "tree": tree.to_dict(),
    }
    findings = judge(tree, authorized)
    evidence["findings"] = findings.fail + findings.warn
    if not findings.fail and not findings.warn:
        return Outcome(
            Status.PASS,
            f"{domain}: one valid SPF record, {tree.total} of {MAX_LOOKUPS} DNS lookups, ends "
            f"in {closing_all(tree)}, authorizes {', '.join(declared) or 'its listed servers'}",
            evidence,
        )
    shown = findings.fail or findings.warn
    more = len(findings.fail) + len(findings.warn) - 1
    return Outcome(
        Status.FAIL if findings.fail else Status.WARN,
        f"{domain}: {shown[0]}" + (f" (and {more} more)" if more else ""),
        evidence,
        fix=await fix_text(ctx, domain, tree, declared),
    )


def closing_all(tree: SpfNode) -> str:
    """The all term that ends evaluation: the record's own, else its redirect target's."""
    node: SpfNode | None = tree
    while node is not None:
        if node.all_term:
            return node.all_term
        node = next((c for c in node.children if c.via.startswith("redirect=")), None)
    return ""


def judge(tree: SpfNode, authorized: dict[str, bool]) -> Findings:
    findings = Findings()
    if tree.total > MAX_LOOKUPS:
        findings.fail.append(
            f"SPF needs {tree.total} DNS lookups, over the limit of {MAX_LOOKUPS}: receivers "
            "get permerror for every address the record does not authorize early"
        )
    for node in tree.walk():
        findings.fail += node.problems
    if tree.voids > MAX_VOIDS:
        findings.fail.append(
            f"{tree.voids} void DNS lookups, over the limit of {MAX_VOIDS}: receivers get permerror"
        )
    included = [node.domain for node in tree.walk() if node.via.startswith("include:")]
    for key, present in authorized.items():
        service = sender(key)
        if not present:
            findings.fail.append(
                f"{service.title} ({key}) is not authorized: include:{service.spf_include} is "
                "missing, so its mail fails SPF"
            )
        elif (times := included.count(service.spf_include)) > 1:
            findings.warn.append(
                f"{service.title} ({key}) is authorized {times} times "
                f"(include:{service.spf_include}): each costs lookups again"
            )
    final = closing_all(tree)
    if final == "+all":
        findings.fail.append("ends in +all: any server on the internet may send as this domain")
    elif final == "?all":
        findings.warn.append("ends in ?all (neutral): servers it does not list are not refused")
    elif not final and tree.record:
        findings.warn.append("has no all term: servers it does not list get neutral")
    for node in tree.walk():
        findings.warn += [
            f"{node.domain}: {note}" for note in node.notes if not note.endswith(VOID_NOTE)
        ]
    return findings


async def fix_text(ctx: CheckContext, domain: str, tree: SpfNode, declared: tuple[str, ...]) -> str:
    terms, dropped, ptrs = merged_terms(tree, declared)
    cost = LookupCost({node.domain: node.total for node in tree.walk() if node.via})
    for name in includes(terms):
        # An include the corrected record adds; one built from macros cannot be followed
        # without a client (and a malformed name is never queried), so it costs 1 here.
        queried = literal_name(name)
        if name not in cost.totals and queried is not None:
            try:
                cost.totals[name] = (await walk_tree(ctx.net.dns, queried)).total
            except NetError:
                cost.totals[name] = 0
    record = render(terms)
    lines = [
        f"Publish exactly one SPF record at {domain}, replacing what is there now:",
        f'  {domain}. TXT "{record}"',
        f"It needs {_lookups(cost.of(terms), 'DNS')}; the limit is {MAX_LOOKUPS} (RFC 7208 4.6.4).",
    ]
    if dropped:
        lines.append(f"Left out because they do not parse: {', '.join(dropped)}.")
    if ptrs:
        lines.append(
            f"Left out: {', '.join(ptrs)} (slow, and RFC 7208 5.5 says not to use it); list "
            "those servers' addresses with ip4: or ip6: instead."
        )
    if cost.of(terms) > MAX_LOOKUPS:
        lines += _within_limit(domain, terms, declared, cost)
    spf = ctx.net.commands.launchtui(
        f"spf --ip <a sending server's address> --sender postmaster@{domain}"
    )
    lines.append(
        f"Verify: `{ctx.net.commands.dig(domain, 'TXT')}` shows one v=spf1 record, and `{spf}` "
        "says pass."
    )
    return "\n".join(lines)


def _within_limit(
    domain: str, terms: list[Term], declared: tuple[str, ...], cost: LookupCost
) -> list[str]:
    """What to drop (services not declared) or flatten to get under the lookup limit."""
    lines = ["Even merged, that is over the limit: receivers would get permerror."]
    wanted = {sender(key).spf_include for key in declared}
    # Services the sprint does not declare, when it declares any: likely left over.
    unused = [
        t
        for t in terms
        if declared
        and t.name == "include"
        and include_target(t) in _SERVICE_BY_INCLUDE
        and include_target(t) not in wanted
    ]
    if not declared:
        lines.append(
            "List the services that send your mail in [email].senders: launchtui then names "
            "the includes of services you no longer use."
        )
    if unused:
        terms = [t for t in terms if t not in unused]
        names = ", ".join(
            f"{_SERVICE_BY_INCLUDE[include_target(t)]} ({t.text}, {_lookups(cost.of([t]))})"
            for t in unused
        )
        lines += [
            f"[email].senders does not list {names}. If you no longer send through them, "
            f"drop them; the record then needs {cost.of(terms)} lookups:",
            f'  {domain}. TXT "{render(terms)}"',
        ]
    if cost.of(terms) > MAX_LOOKUPS:
        costly = sorted((t for t in terms if t.name == "include"), key=lambda t: -cost.of([t]))
        biggest = ", ".join(f"{t.text} ({_lookups(cost.of([t]))})" for t in costly[:3])
        lines.append(
            f"Still over: flatten the costliest includes ({biggest}) into the ip4:/ip6: ranges "
            "they list (and re-check them when the provider changes them), replace a and mx "
            "with your servers' ip4: addresses, or send one service from a subdomain with its "
            "own record."
        )
    return lines


def _lookups(count: int, kind: str = "") -> str:
    noun = f"{kind} lookup".lstrip()
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
