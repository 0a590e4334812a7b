"""The catalogue of common sending services: the SPF include each needs and its DKIM selectors.

A sprint names its senders in `[email].senders` by the keys below. The includes are the ones
each service documents for the envelope (MAIL FROM) domain; the selectors are the ones the
service publishes by default, tried when the sprint declares no `dkim_selectors` of its own.
Services that generate per-customer selectors (Amazon SES Easy DKIM) list none: the sprint
must declare them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sender:
    key: str  # how a sprint file names it
    title: str
    spf_include: str  # the domain of the `include:` mechanism the service documents
    dkim_selectors: tuple[str, ...] = ()


SENDERS: dict[str, Sender] = {
    s.key: s
    for s in (
        Sender("google-workspace", "Google Workspace", "_spf.google.com", ("google",)),
        Sender(
            "microsoft-365",
            "Microsoft 365",
            "spf.protection.outlook.com",
            ("selector1", "selector2"),
        ),
        Sender("postmark", "Postmark", "spf.mtasv.net", ("pm",)),
        Sender("sendgrid", "SendGrid", "sendgrid.net", ("s1", "s2")),
        Sender("mailgun", "Mailgun", "mailgun.org", ("k1", "mx", "smtp")),
        Sender("amazon-ses", "Amazon SES", "amazonses.com"),
        Sender("resend", "Resend", "amazonses.com", ("resend",)),
        Sender("mailchimp", "Mailchimp", "servers.mcsv.net", ("k2", "k3")),
        Sender(
            "mandrill", "Mandrill (Mailchimp Transactional)", "spf.mandrillapp.com", ("mandrill",)
        ),
        Sender("brevo", "Brevo", "spf.brevo.com", ("brevo1", "brevo2", "mail")),
        Sender("zoho", "Zoho Mail", "zoho.com", ("zmail",)),
    )
}


def known_senders() -> str:
    """The catalogue's keys, for error messages."""
    return ", ".join(sorted(SENDERS))


def sender(key: str) -> Sender:
    """The catalogue entry for `key`; KeyError for a name the catalogue does not know."""
    return SENDERS[key]
