"""Stage 5, email deliverability: SPF, DKIM, DMARC, MX and MTA-STS of the email domain, and
the mailbox providers' sender rules on the messages the seed inbox test delivered.

The stage's checks are declared here: what each is called and which targets it runs on. Each
runs from the module named in its declaration, imported on its first run (see RunsIn), so
that listing the checks loads none of the network stack.
"""

from __future__ import annotations

from launchtui.checks.email import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

register(
    Check(
        id="email.dkim",
        stage="email",
        severity=Severity.BLOCKER,
        title="DKIM keys published and sound",
        targets=targets.dkim_keys,
        run=RunsIn("launchtui.checks.email.dkim"),
    )
)
register(
    Check(
        id="email.dmarc",
        stage="email",
        severity=Severity.BLOCKER,
        title="DMARC policy with reporting",
        targets=targets.mail_domain,
        run=RunsIn("launchtui.checks.email.dmarc"),
        audit=True,
    )
)
register(
    Check(
        id="email.mta-sts",
        stage="email",
        severity=Severity.LOW,
        title="MTA-STS and TLS-RPT",
        targets=targets.mail_domain,
        run=RunsIn("launchtui.checks.email.mta_sts"),
    )
)
register(
    Check(
        id="email.mx",
        stage="email",
        severity=Severity.HIGH,
        title="MX records receive mail",
        targets=targets.mail_domain,
        run=RunsIn("launchtui.checks.email.mx"),
    )
)
register(
    Check(
        id="email.spf",
        stage="email",
        severity=Severity.BLOCKER,
        title="SPF authorizes your senders",
        targets=targets.mail_domain,
        run=RunsIn("launchtui.checks.email.spf"),
    )
)
register(
    Check(
        id="email.sender-rules",
        stage="email",
        severity=Severity.HIGH,
        title="Delivered mail meets the providers' sender rules",
        targets=targets.mail_domain,
        run=RunsIn("launchtui.checks.email.sender_rules"),
    )
)
