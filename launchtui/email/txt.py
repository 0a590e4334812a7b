"""TXT records as mail protocols read them: the character-strings of one record joined.

DnsClient returns records in presentation form ("v=DMARC1; " "p=none", quoted, escaped);
DMARC, MTA-STS and TLS-RPT records are the concatenation of the strings with nothing in
between. Bytes that are not UTF-8 stay visible as backslash escapes instead of vanishing.
"""

from __future__ import annotations

from launchtui.net.dns import Answer, DnsClient


def txt_value(presentation: str, errors: str = "backslashreplace") -> str:
    """The text of one TXT record given in presentation form; bytes that are not UTF-8 are
    decoded with `errors` (shown as escapes by default; SPF and DKIM parse U+FFFD instead)."""
    # Imported here: dnspython loads when a record is read, not when checks are listed.
    import dns.exception
    import dns.rdata
    import dns.rdtypes.ANY.TXT

    try:
        rdata = dns.rdata.from_text("IN", "TXT", presentation)
    except dns.exception.DNSException:
        return presentation  # not TXT presentation text after all: keep it as it came
    assert isinstance(rdata, dns.rdtypes.ANY.TXT.TXT)
    return b"".join(rdata.strings).decode("utf-8", errors)


async def txt_records(client: DnsClient, name: str) -> list[str]:
    """The TXT records at `name` as text; none when the name or the type does not exist.
    NetError when no answer could be had."""
    lookup = await client.lookup(name, "TXT")
    if lookup.answer is not Answer.FOUND:
        return []
    return [txt_value(record) for record in lookup.records]


def shorten(text: str, limit: int = 2048) -> str:
    """`text` cut to `limit` characters, saying how much was left out (huge records)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"
