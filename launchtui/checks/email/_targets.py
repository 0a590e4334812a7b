"""What the email checks run on: light enough to list the checks (no network stack here)."""

from __future__ import annotations

from dataclasses import dataclass

from launchtui.model.senders import SENDERS, Sender
from launchtui.model.sprint import EmailConfig, Sprint
from launchtui.model.targets import Target


def mail_domain(sprint: Sprint) -> list[Target]:
    """The email domain: [email].domain, else the site's apex."""
    return [Target.for_host(sprint.email.domain or sprint.site.apex)]


@dataclass(frozen=True, slots=True)
class Selector:
    """What one target of the check stands for: a selector to look up, or a missing one."""

    name: str  # the selector's DNS name; the row's text when the selector is missing
    domain: str
    selector: str = ""  # empty: a sender whose selectors must be declared
    senders: tuple[Sender, ...] = ()  # catalogue senders that use this selector (a guess)
    siblings: tuple[str, ...] = ()  # those senders' other usual selectors


def key_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}"


def plan(email: EmailConfig) -> dict[Target, Selector]:
    """The targets for an [email] table, with what each stands for, in order."""
    domain = email.domain
    if email.dkim_selectors:
        return {
            Target.for_name(key_name(s, domain)): Selector(key_name(s, domain), domain, s)
            for s in email.dkim_selectors
        }
    senders = [SENDERS[key] for key in email.senders if key in SENDERS]
    if not senders:
        return {Target.for_host(domain): Selector(domain, domain)}
    targets: dict[Target, Selector] = {}
    for sender in senders:
        if not sender.dkim_selectors:
            target = Target.for_host(domain, note=sender.title)
            targets[target] = Selector(target.text, domain, senders=(sender,))
        for selector in sender.dkim_selectors:
            users = tuple(s for s in senders if selector in s.dkim_selectors)
            siblings = tuple(
                dict.fromkeys(o for s in users for o in s.dkim_selectors if o != selector)
            )
            name = key_name(selector, domain)
            targets[Target.for_name(name)] = Selector(name, domain, selector, users, siblings)
    return targets


def dkim_keys(sprint: Sprint) -> list[Target]:
    return list(plan(sprint.email))
