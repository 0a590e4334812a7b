"""When a certificate is due for renewal, judged by its own lifetime: one rule for the
tls.certificate check and for everything that reads its verdict (the risk list).

A certificate's lifetime says when a working ACME client renews it. Certbot 4.0 renews at a
third of the lifetime left, at half for lifetimes under 10 days (EFF, "Certbot 4.0: Long Live
Short-Lived Certs", April 2025), as Let's Encrypt advises ("renew approximately two-thirds
through the lifetime"). Lifetimes keep shrinking: Let's Encrypt's "shortlived" profile issues
160-hour certificates, and its default moves to 45 days (64 days from 10 February 2027, 45 from
16 February 2028, letsencrypt.org/2025/12/02/from-90-to-45); CA/Browser Forum ballot SC-081
caps every public certificate at 200 days from 15 March 2026, 100 days from 15 March 2027 and
47 days from 15 March 2029. A flat "warn under 30 days" is wrong both ways: a 45-day certificate
with 20 days left is overdue, a six-day one is always "under 30 days".

The risk list (and so the handover) reads the check's `renewal_due`. The monitoring export of
stage 6 does not exist yet: its certificate-expiry alert must fire at this renewal point too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(days=1)
# Over SC-081's 100-day cap of 15 March 2027: a 200-day or year-long certificate, often renewed
# by hand or on a managed host's own schedule; a third of 398 days (133) would cry wolf, so
# these keep the flat rule below.
LONG_LIVED = timedelta(days=100)
LONG_WARN, LONG_FAIL = 30 * DAY, 7 * DAY
SHORT_LIVED = timedelta(days=10)  # Certbot renews these at half their lifetime
FAIL_AT_MOST = 7 * DAY  # fail under a sixth of the lifetime left, never more than a week


@dataclass(frozen=True, slots=True)
class Renewal:
    """The renewal plan of a certificate valid from `not_before` to `not_after`."""

    not_before: datetime
    not_after: datetime

    @property
    def lifetime(self) -> timedelta:
        return self.not_after - self.not_before

    @property
    def long_lived(self) -> bool:
        return self.lifetime > LONG_LIVED

    @property
    def renew_at(self) -> datetime:
        """When a working client renews: from here on the certificate is due."""
        if self.long_lived:
            return self.not_after - LONG_WARN
        share = 2 if self.lifetime < SHORT_LIVED else 3
        return self.not_after - self.lifetime / share

    @property
    def fail_at(self) -> datetime:
        """From here on too little time is left to fix a broken renewal calmly."""
        if self.long_lived:
            return self.not_after - LONG_FAIL
        return self.not_after - min(self.lifetime / 6, FAIL_AT_MOST)

    @property
    def rule(self) -> str:
        if self.long_lived:
            return "lifetime over 100 days: due 30 days before expiry, failing under 7"
        share = "half" if self.lifetime < SHORT_LIVED else "a third"
        return (
            f"due at {share} of the lifetime left (Certbot's renewal point), "
            "failing under a sixth (at most 7 days)"
        )

    def renewal_due(self, now: datetime) -> bool:
        return now >= self.renew_at

    def evidence(self, now: datetime) -> dict[str, object]:
        return {
            "lifetime_days": round(self.lifetime / DAY, 2),
            "renewal_point": f"{self.renew_at:%Y-%m-%dT%H:%M:%SZ}",
            "renewal_rule": self.rule,
            "renewal_due": self.renewal_due(now),
        }


def span(delta: timedelta) -> str:
    """A duration for a person: hours under two days, else whole days."""
    if delta < 2 * DAY:
        hours = round(delta / timedelta(hours=1))
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{int(delta / DAY)} days"
