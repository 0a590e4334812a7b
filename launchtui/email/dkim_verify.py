"""Verifying the DKIM signatures (RSA, and Ed25519 through PyNaCl) of a received message with
dkimpy, through our resolver.

dkimpy fetches each signature's key with a `dnsfunc(name)`; ours asks the sprint's
nameservers (the lab in tests and the demo) with a bounded timeout. dkimpy turns a DNS
failure into a plain "signature invalid", so ours raises an exception of its own that dkimpy
lets through: a key that could not be fetched is an `error`, never a `fail` nor a pass.
Results carry both launchtui's status word and the RFC 8601 dkim result, to compare with
the receiving server's Authentication-Results.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import dkim
import dkim.util
import dns.exception
import dns.name
import dns.nameserver
import dns.resolver

from launchtui.email import dkim_record as dkr
from launchtui.email.dns_sync import blocking_resolver
from launchtui.model.sprint import HostPort

MAX_SIGNATURES = 8  # signatures verified per message; any beyond are reported, not checked


class MessageUnreadable(ValueError):
    """The message is not RFC 5322 enough for its header fields to be read."""


class KeyLookupFailed(Exception):
    """The key's DNS lookup got no answer (timeout, SERVFAIL): not a dkimpy exception on
    purpose, so that dkimpy does not report it as an invalid signature."""


@dataclass(frozen=True, slots=True)
class SignatureResult:
    domain: str  # d=
    selector: str  # s=
    result: str  # "pass", "fail" or "error" (the key could not be fetched, or not checked)
    reason: str
    code: str  # the RFC 8601 dkim result: pass, fail, neutral, permerror or temperror

    def to_dict(self) -> dict[str, str]:
        return {
            "domain": self.domain,
            "selector": self.selector,
            "result": self.result,
            "reason": self.reason,
            "code": self.code,
        }


@dataclass(slots=True)
class _KeyLookup:
    """dkimpy's dnsfunc: TXT of a key name through our nameservers, remembering answers."""

    resolver: dns.resolver.Resolver
    answers: dict[str, str | None] = field(default_factory=dict)  # name -> record, None: none

    def __call__(self, name: bytes | str, timeout: float = 5.0) -> bytes | None:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        text = text.rstrip(".")
        try:
            qname = dns.name.from_text(text)
        except dns.exception.DNSException:  # no key can be published at a name that is invalid
            self.answers[text] = None
            return None
        try:
            answer = self.resolver.resolve(qname, "TXT", search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            self.answers[text] = None
            return None
        except dns.resolver.LifetimeTimeout:
            raise KeyLookupFailed(
                f"DNS lookup of {text} TXT timed out after {self.resolver.lifetime:g} s"
            ) from None
        except dns.resolver.NoNameservers:
            raise KeyLookupFailed(f"DNS lookup of {text} TXT failed (SERVFAIL)") from None
        except dns.exception.DNSException as exc:
            raise KeyLookupFailed(f"DNS lookup of {text} TXT failed: {exc}") from None
        records = [dkr.join_txt(rdata.strings) for rdata in answer]
        dkim_records = [r for r in records if dkr.looks_like_dkim(r)] or records
        self.answers[text] = dkim_records[0]
        return dkim_records[0].encode("utf-8")


class _Messages(logging.Handler):
    """Collects what dkimpy logs as errors: its only account of why a key was unusable."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _logger(handler: _Messages) -> logging.Logger:
    logger = logging.Logger("launchtui.dkim_verify", logging.ERROR)  # not in the global tree
    logger.addHandler(handler)
    return logger


def signature_tags(value: bytes) -> dict[str, str]:
    """The tags of a DKIM-Signature value as dkimpy reads them (RFC 6376 3.2), decoded; {}
    when it does not parse (the verification reports why)."""
    try:
        tags = dkim.util.parse_tag_value(value)
    except Exception:  # dkimpy's own parse errors
        return {}
    return {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in tags.items()}


def _signature_tags(value: bytes) -> tuple[str, str]:
    """(d=, s=) of a DKIM-Signature value, empty strings when it does not parse."""
    tags = signature_tags(value)
    return tags.get("d", ""), tags.get("s", "")


def verify_message(
    message: bytes, nameservers: tuple[HostPort, ...] = (), timeout: float = 5.0
) -> list[SignatureResult]:
    """One result per DKIM-Signature of `message` (raw RFC 5322), topmost first; [] if none.

    Blocking: each key lookup takes at most `timeout` seconds. MessageUnreadable when the
    header cannot be parsed at all.
    """
    lookup = _KeyLookup(blocking_resolver(nameservers, timeout))
    try:
        headers = dkim.DKIM(message).headers
    except dkim.DKIMException as exc:
        raise MessageUnreadable(f"cannot read the message's header: {_first_line(exc)}") from None
    except Exception as exc:  # dkimpy slipping on hostile input (a header starting folded)
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
        raise MessageUnreadable(f"cannot read the message's header ({reason})") from None
    signatures = [value for name, value in headers if name.lower() == b"dkim-signature"]
    results = []
    for index, value in enumerate(signatures):
        domain, selector = _signature_tags(value)
        if index >= MAX_SIGNATURES:
            reason = f"not checked: only the first {MAX_SIGNATURES} signatures are verified"
            results.append(SignatureResult(domain, selector, "error", reason, "neutral"))
            continue
        results.append(_verify_one(message, index, domain, selector, lookup, timeout))
    return results


async def verify_message_async(
    message: bytes, nameservers: tuple[HostPort, ...] = (), timeout: float = 5.0
) -> list[SignatureResult]:
    """verify_message() in a worker thread, for callers on an event loop."""
    return await asyncio.to_thread(verify_message, message, nameservers, timeout)


def _verify_one(
    message: bytes, index: int, domain: str, selector: str, lookup: _KeyLookup, timeout: float
) -> SignatureResult:
    handler = _Messages()
    verifier = dkim.DKIM(message, logger=_logger(handler), timeout=timeout)
    try:
        valid = bool(verifier.verify(idx=index, dnsfunc=lookup))
    except KeyLookupFailed as exc:
        return SignatureResult(domain, selector, "error", str(exc), "temperror")
    except dkim.DKIMException as exc:
        reason = _first_line(exc)
        # A body changed in transit failed verification (RFC 8601 "fail"); anything else
        # dkimpy raises (a malformed or expired signature) could not be verified at all.
        code = "fail" if reason.startswith("body hash mismatch") else "permerror"
        return SignatureResult(domain, selector, "fail", reason, code)
    except Exception as exc:  # dkimpy tripping over hostile input: nothing was verified
        reason = f"could not verify: {type(exc).__name__}: {_first_line(exc)}"
        return SignatureResult(domain, selector, "error", reason, "neutral")
    if valid:
        return SignatureResult(domain, selector, "pass", "signature verified", "pass")
    name = f"{selector}._domainkey.{domain}"
    if name in lookup.answers:
        key_problem = _key_problem(name, lookup.answers[name])
        if key_problem:
            return SignatureResult(domain, selector, "fail", key_problem, "permerror")
    reason = handler.messages[-1] if handler.messages else _MISMATCH
    return SignatureResult(domain, selector, "fail", reason, "fail")


_MISMATCH = (
    "the signature does not match the signed header fields (changed in transit, or signed "
    "with another key than the one published)"
)


def _key_problem(name: str, record: str | None) -> str:
    """Why the key at `name` cannot verify anything, in our words; "" if it looks usable."""
    if record is None:
        return f"no DKIM key published at {name}"
    try:
        parsed = dkr.parse_key_record(record)
        if parsed.revoked:
            return f"the key at {name} is revoked (p= is empty)"
        dkr.load_key(parsed)
    except dkr.KeyRecordError as exc:
        return f"the key at {name} is unusable: {exc}"
    return ""


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
