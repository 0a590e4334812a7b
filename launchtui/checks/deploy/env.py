"""deploy.env: every variable production needs is set, not empty, not a placeholder, and
plausible for its kind; and the repo's .env.example agrees with [deploy].env_required.

One result per variable (the target is its name), so the table reads as the checklist the
deploy needs: each missing or wrong variable is its own row with its own fix, and a row that
turns from fail to pass shows which variable was fixed. The values come from
[deploy].env_source, read once per run for every row (launchtui.deploy.env/platforms); when
that source cannot be read, every row is an error (could not check), never a pass.

- pass: set, and plausible for its kind (a platform that shows names only, Fly.io or a
  Vercel sensitive variable: present, and the summary says the value was not checked)
- warn: debug mode on, plain http, a short secret, an unrecognised key shape; .env.example
  lists variables not required, or misses required ones
- fail: not set, empty, a placeholder, a URL to localhost or *.local, a Stripe test key
- error: the source cannot be read (file missing or malformed, API refusal, timeout, 401)
- skip: no [deploy].env_required, or no [deploy].env_source to read values from
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from launchtui.deploy import env as envcheck
from launchtui.errors import CredentialError
from launchtui.model.env import EnvSource, EnvVar
from launchtui.model.results import Outcome, Status
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

from launchtui.checks.deploy._targets import EXAMPLE, NOTHING_REQUIRED


async def run(ctx: CheckContext, target: Target) -> Outcome:
    sprint = ctx.sprint
    if target.value == NOTHING_REQUIRED:
        return Outcome(
            Status.SKIP,
            "no [deploy].env_required: no variables to check",
            fix="List the variables production needs in the sprint file, e.g.\n[deploy]\n"
            'env_required = ["DATABASE_URL", "STRIPE_SECRET_KEY", '
            '{ name = "APP_URL", kind = "url" }]\nthen run the check again.',
        )
    if target.value == EXAMPLE and sprint.deploy_repo is not None:
        return _example(sprint, sprint.deploy_repo)
    var = next(v for v in sprint.env_vars if v.name == target.value)
    source = sprint.env_source
    if source is None:
        return Outcome(
            Status.SKIP,
            f"{var.name}: no [deploy].env_source says where production's values are",
            fix=_SOURCE_FIX,
        )
    try:
        listing = await shared_listing(ctx, source)
    except envcheck.SourceError as exc:
        return Outcome(
            Status.ERROR,
            f"{var.name}: could not read the values: {exc}",
            {"source": envcheck.source_label(source, sprint.path.parent)},
            fix=_error_fix(source),
        )
    present = var.name in listing.values
    verdict = envcheck.judge(var, listing.values.get(var.name), present, listing)
    return _outcome(var, verdict, listing)


async def shared_listing(ctx: CheckContext, source: EnvSource) -> envcheck.Listing:
    """The source's listing, read once per run whatever the number of variables."""
    key = f"deploy.env:{source.text}"
    if key not in ctx.shared:
        ctx.shared[key] = asyncio.ensure_future(_read(ctx, source))
        # retrieved, so that a failure is not logged as never retrieved
        ctx.shared[key].add_done_callback(lambda done: done.cancelled() or done.exception())
    listing: envcheck.Listing = await asyncio.shield(ctx.shared[key])
    return listing


async def _read(ctx: CheckContext, source: EnvSource) -> envcheck.Listing:
    label = envcheck.source_label(source, ctx.sprint.path.parent)
    if source.kind == "dotenv":
        return envcheck.read_dotenv(source.path, label)
    if source.kind == "environment":
        return envcheck.read_environment()
    # Imported here: platform clients are only needed for a platform source.
    from launchtui.credentials import env_var
    from launchtui.deploy import platforms

    credential = platforms.CREDENTIALS[source.kind]
    try:
        token = await ctx.credential(credential)
    except CredentialError as exc:
        problem = f"the {credential} credential could not be read: {exc}"
        raise envcheck.SourceError(problem) from None
    if token is None:
        raise envcheck.SourceError(
            f"no {credential} credential: set it with `launchtui credentials set <sprint> "
            f"{credential}` or {env_var(credential)}"
        )
    return await platforms.listing(source.kind, source.location, ctx.net.http, token)


def _outcome(var: EnvVar, verdict: envcheck.Verdict, listing: envcheck.Listing) -> Outcome:
    evidence = verdict.evidence
    kind = var.kind if var.declared else f"{var.kind} (kind from its name)"
    if verdict.status is Status.PASS:
        if evidence.get("checked") == "presence only":
            summary = f"{var.name}: present in {listing.source}; {listing.unreadable}"
        else:
            summary = f"{var.name}: set in {listing.source}, plausible for a {kind}"
        return Outcome(Status.PASS, summary, evidence)
    summary = f"{var.name}, a {kind}: " + "; ".join(verdict.problems)
    return Outcome(verdict.status, summary, evidence, fix=_fix(var, verdict, listing.source))


def _fix(var: EnvVar, verdict: envcheck.Verdict, source: str) -> str:
    where = _WHERE.get(source.partition(":")[0], f"in {source}")
    what = _WHAT.get(var.kind, "its real production value")
    return (
        f"Set {var.name} {where} to {what}.\n"
        f"   Problem: {'; '.join(verdict.problems)}.\n"
        "Never paste the value into the sprint file, a ticket or chat: set it where the app "
        "reads it, then redeploy so the running instances pick it up.\n"
        f"Verify: `launchtui env-check <sprint>` (or run `launchtui check <sprint> --stage "
        "deploy`) shows the row as pass."
    )


_WHERE = {
    "heroku": "with `heroku config:set NAME=... -a <app>` (Settings > Config Vars)",
    "fly": "with `fly secrets set NAME=... -a <app>`",
    "vercel": "for the Production environment (Settings > Environment Variables, or "
    "`vercel env add NAME production`)",
    "render": "in the service's Environment tab (or the env-vars API)",
    "environment": "in the environment the app runs with (the CI or host's secrets)",
    "dotenv": "in the env file production reads",
}
_WHAT = {
    "url": "the public https:// URL production uses (not localhost or a .local name)",
    "database_url": "the production database's connection URL (a managed host, not localhost)",
    "payment_key": "the live-mode secret key (sk_live_... or a restricted rk_live_... key) "
    "from the Stripe dashboard in live mode",
    "token": "the production token from the provider's dashboard",
    "secret": "a long random value (e.g. `openssl rand -hex 32`), different from development's",
    "email": "the real sending or contact address",
    "bool": "false for debug settings in production",
}
_SOURCE_FIX = (
    "Say where production's values are read, in the sprint file's [deploy] table:\n"
    '   env_source = "dotenv:.env.production"   (a file, relative to the sprint file)\n'
    '   env_source = "environment"              (the process environment: the CI gate)\n'
    '   env_source = "heroku:APP" | "fly:APP" | "vercel:PROJECT" | "render:SERVICE"\n'
    "or run `launchtui env-check <sprint> --env-file F | --from-environment | --platform P "
    "--app NAME`."
)


def _error_fix(source: EnvSource) -> str:
    if source.kind == "dotenv":
        return (
            f"Nothing was verified. Make {source.location} readable and valid dotenv "
            "(NAME=value lines; quoted values may span lines), then run the check again."
        )
    if source.kind == "environment":
        return "Nothing was verified. Run the check where production's environment is set."
    from launchtui.credentials import env_var
    from launchtui.deploy import platforms

    credential = platforms.CREDENTIALS[source.kind]
    return (
        f"Nothing was verified. Check that the {credential} credential is set (`launchtui "
        f"credentials set <sprint> {credential}` or {env_var(credential)}), may read "
        f"{source.location}'s variables, and that {platforms.base(source.kind)} answers "
        f"(it is {platforms.BASE_ENV[source.kind]} when set); then run the check again."
    )


def _example(sprint: Sprint, repo: Path) -> Outcome:
    path = repo / EXAMPLE
    try:
        listing = envcheck.read_dotenv(path, EXAMPLE)
    except envcheck.SourceError as exc:
        if not path.exists():
            return Outcome(
                Status.WARN,
                f"{EXAMPLE}: the repo has none, so nobody learns which variables a deploy needs",
                {"repo": str(repo)},
                fix=f"Commit {path} listing every variable of [deploy].env_required with a "
                "harmless placeholder value (never a real one).",
            )
        return Outcome(
            Status.ERROR,
            f"{EXAMPLE}: could not be read: {exc}",
            {"repo": str(repo)},
            fix=f"Nothing was verified. Make {path} readable dotenv, then run the check again.",
        )
    comparison = envcheck.compare_example(list(sprint.env_required), listing.values)
    evidence = {
        "repo": str(repo),
        "not_required": list(comparison.not_required),
        "not_documented": list(comparison.not_documented),
    }
    problems: list[str] = []
    if comparison.not_documented:
        problems.append(f"missing required {', '.join(comparison.not_documented)}")
    if comparison.not_required:
        problems.append(f"lists {', '.join(comparison.not_required)}, not in env_required")
    if not problems:
        return Outcome(Status.PASS, f"{EXAMPLE}: lists exactly the required variables", evidence)
    return Outcome(
        Status.WARN,
        f"{EXAMPLE}: " + "; ".join(problems),
        evidence,
        fix=f"Make {path} and [deploy].env_required agree: add each required variable to "
        f"{EXAMPLE} with a placeholder value, and add to env_required each variable the app "
        "really needs in production (or remove it from the example when it is unused).",
    )
