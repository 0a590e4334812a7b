"""dns.caa: the CAA records (RFC 8659) allow the CA that issued the certificate being served.

CAA is looked up the way a CA does before it issues: the closest CAA record set walking up from
the hostname (aliases followed, as any lookup does), stopping above the top-level domain. With
no CAA anywhere, any CA may issue. Otherwise the certificate served on :443 is read and its
issuer mapped to the CA's CAA domain: if the records do not list it, the next renewal will be
refused. Critical properties no CA understands forbid every issuance. A private CA (one of
[network].ca_bundle) answers to [network].caa_domain when that is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from launchtui.model.results import Outcome, Status
from launchtui.model.sprint import NetworkConfig
from launchtui.model.targets import Target
from launchtui.net import certificate as certs
from launchtui.net.authoritative import ancestors
from launchtui.net.dns import Answer, DnsClient
from launchtui.net.errors import NetError
from launchtui.net.tls import HandshakeFailed, TlsProbe, probe_tls

if TYPE_CHECKING:
    from cryptography import x509  # the network stack loads when a check runs

    from launchtui.checks.context import CheckContext

CRITICAL = 128
KNOWN_TAGS = {
    "issue",
    "issuewild",
    "iodef",
    "issuemail",
    "issuevmc",
    "contactemail",
    "contactphone",
}

_SECTIGO = ("sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com")
_DIGICERT = ("digicert.com", "symantec.com", "geotrust.com", "rapidssl.com", "thawte.com")
# A word of the issuer's O= or CN= -> the CAA domains that CA accepts, first match wins.
CA_DOMAINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("let's encrypt", ("letsencrypt.org",)),
    ("zerossl", ("sectigo.com",)),  # ZeroSSL issues through Sectigo
    ("sectigo", _SECTIGO),
    ("comodo", _SECTIGO),
    ("digicert", _DIGICERT),
    ("geotrust", _DIGICERT),
    ("rapidssl", _DIGICERT),
    ("thawte", _DIGICERT),
    ("cloudflare", ("digicert.com",)),  # "Cloudflare Inc ECC CA-3" is run by DigiCert
    ("google trust services", ("pki.goog",)),
    ("amazon", ("amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com")),
    ("globalsign", ("globalsign.com",)),
    ("godaddy", ("godaddy.com", "starfieldtech.com")),
    ("starfield", ("starfieldtech.com", "godaddy.com")),
    ("entrust", ("entrust.net", "affirmtrust.com")),
    ("buypass", ("buypass.com", "buypass.no")),
    ("ssl.com", ("ssl.com",)),
)


@dataclass(frozen=True, slots=True)
class Property:
    flags: int
    tag: str
    value: str


def parse(records: tuple[str, ...]) -> list[Property]:
    # Imported here: dnspython loads when a check runs, not when checks are listed.
    import dns.rdata
    import dns.rdtypes.ANY.CAA

    properties = []
    for text in records:
        rdata = dns.rdata.from_text("IN", "CAA", text)
        assert isinstance(rdata, dns.rdtypes.ANY.CAA.CAA)
        tag, value = rdata.tag.decode("ascii", "replace"), rdata.value.decode("utf-8", "replace")
        properties.append(Property(rdata.flags, tag.lower(), value))
    return properties


def allowed_cas(properties: list[Property], wildcard: bool) -> set[str] | None:
    """The CA domains allowed to issue (empty: none is); None when no property restricts it.

    For a wildcard certificate issuewild properties take precedence over issue ones.
    """
    issue = [p for p in properties if p.tag == "issue"]
    issuewild = [p for p in properties if p.tag == "issuewild"]
    relevant = issuewild if wildcard and issuewild else issue
    if not relevant:
        return None
    # "letsencrypt.org; accounturi=..." names letsencrypt.org; an empty name (";") allows none.
    return {d for p in relevant if (d := p.value.split(";")[0].strip().lower().rstrip("."))}


def ca_domains(issuer: x509.Name, network: NetworkConfig | None = None) -> tuple[str, ...]:
    """The CAA domains of the CA named `issuer`; empty when it is not a known CA. A CA of the
    sprint's ca_bundle has its [network].caa_domain, if set."""
    from cryptography.x509.oid import NameOID

    if network is not None and network.caa_domain and _in_bundle(issuer, network.ca_bundle):
        return (network.caa_domain,)

    text = " ".join(
        str(attribute.value)
        for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME)
        for attribute in issuer.get_attributes_for_oid(oid)
    ).lower()
    return next((domains for word, domains in CA_DOMAINS if word in text), ())


def _in_bundle(issuer: x509.Name, bundle: Path | None) -> bool:
    from cryptography import x509

    if bundle is None:
        return False
    try:
        cas = x509.load_pem_x509_certificates(bundle.read_bytes())
    except (OSError, ValueError):  # the TLS probe has already reported an unusable bundle
        return False
    return any(ca.subject == issuer for ca in cas)


async def closest_caa(client: DnsClient, host: str) -> tuple[str, tuple[str, ...]] | None:
    """(owner, records) of the CAA record set that applies to `host`, None if there is none.

    An alias's set is its canonical name's, so that is the owner (the name to edit).
    """
    for name in ancestors(host):
        lookup = await client.lookup(name, "CAA")
        if lookup.answer is Answer.FOUND and lookup.records:
            return (lookup.cnames[-1] if lookup.cnames else name), lookup.records
    return None


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    found = await closest_caa(ctx.net.dns, host)
    if found is None:
        return Outcome(
            Status.PASS,
            f"{host}: no CAA record on it or its parent domains: any CA may issue",
            {"resolver": ctx.net.dns.label, "checked": ancestors(host)},
        )
    owner, records = found
    properties = parse(records)
    evidence: dict[str, object] = {
        "resolver": ctx.net.dns.label,
        "caa_owner": owner,
        "caa": list(records),
    }
    critical = [p.tag for p in properties if p.flags & CRITICAL and p.tag not in KNOWN_TAGS]
    if critical:
        return Outcome(
            Status.FAIL,
            f"{host}: CAA at {owner} has a critical property no CA knows ({critical[0]}): "
            "every CA must refuse to issue",
            evidence,
            fix=_fix_critical(owner, critical[0], ctx.net.commands.dig(owner, "CAA")),
        )
    if not any(p.tag in ("issue", "issuewild") for p in properties):
        return Outcome(
            Status.PASS, f"{host}: CAA at {owner} restricts no CA: any CA may issue", evidence
        )
    probe = await _served(ctx, host)
    domains = ca_domains(probe.certificate.issuer, ctx.net.config)
    verify = ctx.net.commands.dig(owner, "CAA")
    return judge(host, owner, properties, probe, domains, evidence, verify)


async def _served(ctx: CheckContext, host: str) -> TlsProbe:
    try:
        return await probe_tls(
            ctx.net.connector, host, 443, ctx.net.trust, ctx.net.timeouts.connect
        )
    except HandshakeFailed as exc:
        raise NetError(f"could not read the certificate {host}:443 serves: {exc}") from None


def judge(
    host: str,
    owner: str,
    properties: list[Property],
    probe: TlsProbe,
    domains: tuple[str, ...],
    evidence: dict[str, object],
    verify: str,
) -> Outcome:
    """The verdict on CAA `properties` (found at `owner`) for the certificate `probe` read,
    whose issuer has the CAA `domains`; `verify` is the command that shows the CAA set."""
    cert = probe.certificate
    names = [name.lower() for name in certs.dns_names(cert)]
    wildcard = host.lower() not in names and certs.matches_hostname(cert, host)
    allowed = allowed_cas(properties, wildcard)
    issuer = certs.issuer_name(cert.issuer)
    evidence = evidence | {
        "issuer": cert.issuer.rfc4514_string(),
        "issuer_caa_domains": list(domains),
        "allowed": sorted(allowed or ()),
        "wildcard_certificate": wildcard,
        "connected_to": probe.peer,
    }
    if allowed is None:
        return Outcome(
            Status.PASS,
            f"{host}: CAA at {owner} restricts only wildcard certificates; this one is not",
            evidence,
        )
    if not allowed:
        return Outcome(
            Status.FAIL,
            f'{host}: CAA at {owner} allows no CA at all (issue ";"): renewal will be refused',
            evidence,
            fix=_fix_forbidden(host, owner, issuer, domains, allowed, cert, verify),
        )
    if not domains:
        return Outcome(
            Status.WARN,
            f"{host}: CAA at {owner} allows {', '.join(sorted(allowed))}; the certificate's "
            f"issuer {issuer} is not a CA launchtui can match to a CAA domain",
            evidence,
            fix=_fix_unknown(host, owner, issuer, allowed, verify),
        )
    permitted = sorted(allowed.intersection(domains))
    if permitted:
        return Outcome(
            Status.PASS,
            f"{host}: CAA at {owner} allows {permitted[0]}, the CA of the certificate served "
            f"({issuer})",
            evidence,
        )
    return Outcome(
        Status.FAIL,
        f"{host}: CAA at {owner} allows only {', '.join(sorted(allowed))}, not {domains[0]} "
        f"which issued the certificate served ({issuer}): renewal will be refused",
        evidence,
        fix=_fix_forbidden(host, owner, issuer, domains, allowed, cert, verify),
    )


def _fix_forbidden(
    host: str,
    owner: str,
    issuer: str,
    domains: tuple[str, ...],
    allowed: set[str],
    cert: x509.Certificate,
    verify: str,
) -> str:
    domain = domains[0] if domains else "<your CA's CAA domain>"
    expiry = cert.not_valid_after_utc.strftime("%Y-%m-%d")
    listed = ", ".join(sorted(allowed)) or "no CA"
    return (
        f"The CAA records at {owner} allow {listed} to issue certificates for {host}, but "
        f"the certificate served now comes from {issuer}. Its CA will refuse to renew it, and "
        f"when it expires ({expiry}) visitors get a certificate error.\n"
        f"1. If {issuer} is your CA, add a CAA record at your DNS provider, keeping the ones "
        f'you still need: {owner}. CAA 0 issue "{domain}"\n'
        f"2. If you are moving to {listed}, get the new certificate from that CA and install "
        f"it before {expiry}.\n"
        f'3. Verify: `{verify}` lists 0 issue "{domain}".'
    )


def _fix_unknown(host: str, owner: str, issuer: str, allowed: set[str], verify: str) -> str:
    return (
        f"CAA at {owner} limits who may issue certificates for {host} to "
        f"{', '.join(sorted(allowed))}, and launchtui does not know which CAA domain "
        f"{issuer} (the issuer of the certificate served) uses, so it cannot tell whether "
        "renewal will work.\n"
        "1. Look up your CA's CAA identifier in its documentation (e.g. letsencrypt.org, "
        "pki.goog, sectigo.com, digicert.com).\n"
        f'2. If it is not listed, add it: {owner}. CAA 0 issue "<that domain>".\n'
        f"3. Verify: `{verify}`."
    )


def _fix_critical(owner: str, tag: str, verify: str) -> str:
    return (
        f"A CAA record at {owner} has the critical flag (128) on the property {tag}, which "
        "no CA implements: RFC 8659 makes every CA refuse to issue or renew certificates.\n"
        f"1. At your DNS provider, delete that record or set its flag to 0.\n"
        f"2. Verify: `{verify}` shows no record starting with 128 except "
        "issue, issuewild or iodef."
    )
