"""perf.private-cache: a member's page is never served to someone else from a shared cache.

Targets: every [flows].private URL, and the posts flow. Identities: [performance].identities,
one or two credentials (see launchtui.perf.identity for what a credential holds); with one, the
second identity is an anonymous visitor. Credential values are sent, never stored or shown.

What is sent, per URL (GETs only, about a dozen, one at a time):
1. the URL as A; 2. the URL with a unique `launchtui-nocache` query as B: B's own page;
3. the URL as B, unchanged (a cache-busting-free repeat: a shared cache that stored A's
   page answers it with A's); with two members, 4. the busted URL anonymously.
Then four web cache deception variants (`/p/launchtui-<random>.css`, `/p;launchtui-….css`,
`/p%2Flaunchtui-….css`, `/p/.css?launchtui-probe=<random>`), each as A and then anonymously:
a CDN caching by file extension stores A's page there for anyone. The random part means
nothing real is ever stored.

A's marker: the words of A's page that B's own page lacks (A's name, say); with none (a page
every member sees alike), the page's SHA-256.

- fail: B got A's page (a leak); A's page is storable by shared caches (public, s-maxage or
  max-age without private; RFC 9111 sections 5.2.2.9, 5.2.2.10, 5.2.2.1); a response shows a
  shared-cache hit (Age, X-Cache: HIT, CF-Cache-Status: HIT); a deception variant answers
  A's page and is cacheable or was served from a cache to the anonymous visitor
- warn: nothing keeps shared caches out, nothing lets them in (no Cache-Control: heuristic
  freshness, RFC 9111 section 4.2.2; or only no-cache / max-age=0)
- pass: private or no-store (RFC 9111 sections 5.2.2.7, 5.2.2.5), B never got A's page, no
  variant stored; `private, max-age=600` is fine (the member's browser only)
- skip: no [performance].identities declared (saying nothing was verified)
- error: a declared credential not set, A's page not a 200 (a 5xx, a redirect to
  the login: the session is not accepted), no answer
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from launchtui.errors import CredentialError
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Kind, Target
from launchtui.net.fetched import Fetched
from launchtui.perf import cache_control, identity
from launchtui.perf.cache_control import Sharing
from launchtui.perf.identity import Identity

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

BODY_LIMIT = 512 * 1024
NOCACHE = "launchtui-nocache"
IDENTITIES_FIX = (
    "Declare who loads the private pages: two test members' session cookies (or bearer "
    "tokens) as credentials, e.g.\n[credentials]\n"
    'member_a_session = "session cookie of test member A"\n'
    'member_b_session = "session cookie of test member B"\n'
    "[performance]\n"
    'identities = ["member_a_session", "member_b_session"]\n'
    "then set each (`launchtui credentials set SPRINT member_a_session`, value like "
    "`session=…` or `Bearer …`; one identity alone is compared with an anonymous visitor) and "
    "run the check again."
)


@dataclass(frozen=True, slots=True)
class _Page:
    """Tells A's page from any other answer."""

    body: bytes
    mark: frozenset[str]

    def is_it(self, response: Fetched) -> bool:
        if response.status != 200:
            return False
        if self.mark:
            return identity.carries(response.body, self.mark)
        return identity.digest(response.body) == identity.digest(self.body)


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if target.kind is Kind.SETTING:
        return Outcome(
            Status.SKIP,
            "no [flows].private URL and no posts flow declared: no member page to check",
            fix="List the member-only pages in the sprint file, e.g.\n[flows]\n"
            'private = ["https://app.example.community/account"]\nthen run the check again.',
        )
    url = target.value
    idents = await _identities(ctx)
    if isinstance(idents, Outcome):
        return idents
    a, b = idents
    nonce = secrets.token_hex(6)
    evidence: Evidence = {
        "url": url,
        "identity_a": f"{a.label} ({a.sends})",
        "identity_b": f"{b.label} ({b.sends})",
    }
    a1 = await _get(ctx, url, a)
    evidence["a_status"] = a1.status
    if a1.status != 200:
        return _not_a_page(url, a, a1, evidence)
    busted = _with_query(url, f"{NOCACHE}={nonce}")
    b_own = await _get(ctx, busted, b)
    b1 = await _get(ctx, url, b)
    anon = identity.anonymous()
    anon_own = b_own if b.name == identity.ANONYMOUS else await _get(ctx, busted, anon)
    mark = identity.marker(a1.body, b_own.body)
    page = _Page(a1.body, mark)
    rules = cache_control.judge(a1.header("cache-control"), a1.header("expires"))
    evidence |= {
        "cache_control": rules.header or "(none)",
        "shared_caches": f"{rules.sharing.value}: {rules.reason}",
        "a_page": f"200, sha256 {identity.digest(a1.body)}",
        "b_own_page": f"{b_own.status}, sha256 {identity.digest(b_own.body)}",
        "b_repeat": f"{b1.status}, sha256 {identity.digest(b1.body)}",
        "marker": f"{len(mark)} words of A's page that B's lacks"
        if mark
        else "A's and B's pages are the same: A's page is told by its SHA-256",
    }
    fails: list[str] = []
    warns: list[str] = []
    legit_b = page.is_it(b_own)
    if page.is_it(b1) and not legit_b:
        fails.append(f"{b.label} was served {a.label}'s page from {url} (a shared cache leak)")
    if rules.sharing is Sharing.SHARED:
        fails.append(f"Cache-Control {rules.header!r} lets shared caches store it ({rules.reason})")
    elif rules.sharing is Sharing.UNCLEAR:
        warns.append(rules.reason)
    for who, response in (("A", a1), ("B", b1)):
        hit = cache_control.shared_hit(_headers(response))
        if hit:
            fails.append(f"{who}'s answer came from a shared cache ({hit})")
    anon_legit = page.is_it(anon_own)
    variants: list[str] = []
    for variant in deception_variants(url, nonce):
        verdict, line = await _deception(ctx, variant, a, anon, page, anon_legit)
        variants.append(line)
        if verdict:
            fails.append(line)
    evidence["deception"] = variants
    if fails:
        evidence["problems"] = fails + warns
        return Outcome(
            Status.FAIL,
            f"{url}: " + "; ".join(fails[:2]) + ("; …" if len(fails) > 2 else ""),
            evidence,
            fix=_fix(ctx, url, a1),
        )
    if warns:
        evidence["problems"] = warns
        return Outcome(
            Status.WARN,
            f"{url}: a member page with {warns[0]}",
            evidence,
            fix="Send `Cache-Control: private, no-store` on member pages (or `private, "
            "max-age=N` to let only the member's own browser keep them), so no CDN or proxy "
            f"stores them.\nVerify: `{ctx.net.commands.curl('-sI', url)}` with the member's "
            "cookie shows it.",
        )
    served = "same page for both identities" if not mark else f"{b.label} got its own page"
    return Outcome(
        Status.PASS,
        f"{url}: {rules.reason}; {served}; no cache deception variant stored",
        evidence,
    )


async def _identities(ctx: CheckContext) -> tuple[Identity, Identity] | Outcome:
    names = ctx.sprint.perf_identities
    if not names:  # not configured: skipped and saying so, as deploy.secrets without a repo
        return Outcome(
            Status.SKIP,
            "no [performance].identities declared: the member page was not loaded, nothing "
            "about its caching is verified",
            fix=IDENTITIES_FIX,
        )
    found: list[Identity] = []
    for name in names:
        try:
            value = await ctx.credential(name)
        except CredentialError as exc:
            return Outcome(
                Status.ERROR, f"could not check: credential {name}: {exc}", fix=IDENTITIES_FIX
            )
        if value is None:
            return Outcome(
                Status.ERROR,
                f"could not check: credential {name} is not set",
                {"credential": name},
                fix=f"Set it: `launchtui credentials set {ctx.sprint.id} {name}` (a test "
                "member's session cookie `session=…` or `Bearer <token>`), then run the check "
                "again.",
            )
        try:
            found.append(identity.from_credential(name, value))
        except identity.BadIdentity as exc:
            return Outcome(Status.ERROR, f"could not check: {exc}", fix=IDENTITIES_FIX)
    return found[0], found[1] if len(found) > 1 else identity.anonymous()


async def _get(ctx: CheckContext, url: str, who: Identity) -> Fetched:
    return await ctx.net.http.fetch(url, headers=dict(who.headers), max_body=BODY_LIMIT)


def _headers(response: Fetched) -> dict[str, str]:
    return {name: ", ".join(response.header_all(name)) for name, _ in response.headers}


def _with_query(url: str, extra: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def deception_variants(url: str, nonce: str) -> list[str]:
    """The URLs a CDN caching by extension would store while the app still answers the page:
    a path segment, a `;` path parameter, an encoded slash, and a bare extension."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or ""
    suffix = f"launchtui-{nonce}.css"

    def at(new_path: str, query: str = parts.query) -> str:
        return urlunsplit((parts.scheme, parts.netloc, new_path, query, ""))

    probe = f"launchtui-probe={nonce}"
    return [
        at(f"{path}/{suffix}"),
        at(f"{path};{suffix}"),
        at(f"{path}%2F{suffix}"),
        at(f"{path}/.css", f"{parts.query}&{probe}" if parts.query else probe),
    ]


async def _deception(
    ctx: CheckContext,
    variant: str,
    a: Identity,
    anon: Identity,
    page: _Page,
    anon_legit: bool,
) -> tuple[bool, str]:
    """(failed, what happened) for one variant: asked as A, then anonymously."""
    as_a = await _get(ctx, variant, a)
    if not page.is_it(as_a):
        return False, f"{variant}: {as_a.status}, not the member page"
    as_anon = await _get(ctx, variant, anon)
    if page.is_it(as_anon) and not anon_legit:
        hit = cache_control.shared_hit(_headers(as_anon))
        seen = f" ({hit})" if hit else ""
        return True, (
            f"cache deception: {variant} served A's page to an anonymous visitor from a cache{seen}"
        )
    rules = cache_control.judge(as_a.header("cache-control"), as_a.header("expires"))
    hit = cache_control.shared_hit(_headers(as_a)) or cache_control.shared_hit(_headers(as_anon))
    if rules.sharing is Sharing.SHARED or hit:
        why = hit or rules.reason
        return True, f"cache deception: {variant} answers A's page and is cacheable ({why})"
    return False, f"{variant}: answers the member page, but not cached ({rules.reason})"


def _not_a_page(url: str, a: Identity, response: Fetched, evidence: Evidence) -> Outcome:
    location = response.header("location")
    if location:
        evidence["location"] = location
    if response.status >= 500:
        why = f"{url} answers {response.status} to {a.label}"
    elif location or response.status in (401, 403):
        to = f" to {location}" if location else ""
        why = (
            f"{url} answers {response.status}{to} to {a.label}: its session or token is not "
            "accepted (expired, or for another site)"
        )
    else:
        why = f"{url} answers {response.status} to {a.label}, not the member page"
    return Outcome(
        Status.ERROR,
        f"could not check: {why}",
        evidence,
        fix="Nothing about caching was verified. Make the page answer 200 to the identity's "
        "credential (log in as the test member again and set the credential to the new "
        "session cookie), then run the check again.",
    )


def _fix(ctx: CheckContext, url: str, response: Fetched) -> str:
    return (
        "1. Send `Cache-Control: private, no-store` on every member page and API answer "
        "(RFC 9111 sections 5.2.2.7 and 5.2.2.5); never `public` or `s-maxage` on them.\n"
        "2. At the CDN, bypass the cache for requests carrying a session cookie or an "
        "Authorization header, and cache by extension only under the static asset folders "
        "(e.g. /static/*): never on paths the app also answers (web cache deception). Make "
        "the app answer 404 to unknown sub-paths (/account/x.css) instead of the page.\n"
        "3. Purge the CDN's cache of the affected paths: members' pages may be stored there.\n"
        f"4. Verify: `{ctx.net.commands.curl('-sI', url)}` shows `cache-control: private, "
        "no-store` and no Age or X-Cache: HIT, then run the check again."
    )
