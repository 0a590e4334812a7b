"""tls.protocol: every public hostname speaks TLS 1.2 or later, and no longer TLS 1.0/1.1."""

from __future__ import annotations

import asyncio
import functools
import ssl
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands
from launchtui.net.connect import format_hostport

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

# Deprecated versions (RFC 8996). ssl marks their names deprecated: that is the point here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    LEGACY = {"TLSv1.0": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}

# OpenSSL reasons that mean this machine could not even offer the version (not the server).
_LOCAL_REFUSALS = {"NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE"}


@dataclass(frozen=True, slots=True)
class Attempt:
    """One handshake: accepted (with version and cipher), refused (with why), or untestable."""

    accepted: bool
    detail: str  # version and cipher, or the reason
    peer: str = ""
    untestable: bool = False

    def describe(self) -> str:
        if self.untestable:
            return f"not testable from this machine: {self.detail}"
        return f"accepted ({self.detail})" if self.accepted else f"refused ({self.detail})"


@functools.cache
def _modern_context() -> ssl.SSLContext:
    # Certificates are tls.certificate's business: an expired one must not hide the protocol
    # (and without verification, no trust store needs loading: ~17 ms each time).
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@functools.cache
def _legacy_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = version
        context.maximum_version = version
    # OpenSSL 3 will not even offer TLS 1.0/1.1 above security level 0 (SHA-1 signatures).
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def _attempt(ctx: CheckContext, host: str, context: ssl.SSLContext) -> Attempt:
    """Raises NetError when the server cannot be reached or the handshake stalls."""
    try:
        async with ctx.net.connector.stream(
            host, 443, tls=context, handshake_timeout=ctx.net.timeouts.connect
        ) as (_reader, writer, address):
            ssl_object = writer.get_extra_info("ssl_object")
            version = str(ssl_object.version() or "unknown version")
            cipher = ssl_object.cipher()
            detail = f"{version}, {cipher[0]}" if cipher else version
            return Attempt(True, detail, format_hostport(address))
    except ssl.SSLError as exc:
        reason = str(exc.reason or exc)
        local = reason in _LOCAL_REFUSALS
        return Attempt(False, reason.replace("_", " ").lower(), untestable=local)
    except OSError as exc:  # reset or closed mid-handshake: the server would not have it
        return Attempt(
            False, f"connection closed: {exc.strerror or str(exc) or type(exc).__name__}"
        )


def _unsupported_locally(name: str) -> Attempt | None:
    has = {"TLSv1.0": ssl.HAS_TLSv1, "TLSv1.1": ssl.HAS_TLSv1_1}[name]
    if has:
        return None
    return Attempt(
        False, f"Python's OpenSSL ({ssl.OPENSSL_VERSION}) has no {name}", untestable=True
    )


async def _legacy(ctx: CheckContext, host: str, name: str) -> Attempt:
    unsupported = _unsupported_locally(name)
    if unsupported is not None:
        return unsupported
    return await _attempt(ctx, host, _legacy_context(LEGACY[name]))


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    modern = await _attempt(ctx, host, _modern_context())
    attempts = await asyncio.gather(*(_legacy(ctx, host, name) for name in LEGACY))
    legacy = dict(zip(LEGACY, attempts, strict=True))
    evidence: dict[str, object] = {"TLSv1.2+": modern.describe()}
    if modern.peer:
        evidence["connected_to"] = modern.peer
    evidence |= {name: attempt.describe() for name, attempt in legacy.items()}
    old = [name for name, attempt in legacy.items() if attempt.accepted]
    if not modern.accepted:
        only = f"; it accepts only {' and '.join(old)}" if old else ""
        return Outcome(
            Status.FAIL,
            f"{host}:443 refused a TLS 1.2/1.3 handshake ({modern.detail}){only}",
            evidence,
            fix=_fix_no_modern(host, ctx.net.commands),
        )
    if old:
        return Outcome(
            Status.WARN,
            f"{host}: {modern.detail.split(',')[0]} offered, but {' and '.join(old)} still "
            "accepted",
            evidence,
            fix=_fix_legacy(host, old, ctx.net.commands),
        )
    untestable = [name for name, attempt in legacy.items() if attempt.untestable]
    if untestable:
        return Outcome(
            Status.ERROR,
            f"{host}: {modern.detail.split(',')[0]} offered, but whether "
            f"{' and '.join(untestable)} is still accepted could not be tested from here",
            evidence,
            fix="Run the check from a machine whose OpenSSL can still offer TLS 1.0/1.1, or "
            f"test by hand: `{ctx.net.commands.s_client(host, '-tls1 -cipher DEFAULT@SECLEVEL=0')} "
            "</dev/null` must fail.",
        )
    return Outcome(
        Status.PASS,
        f"{host}: {modern.detail}; TLS 1.0 and 1.1 refused",
        evidence,
    )


def _fix_no_modern(host: str, commands: Commands) -> str:
    return (
        f"Browsers need TLS 1.2 or 1.3: without it nobody can open https://{host}/.\n"
        f"1. Enable TLS 1.2 and 1.3 where {host} terminates TLS (nginx: "
        "`ssl_protocols TLSv1.2 TLSv1.3;`, Apache: `SSLProtocol -all +TLSv1.2 +TLSv1.3`; on "
        "Cloudflare: SSL/TLS > Edge Certificates > Minimum TLS Version = 1.2, TLS 1.3 on).\n"
        f"2. Verify: `{commands.s_client(host, '-tls1_2')} </dev/null` shows "
        "'Protocol  : TLSv1.2'."
    )


def _fix_legacy(host: str, old: list[str], commands: Commands) -> str:
    versions = " and ".join(old)
    flag = "-tls1" if "TLSv1.0" in old else "-tls1_1"
    return (
        f"{host} still accepts {versions}, deprecated since 2021 (RFC 8996) and refused by "
        "current browsers; payment providers (PCI DSS) require them off.\n"
        f"1. Set the minimum TLS version of {host} to 1.2 (nginx: `ssl_protocols TLSv1.2 "
        "TLSv1.3;`, Apache: `SSLProtocol -all +TLSv1.2 +TLSv1.3`; Cloudflare: SSL/TLS > Edge "
        "Certificates > Minimum TLS Version = TLS 1.2).\n"
        f"2. Verify: `{commands.s_client(host, f'{flag} -cipher DEFAULT@SECLEVEL=0')} "
        "</dev/null` fails with a protocol version alert."
    )
