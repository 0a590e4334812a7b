"""Stage 2, domain and edge: DNS, TLS and HTTP on every public hostname, and the edge.

The stage's checks are declared here: what each is called and which targets it runs on. Each
runs from the module named in its declaration, imported on its first run (see RunsIn), so
that listing the checks loads none of the network stack.
"""

from __future__ import annotations

from launchtui.checks.edge import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

register(
    Check(
        id="edge.cloudflare",
        stage="edge",
        severity=Severity.MEDIUM,
        title="Cloudflare in front of every hostname",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.cloudflare"),
    )
)
register(
    Check(
        id="dns.caa",
        stage="edge",
        severity=Severity.MEDIUM,
        title="CAA allows your CA",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.dns_caa"),
    )
)
register(
    Check(
        id="dns.consistency",
        stage="edge",
        severity=Severity.HIGH,
        title="Resolvers agree",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.dns_consistency"),
    )
)
register(
    Check(
        id="dns.dangling",
        stage="edge",
        severity=Severity.HIGH,
        title="No dangling CNAMEs",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.dns_dangling"),
    )
)
register(
    Check(
        id="dns.resolve",
        stage="edge",
        severity=Severity.BLOCKER,
        title="Hostnames resolve",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.dns_resolve"),
        audit=True,
    )
)
register(
    Check(
        id="http.canonical",
        stage="edge",
        severity=Severity.MEDIUM,
        title="Apex and www converge on the canonical host",
        targets=targets.canonical_pairs,
        run=RunsIn("launchtui.checks.edge.http_canonical"),
    )
)
register(
    Check(
        id="http.hsts",
        stage="edge",
        severity=Severity.MEDIUM,
        title="HSTS on every HTTPS host",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.http_hsts"),
    )
)
register(
    Check(
        id="http.https-redirect",
        stage="edge",
        severity=Severity.HIGH,
        title="HTTP redirects to HTTPS",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.http_https_redirect"),
        audit=True,
    )
)
register(
    Check(
        id="http.mixed-content",
        stage="edge",
        severity=Severity.HIGH,
        title="No mixed content on signup and checkout pages",
        targets=targets.key_flow_pages,
        run=RunsIn("launchtui.checks.edge.http_mixed_content"),
    )
)
register(
    Check(
        id="http.redirects",
        stage="edge",
        severity=Severity.HIGH,
        title="Old URLs reach their targets",
        targets=targets.redirect_pairs,
        run=RunsIn("launchtui.checks.edge.http_redirects"),
    )
)
register(
    Check(
        id="http.security-headers",
        stage="edge",
        severity=Severity.MEDIUM,
        title="Security headers and cookie flags on key pages",
        targets=targets.login_pages,
        run=RunsIn("launchtui.checks.edge.http_security_headers"),
    )
)
register(
    Check(
        id="edge.static-cache",
        stage="edge",
        severity=Severity.MEDIUM,
        title="Static assets cached, member content not",
        targets=targets.hostnames_and_private_urls,
        run=RunsIn("launchtui.checks.edge.static_cache"),
    )
)
register(
    Check(
        id="tls.certificate",
        stage="edge",
        severity=Severity.BLOCKER,
        title="TLS certificates valid",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.tls_certificate"),
        audit=True,
    )
)
register(
    Check(
        id="tls.protocol",
        stage="edge",
        severity=Severity.HIGH,
        title="TLS 1.2+ only",
        targets=targets.hostnames,
        run=RunsIn("launchtui.checks.edge.tls_protocol"),
    )
)
