"""The quick audit's deliverable: a risk list ranked by launch impact, and a fix order.

Ranking: group first, then severity, then how sure the finding is (fail, then error -- could
not check -- then warn), then stage order. Groups for the fix order:
- "blocker": blocker-severity checks that failed or could not be checked: fix before launch;
- "high": high-severity failures and errors, and blocker-severity warnings (an expiring
  certificate is not broken yet, but will be);
- "nice-to-have": everything else that is not passing.

One problem is one risk, though several checks see it. Before ranking, results are folded:
- by LINKS, a table of which check's open result on a host takes in which other check's open
  result on the same host (one root cause, one fix). The member is listed under the head's
  risk with the link's reason; a link may raise the risk's group when the combination is worse
  than either result (a CAA record that forbids the CA of a certificate past its renewal
  point: the renewal that is due will be refused). Links chain: what a member takes in goes
  to its head too.
- the same finding (check, status, severity and summary without its host) on several hosts is
  one risk naming them all; its fix is the first host's (each host's own is on its result).
A folded risk's group is the highest of its results' and of its links' escalations: folding
never hides a blocker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from launchtui.model.results import Result, Severity, Status
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.targets import Target

GROUPS = ("blocker", "high", "nice-to-have")
_STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WARN)

ANY = "*"  # a link whose member may be any check
_OPEN = frozenset(_STATUS_ORDER)
_BROKEN = frozenset({Status.FAIL, Status.ERROR})
_ERROR = frozenset({Status.ERROR})

Condition = Callable[[Result, Result], bool]  # (head, member) -> are they one problem?


def _always(head: Result, member: Result) -> bool:
    return True


def _not_a_lookup(head: Result, member: Result) -> bool:
    """A certificate explains failed connections, not a failed DNS lookup."""
    return member.id != "dns.resolve"


def _same_cname(head: Result, member: Result) -> bool:
    """Both checks followed the CNAME chain to the same missing name."""
    ends = [result.evidence.get("cname_chain") or [] for result in (head, member)]
    return bool(ends[0]) and ends[0][-1:] == ends[1][-1:]


def _renewal_due(head: Result, member: Result) -> bool:
    """The certificate is past its renewal point, as tls.certificate judged it by
    model.renewal (its lifetime, or the CA's suggested window)."""
    return head.evidence.get("renewal_due") is True


def _same_plain_http_page(head: Result, member: Result) -> bool:
    """Both ended on the one http:// URL the host's redirects drop back to."""
    final = head.evidence.get("final_url")
    return (
        isinstance(final, str)
        and final.startswith("http://")
        and member.evidence.get("final_url") == final
    )


@dataclass(frozen=True, slots=True)
class Escalation:
    group: str  # the group of a risk holding both results
    because: str


@dataclass(frozen=True, slots=True)
class Link:
    """On one host, an open `head` result (status in `head_status`) takes in an open `member`
    result (status in `member_status`) when `when(head, member)` holds: `reason` says why,
    under the head's risk; `escalate` when the pair is worse than either result alone."""

    head: str
    head_status: frozenset[Status]
    member: str
    member_status: frozenset[Status]
    reason: str
    when: Condition = _always
    escalate: Escalation | None = None


# The first link that takes a result in wins, so the order is the priority.
LINKS = (
    # A host that does not resolve, or whose certificate is refused, makes most other checks
    # of that host end in `error`.
    Link(
        "dns.resolve", _BROKEN, ANY, _ERROR, "could not be checked: the hostname does not resolve"
    ),
    Link(
        "tls.certificate",
        _BROKEN,
        ANY,
        _ERROR,
        "could not be checked: no trusted HTTPS connection",
        _not_a_lookup,
    ),
    # A CNAME into a name that does not exist: dns.resolve fails, dns.dangling sees a takeover.
    Link(
        "dns.resolve",
        frozenset({Status.FAIL}),
        "dns.dangling",
        frozenset({Status.FAIL, Status.WARN}),
        "the same CNAME to a name that does not exist",
        _same_cname,
    ),
    Link(
        "tls.certificate",
        frozenset({Status.WARN, Status.FAIL}),
        "dns.caa",
        frozenset({Status.FAIL}),
        "the CAA record that forbids the CA that must renew it",
        _renewal_due,
        Escalation("blocker", "its renewal is due and CAA refuses it"),
    ),
    # Redirects that drop back to http:// make every check that follows them end there.
    Link(
        "http.https-redirect",
        frozenset({Status.FAIL}),
        ANY,
        _OPEN,
        "the same redirect back to plain HTTP",
        _same_plain_http_page,
    ),
)


@dataclass(frozen=True, slots=True)
class Related:
    result: Result
    reason: str  # the reason of the link that took it in


@dataclass(frozen=True, slots=True)
class Risk:
    rank: int
    group: str
    result: Result  # the head: the root cause, whose fix fixes the rest
    related: tuple[Related, ...] = ()  # results the head takes in
    also: tuple[Result, ...] = ()  # the same finding on other hosts
    escalation: str = ""  # why the group is higher than any of its results' own

    @property
    def targets(self) -> list[str]:
        return [self.result.target, *(r.target for r in self.also)]

    @property
    def blocked(self) -> tuple[Result, ...]:
        """The related results that could not be checked."""
        return tuple(x.result for x in self.related if x.result.status is Status.ERROR)

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "rank": self.rank,
            "group": self.group,
            "id": r.id,
            "stage": r.stage,
            "target": r.target,
            "targets": self.targets,
            "status": str(r.status),
            "severity": str(r.severity),
            "summary": r.summary,
            "fix": r.fix,
            "escalation": self.escalation,
            "related": [
                {
                    "id": x.result.id,
                    "target": x.result.target,
                    "status": str(x.result.status),
                    "severity": str(x.result.severity),
                    "summary": x.result.summary,
                    "fix": x.result.fix,
                    "reason": x.reason,
                }
                for x in self.related
            ],
            # Kept for readers of the earlier format: the related results that errored.
            "blocked": [
                {"id": b.id, "target": b.target, "summary": b.summary} for b in self.blocked
            ],
        }


def group_of(result: Result) -> str:
    broken = result.status in (Status.FAIL, Status.ERROR)
    if result.severity is Severity.BLOCKER and broken:
        return "blocker"
    if (result.severity is Severity.HIGH and broken) or result.severity is Severity.BLOCKER:
        return "high"
    return "nice-to-have"


def finding(result: Result) -> str:
    """The summary without the target it starts with: what was found, wherever."""
    return result.summary.removeprefix(f"{result.target}: ")


def rank_risks(results: list[Result]) -> list[Risk]:
    open_results = [r for r in results if r.status in _STATUS_ORDER]
    heads = _heads(open_results)
    members: dict[int, list[tuple[Result, Link]]] = {}
    for result in open_results:
        if id(result) in heads:
            head, link = heads[id(result)]
            members.setdefault(id(_root(head, heads)), []).append((result, link))
    repeats: dict[tuple[str, Status, Severity, str], list[Result]] = {}
    for result in open_results:
        if id(result) not in heads:
            key = (result.id, result.status, result.severity, finding(result))
            repeats.setdefault(key, []).append(result)
    drafts = [_draft(same, members) for same in repeats.values()]
    drafts.sort(
        key=lambda d: (
            GROUPS.index(d.group),
            d.result.severity.rank,
            _STATUS_ORDER.index(d.result.status),
            STAGE_NAMES.index(d.result.stage)
            if d.result.stage in STAGE_NAMES
            else len(STAGE_NAMES),
        )
    )
    return [
        Risk(n, d.group, d.result, d.related, d.also, d.escalation)
        for n, d in enumerate(drafts, start=1)
    ]


def fix_order(risks: list[Risk]) -> dict[str, list[int]]:
    """Risk ranks per group, in the order to fix them."""
    return {group: [risk.rank for risk in risks if risk.group == group] for group in GROUPS}


def _heads(results: list[Result]) -> dict[int, tuple[Result, Link]]:
    """id(member) -> (the head that takes it in, by which link), for every result taken in."""
    by_host: dict[str, list[Result]] = {}
    for result in results:
        by_host.setdefault(Target.parse(result.target).host, []).append(result)
    heads: dict[int, tuple[Result, Link]] = {}
    for link in LINKS:
        for on_host in by_host.values():
            for head in on_host:
                if head.id != link.head or head.status not in link.head_status:
                    continue
                for member in on_host:
                    if (
                        id(member) not in heads
                        and link.member in (ANY, member.id)
                        and member.status in link.member_status
                        and _root(head, heads) is not member  # never a loop
                        and link.when(head, member)
                    ):
                        heads[id(member)] = (head, link)
    return heads


def _root(result: Result, heads: dict[int, tuple[Result, Link]]) -> Result:
    while id(result) in heads:
        result = heads[id(result)][0]
    return result


@dataclass(frozen=True, slots=True)
class _Draft:
    group: str
    result: Result
    related: tuple[Related, ...]
    also: tuple[Result, ...]
    escalation: str


def _draft(same: list[Result], members: dict[int, list[tuple[Result, Link]]]) -> _Draft:
    """One risk for the same finding on one or more hosts, with what their links took in."""
    taken = [pair for result in same for pair in members.get(id(result), [])]
    own = min(GROUPS.index(group_of(r)) for r in [*same, *(member for member, _ in taken)])
    raising = [
        link.escalate
        for _, link in taken
        if link.escalate and GROUPS.index(link.escalate.group) < own
    ]
    top = min(raising, key=lambda escalation: GROUPS.index(escalation.group), default=None)
    return _Draft(
        group=top.group if top else GROUPS[own],
        result=same[0],
        related=tuple(Related(member, link.reason) for member, link in taken),
        also=tuple(same[1:]),
        escalation=top.because if top else "",
    )
