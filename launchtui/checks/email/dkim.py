"""email.dkim: every DKIM selector in use publishes a key receivers can verify with.

Targets are `<selector>._domainkey.<domain>` names: the sprint's `[email].dkim_selectors`, or,
when it declares none, the usual selectors of each declared sender from the catalogue. Each
record must exist (a CNAME to the provider is followed and shown), be the only DKIM record at
its name, parse per RFC 6376 section 3.6.1, not be revoked (`p=` empty), hold a key that loads
(RSA of at least 1024 bits, warned under 2048; or Ed25519) and not be left in testing mode.

Catalogue selectors are guesses: a service with several (Mailgun's k1, mx, smtp) signs with
one or some of them. A guessed selector that is not published passes when another of that
service's usual selectors is (the row says which); it fails only when none of them is, with a
fix that asks for the real selector to be declared. A declared selector must exist.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from launchtui.checks.email._targets import Selector, key_name, plan
from launchtui.email import dkim_record as dkr
from launchtui.email.txt import txt_value
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands
from launchtui.net.dns import Answer, Lookup
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MIN_RSA_BITS = 1024  # RFC 8301: signers must use at least 1024 bits, verifiers reject less
GOOD_RSA_BITS = 2048
MAX_RSA_BITS = 4096  # RFC 8301: verifiers need not validate larger keys
MAX_NAME = 253
# RFC 6376 3.1: selector = sub-domain *( "." sub-domain ); underscores are seen in the wild.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_SELECTOR = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def _selector(ctx: CheckContext, target: Target) -> Selector:
    planned = plan(ctx.sprint.email).get(target)
    if planned is not None:
        return planned
    name = target.text  # a stored result's target no longer planned: read its name
    selector, _, domain = name.partition("._domainkey.")
    return Selector(name, domain, selector if domain else "")


async def run(ctx: CheckContext, target: Target) -> Outcome:
    planned = _selector(ctx, target)
    if not planned.selector:
        return _undeclared(planned)
    if not _SELECTOR.fullmatch(planned.selector) or len(planned.name) > MAX_NAME:
        return Outcome(
            Status.FAIL,
            f"{planned.name}: {planned.selector!r} is not a DNS name a selector can have",
            fix=_fix_declare(planned.domain, "your sending service"),
        )
    lookup = await ctx.net.dns.lookup(planned.name, "TXT")
    evidence: Evidence = {"resolver": ctx.net.dns.label, "name": planned.name}
    if planned.senders:
        evidence["guessed_from"] = [s.title for s in planned.senders]
    if lookup.cnames:
        evidence["cname_chain"] = [planned.name, *lookup.cnames]
    if lookup.answer is not Answer.FOUND:
        return await _missing(ctx, planned, lookup, evidence)
    texts = [txt_value(record, errors="replace") for record in lookup.records]
    evidence["records"] = texts
    return judge(planned, texts, evidence, ctx.net.commands)


def judge(planned: Selector, texts: list[str], evidence: Evidence, commands: Commands) -> Outcome:
    """The verdict on the TXT records (strings joined) found at the selector's name."""
    name = planned.name
    candidates = [t for t in texts if dkr.looks_like_dkim(t)] if len(texts) > 1 else texts
    if len(candidates) > 1:
        return Outcome(
            Status.FAIL,
            f"{name}: {len(candidates)} DKIM records at one name: receivers may read any of "
            "them, so signatures fail at random",
            evidence,
            fix=_fix_several(planned, commands, len(candidates)),
        )
    if not candidates:
        return Outcome(
            Status.FAIL,
            f"{name}: {len(texts)} TXT records, none of them a DKIM key record",
            evidence,
            fix=_fix_publish(planned, commands),
        )
    text = candidates[0]
    evidence["record"] = text
    try:
        record = dkr.parse_key_record(text)
    except dkr.KeyRecordError as exc:
        return Outcome(
            Status.FAIL,
            f"{name}: the DKIM record is invalid: {exc}",
            evidence,
            fix=_fix_republish(planned, commands, str(exc)),
        )
    evidence |= {
        "key_type": record.key_type,
        "flags": list(record.flags),
        "service_types": list(record.service_types),
    }
    if record.hash_algorithms:
        evidence["hash_algorithms"] = list(record.hash_algorithms)
    if record.revoked:
        return Outcome(
            Status.FAIL,
            f"{name}: the key is revoked (p= is empty): every message signed with this "
            "selector fails DKIM",
            evidence,
            fix=_fix_revoked(planned, commands),
        )
    if not record.for_email:
        return Outcome(
            Status.FAIL,
            f"{name}: s={':'.join(record.service_types)} does not allow the key for email",
            evidence,
            fix=_fix_republish(planned, commands, "its s= tag excludes email"),
        )
    if record.hash_algorithms and "sha256" not in record.hash_algorithms:
        return Outcome(
            Status.FAIL,
            f"{name}: h={':'.join(record.hash_algorithms)} allows no sha256, and receivers "
            "reject sha1 signatures (RFC 8301)",
            evidence,
            fix=_fix_republish(planned, commands, "its h= tag allows only sha1"),
        )
    try:
        key = dkr.load_key(record)
    except dkr.KeyRecordError as exc:
        return Outcome(
            Status.FAIL,
            f"{name}: the key does not load: {exc}",
            evidence,
            fix=_fix_republish(planned, commands, str(exc)),
        )
    evidence |= {"bits": key.bits, "key_encoding": key.encoding}
    described = f"{key.key_type.upper() if key.key_type == 'rsa' else 'Ed25519'} {key.bits}-bit"
    if key.key_type == "rsa" and key.bits < MIN_RSA_BITS:
        return Outcome(
            Status.FAIL,
            f"{name}: {described} key: receivers reject keys under {MIN_RSA_BITS} bits "
            "(RFC 8301), so every signature fails",
            evidence,
            fix=_fix_rotate(planned, commands, key.bits),
        )
    findings: list[str] = []
    fixes: list[str] = []
    if key.key_type == "rsa" and key.bits < GOOD_RSA_BITS:
        findings.append(f"{described} key is weak (use {GOOD_RSA_BITS} bits)")
        fixes.append(_fix_rotate(planned, commands, key.bits))
    if key.key_type == "rsa" and key.bits > MAX_RSA_BITS:
        findings.append(f"{described} key is larger than receivers must support ({MAX_RSA_BITS})")
        fixes.append(_fix_rotate(planned, commands, key.bits))
    if record.testing:
        findings.append("t=y: the domain says it is testing DKIM, receivers may ignore failures")
        fixes.append(_fix_testing(planned, commands, record))
    others = len(texts) - 1
    if others:
        findings.append(
            f"{others} other TXT record(s) at the selector name: RFC 6376 3.6.2.2 leaves the "
            "result undefined"
        )
        fixes.append(_fix_several(planned, commands, len(texts)))
    if findings:
        return Outcome(Status.WARN, f"{name}: " + "; ".join(findings), evidence, "\n\n".join(fixes))
    return Outcome(Status.PASS, f"{name}: {described} key, published and loadable", evidence)


async def _missing(
    ctx: CheckContext, planned: Selector, lookup: Lookup, evidence: Evidence
) -> Outcome:
    name = planned.name
    state = "does not exist (NXDOMAIN)" if lookup.answer is Answer.NXDOMAIN else "has no TXT record"
    what = f"is a CNAME to {lookup.cnames[-1]}, which {state}" if lookup.cnames else state
    if planned.senders:
        published, failure = await _published(ctx, planned)
        if not published and failure is not None:
            raise failure  # none found, and one could not be asked: cannot tell
        evidence |= {"usual_selectors": [planned.selector, *planned.siblings], "found": published}
        titles = " / ".join(s.title for s in planned.senders)
        if published:
            return Outcome(
                Status.PASS,
                f"{name} {what}; {titles} publishes its key under "
                f"{', '.join(published)} instead (checked on its own row)",
                evidence,
            )
        others = f", nor do {titles}'s other usual selectors ({', '.join(planned.siblings)})"
        return Outcome(
            Status.FAIL,
            f"{name} {what}{others if planned.siblings else ''}: no DKIM key found for {titles}",
            evidence,
            fix=_fix_guessed(planned, ctx.net.commands),
        )
    return Outcome(
        Status.FAIL,
        f"{name} {what}: messages signed with selector {planned.selector} fail DKIM",
        evidence,
        fix=_fix_publish(planned, ctx.net.commands),
    )


async def _published(ctx: CheckContext, planned: Selector) -> tuple[list[str], NetError | None]:
    """The selector's sibling selectors that have a TXT record, and a lookup that failed."""
    published: list[str] = []
    failure: NetError | None = None
    for selector in planned.siblings:
        try:
            lookup = await ctx.net.dns.lookup(key_name(selector, planned.domain), "TXT")
        except NetError as exc:
            failure = failure or exc
            continue
        if lookup.answer is Answer.FOUND:
            published.append(selector)
    return published, failure


def _undeclared(planned: Selector) -> Outcome:
    if not planned.senders:
        return Outcome(
            Status.SKIP,
            f"{planned.domain}: no [email].dkim_selectors or senders declared: DKIM not checked",
            fix=_fix_declare(planned.domain, "your sending service"),
        )
    title = planned.senders[0].title
    return Outcome(
        Status.WARN,
        f"{planned.domain}: {title} uses per-domain DKIM selectors: declare them in "
        "[email].dkim_selectors to have them checked",
        {"sender": planned.senders[0].key},
        fix=_fix_declare(planned.domain, title),
    )


def _verify(planned: Selector, commands: Commands) -> str:
    return f"Verify: `{commands.dig(planned.name, 'TXT')}` shows one record starting v=DKIM1."


def _fix_declare(domain: str, service: str) -> str:
    return (
        f"launchtui checks DKIM at <selector>._domainkey.{domain}, and needs the selectors "
        f"{service} signs with.\n"
        f"1. In {service}'s dashboard, open the domain authentication (DKIM) settings for "
        f"{domain}: each record it asks for is named <selector>._domainkey.{domain}.\n"
        "2. List those selectors in the sprint file:\n"
        '[email]\ndkim_selectors = ["<selector>"]\n'
        "3. Run the check again."
    )


def _fix_publish(planned: Selector, commands: Commands) -> str:
    return (
        f"Receivers look up the public key for selector {planned.selector} at {planned.name}; "
        "without it every message signed with that selector fails DKIM, and DMARC with it.\n"
        "1. In the sending service's dashboard (domain authentication / DKIM settings), copy "
        f"the record it gives for {planned.name} (a TXT record starting v=DKIM1, or a CNAME "
        "to the service).\n"
        "2. Add it at your DNS provider exactly as given, then press the service's "
        "verify button.\n"
        f"3. {_verify(planned, commands)}"
    )


def _fix_guessed(planned: Selector, commands: Commands) -> str:
    titles = " / ".join(s.title for s in planned.senders)
    selectors = ", ".join([planned.selector, *planned.siblings])
    return (
        f"No key is published under {titles}'s usual DKIM selector(s) ({selectors}) at "
        f"_domainkey.{planned.domain}, so its messages are unsigned or fail DKIM.\n"
        f"1. Set up domain authentication for {planned.domain} in {titles}'s dashboard and "
        "publish the records it gives at your DNS provider.\n"
        "2. If it uses another selector, declare it so launchtui checks the right name:\n"
        '[email]\ndkim_selectors = ["<selector>"]\n'
        f"3. Verify: `{commands.dig(f'<selector>._domainkey.{planned.domain}', 'TXT')}`."
    )


def _fix_several(planned: Selector, commands: Commands, count: int) -> str:
    return (
        f"{planned.name} has {count} TXT records; RFC 6376 wants exactly one key record per "
        "selector, and receivers pick one at random.\n"
        "1. At your DNS provider, keep only the record the sending service currently gives "
        "for this selector and delete the others (an old key belongs under a new selector).\n"
        f"2. {_verify(planned, commands)}"
    )


def _fix_republish(planned: Selector, commands: Commands, problem: str) -> str:
    return (
        f"The record at {planned.name} is not a DKIM key receivers can use ({problem}).\n"
        "1. Copy the record again from the sending service's dashboard and replace this one "
        "at your DNS provider, exactly as given (a long key may be split into several quoted "
        "strings; that is fine, nothing else may change).\n"
        f"2. {_verify(planned, commands)}"
    )


def _fix_revoked(planned: Selector, commands: Commands) -> str:
    return (
        f"The key at {planned.name} has been revoked (p= is empty).\n"
        "1. If the service still signs with this selector, publish its current key from the "
        "dashboard.\n"
        "2. If it signs with another selector now, declare that one in "
        "[email].dkim_selectors and drop this one.\n"
        f"3. {_verify(planned, commands)}"
    )


def _fix_rotate(planned: Selector, commands: Commands, bits: int) -> str:
    return (
        f"The RSA key at {planned.name} has {bits} bits; use {GOOD_RSA_BITS}.\n"
        "1. Generate a new 2048-bit key in the sending service (or `openssl genrsa 2048` "
        "for your own server) under a NEW selector, and publish its record.\n"
        "2. Switch signing to the new selector, then after a few days revoke the old key by "
        f'publishing "v=DKIM1; p=" at {planned.name}.\n'
        f"3. Verify: `{commands.dig(f'<new selector>._domainkey.{planned.domain}', 'TXT')}`."
    )


def _fix_testing(planned: Selector, commands: Commands, record: dkr.KeyRecord) -> str:
    flags = [f for f in record.flags if f != "y"]
    tags = dict(record.tags)
    if flags:
        tags["t"] = ":".join(flags)
    else:
        tags.pop("t")
    fixed = "; ".join(f"{tag}={value}" for tag, value in tags.items())
    return (
        f"The record at {planned.name} has t=y (testing): receivers may treat failed "
        "signatures as if the mail were unsigned, so DKIM protects nothing.\n"
        f'1. Replace it at your DNS provider with:\n{planned.name}. TXT "{fixed}"\n'
        f"2. Verify: `{commands.dig(planned.name, 'TXT')}` shows no t=y."
    )
