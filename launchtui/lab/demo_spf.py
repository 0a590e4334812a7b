"""The demo's SPF world: Harbor Club's record and the sending services' include zones.

The seeded fault: harborclub.test authorizes the lab relay first (ip4:127.0.0.1, so mail from
the relay passes at once), then `a`, `mx` and four services' includes, two of them (Mailgun,
Mailchimp) left over from services it no longer declares. Walking the whole tree costs 11 DNS
lookups, over the limit of 10, so a receiver evaluating any other address gets permerror.
And SendGrid, a declared sender, is missing. The includes carry records shaped like the real
services' (nested includes, ip4/ip6 ranges) in external zones the lab answers for.
"""

from __future__ import annotations

DEMO_ZONE = "harborclub.test"

DEMO_SPF = (
    "v=spf1 ip4:127.0.0.1 a mx include:_spf.google.com include:spf.mtasv.net "
    "include:mailgun.org include:servers.mcsv.net ~all"
)
FAULT = "SPF needs 11 DNS lookups (limit 10) and does not include SendGrid (sendgrid.net)"

# include domain -> its SPF record
INCLUDES: dict[str, str] = {
    "_spf.google.com": "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com "
    "include:_netblocks3.google.com ~all",
    "_netblocks.google.com": "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 "
    "ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 "
    "ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ~all",
    "_netblocks2.google.com": "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 "
    "ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 "
    "ip6:2c0f:fb50:4000::/36 ~all",
    "_netblocks3.google.com": "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 "
    "ip4:172.217.128.0/19 ip4:172.217.160.0/20 ip4:172.217.192.0/19 ip4:172.253.56.0/21 "
    "ip4:172.253.112.0/20 ip4:108.177.96.0/19 ip4:35.191.0.0/16 ip4:130.211.0.0/22 ~all",
    "spf.mtasv.net": "v=spf1 ip4:50.31.156.96/27 ip4:104.245.209.192/26 ip4:3.134.147.250 "
    "ip4:50.31.205.0/24 ~all",
    "mailgun.org": "v=spf1 include:_spf.mailgun.org include:_spf.eu.mailgun.org ~all",
    "_spf.mailgun.org": "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 ip4:198.61.254.0/23 "
    "ip4:192.237.158.0/23 ip4:23.253.182.0/23 ip4:104.130.96.0/28 ip4:146.20.113.0/24 "
    "ip4:146.20.191.0/24 ip4:159.135.224.0/20 ip4:69.72.32.0/20 ~all",
    "_spf.eu.mailgun.org": "v=spf1 ip4:141.193.32.0/23 ip4:159.112.240.0/20 ~all",
    "servers.mcsv.net": "v=spf1 ip4:205.201.128.0/20 ip4:198.2.128.0/18 ip4:148.105.8.0/21 ~all",
    "sendgrid.net": "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 "
    "ip4:198.37.144.0/20 ip4:198.21.0.0/21 ip4:192.254.112.0/20 ip4:168.245.0.0/17 "
    "ip4:149.72.0.0/16 ip4:159.183.0.0/16 ~all",
}

# The zones the lab answers for so that those records resolve (sendgrid.net too: the fix's
# corrected record includes it).
ZONES = (
    "_spf.google.com",
    "_netblocks.google.com",
    "_netblocks2.google.com",
    "_netblocks3.google.com",
    "spf.mtasv.net",
    "mailgun.org",
    "servers.mcsv.net",
    "sendgrid.net",
)


def demo_txt() -> dict[str, list[str]]:
    """The demo's TXT records: Harbor Club's SPF and the include zones' records."""
    return {DEMO_ZONE: [DEMO_SPF], **{owner: [spf] for owner, spf in INCLUDES.items()}}
