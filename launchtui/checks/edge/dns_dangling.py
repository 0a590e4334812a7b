"""dns.dangling: no hostname is a CNAME into a name that no longer exists (subdomain takeover).

The chain is followed one CNAME at a time (a query of type CNAME is never chased by a resolver,
so every step is seen even when the end is in another provider's zone). A chain that ends in
NXDOMAIN outside the hostname's own zone fails: whoever claims that name (an app, bucket or
site at a hosting or SaaS provider, or the lapsed domain itself) serves the subdomain. One that
ends in NXDOMAIN or without an address inside the zone is broken but only its owner can fix or
exploit it, so it warns; dns.resolve fails it anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.net import authoritative
from launchtui.net.commands import Commands
from launchtui.net.dns import Answer

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MAX_CHAIN = 8  # CNAMEs followed before the chain counts as broken

# Hosting and SaaS suffixes where anyone can claim a free name: a CNAME there to a name that
# no longer exists is the classic subdomain takeover.
TAKEOVER_SUFFIXES = {
    "github.io": "GitHub Pages",
    "herokuapp.com": "Heroku",
    "herokudns.com": "Heroku",
    "azurewebsites.net": "Azure App Service",
    "cloudapp.net": "Azure",
    "cloudapp.azure.com": "Azure",
    "trafficmanager.net": "Azure Traffic Manager",
    "blob.core.windows.net": "Azure Storage",
    "s3.amazonaws.com": "Amazon S3",
    "elasticbeanstalk.com": "AWS Elastic Beanstalk",
    "cloudfront.net": "Amazon CloudFront",
    "netlify.app": "Netlify",
    "netlify.com": "Netlify",
    "vercel.app": "Vercel",
    "pages.dev": "Cloudflare Pages",
    "fly.dev": "Fly.io",
    "surge.sh": "Surge",
    "myshopify.com": "Shopify",
    "zendesk.com": "Zendesk",
    "readthedocs.io": "Read the Docs",
    "ghost.io": "Ghost",
    "bubbleapps.io": "Bubble",
    "webflow.io": "Webflow",
    "wpengine.com": "WP Engine",
    "pantheonsite.io": "Pantheon",
    "bitbucket.io": "Bitbucket",
    "helpscoutdocs.com": "Help Scout Docs",
    "statuspage.io": "Statuspage",
    "unbouncepages.com": "Unbounce",
}


def provider(name: str) -> str | None:
    """The takeover-prone provider that hosts `name`, if it is one of the known ones."""
    name = name.rstrip(".").lower()
    labels = name.split(".")
    if name.endswith(".amazonaws.com") and any(x.startswith("s3-website") for x in labels):
        return "Amazon S3 website"
    for suffix, label in TAKEOVER_SUFFIXES.items():
        if name.endswith("." + suffix):
            return label
    return None


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    chain: list[str] = []
    name = host
    while True:
        lookup = await ctx.net.dns.lookup(name, "CNAME")
        if lookup.answer is not Answer.FOUND:
            break
        name = lookup.records[0].lower()
        if name in chain or name == host.lower() or len(chain) == MAX_CHAIN:
            return _broken(host, [*chain, name], "the CNAME chain loops or is too long", ctx)
        chain.append(name)
    evidence: dict[str, object] = {"resolver": ctx.net.dns.label, "cname_chain": chain}
    if not chain:
        what = "does not exist (NXDOMAIN)" if lookup.answer is Answer.NXDOMAIN else "is not a CNAME"
        return Outcome(Status.PASS, f"{host} {what}: no CNAME to dangle", evidence)
    if lookup.answer is Answer.NODATA:
        for rdtype in ("A", "AAAA"):
            addresses = await ctx.net.dns.lookup(name, rdtype)
            if addresses.records:
                evidence[rdtype.lower()] = list(addresses.records)
                return Outcome(
                    Status.PASS,
                    f"{host} is a CNAME to {name}, which resolves to "
                    f"{', '.join(addresses.records)}",
                    evidence,
                )
        return _broken(host, chain, f"{name} exists but has no address", ctx)
    zone = await authoritative.find_zone(ctx.net.dns, host)
    evidence["zone"] = zone.apex
    if name == zone.apex or name.endswith("." + zone.apex):
        return _broken(host, chain, f"{name} does not exist (NXDOMAIN) in your own zone", ctx)
    owner = next((p for n in reversed(chain) if (p := provider(n))), None)
    if owner is not None:
        evidence["provider"] = owner
        return Outcome(
            Status.FAIL,
            f"{host} is a CNAME to {name} ({owner}), which does not exist: anyone who "
            f"claims that name at {owner} serves {host}",
            evidence,
            fix=_fix_takeover(host, name, owner, ctx.net.commands),
        )
    return Outcome(
        Status.FAIL,
        f"{host} is a CNAME to {name}, which does not exist (NXDOMAIN) outside your zone: "
        "a dangling CNAME",
        evidence,
        fix=_fix_takeover(host, name, None, ctx.net.commands),
    )


def _broken(host: str, chain: list[str], why: str, ctx: CheckContext) -> Outcome:
    return Outcome(
        Status.WARN,
        f"{host} is a CNAME that leads nowhere: {why}",
        {"resolver": ctx.net.dns.label, "cname_chain": chain},
        fix=f"{host} is broken (no address at the end of its CNAME chain) but not open to a "
        "takeover: the missing name is one only you can create.\n"
        f"1. Point the CNAME of {host} at the name that really serves it, or add the "
        "missing record, or delete the CNAME if the hostname is no longer used.\n"
        f"2. Verify: `{ctx.net.commands.dig(host, 'A')}` ends in an address.",
    )


def _fix_takeover(host: str, target: str, owner: str | None, commands: Commands) -> str:
    where = f"at {owner}" if owner else "(or its lapsed domain, by registering it)"
    return (
        f"{host} still points (CNAME) at {target}, which nobody holds any more. Anyone who "
        f"claims that name {where} can serve pages, set cookies and phish your members on "
        f"{host}, with a valid certificate.\n"
        f"1. Today: delete the CNAME record of {host} at your DNS provider, or point it at "
        "the service that really serves it now.\n"
        f"2. If {host} should keep working there, first re-create the app or site named "
        f"{target} in your own account, then keep the CNAME.\n"
        "3. Remove CNAMEs together with the apps they point at from now on.\n"
        f"4. Verify: `{commands.dig(host, 'CNAME')}` prints nothing, or a name that "
        f"`{commands.dig('<that name>', 'A')}` resolves."
    )
