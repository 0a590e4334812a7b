"""deploy.repo: the app repository ([deploy].repo) locks its dependencies, documents its
deploy and commits no .env file.

Target: the setting [deploy].repo (skipped without it). The repository is read by
launchtui.deploy.repo in a thread (git runs there).

- fail: an ecosystem's manifest without its lockfile (package.json without package-lock.json,
  yarn.lock or pnpm-lock.yaml...), no documented deploy (Procfile, Dockerfile, fly.toml,
  render.yaml, vercel.json, app.json, a CI workflow that deploys, DEPLOY.md or a README
  section about deploying), a .env file committed to git (.env.example and the like are fine)
- warn: Python requirements without --hash and no lockfile; no manifest launchtui knows; a .env
  on disk in a folder that is not a git repository (whether it is committed is unknown)
- error: the folder is missing or unreadable, or git fails on it

What it finds is offered as evidence on the "Deploy steps documented" task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from launchtui.background import in_daemon_thread
from launchtui.deploy.repo import RepoError, RepoFindings, inspect
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext


async def run(ctx: CheckContext, target: Target) -> Outcome:
    path = ctx.sprint.deploy_repo
    if path is None:
        return Outcome(
            Status.SKIP,
            "no [deploy].repo declared: the app repository is not checked",
            fix="Name the app's repository (a local clone) in the sprint file, e.g.\n"
            '[deploy]\nrepo = "../acme-app"\nthen run the check again.',
        )
    try:
        found = await in_daemon_thread(lambda: inspect(path), "launchtui-repo")
    except RepoError as exc:
        return Outcome(
            Status.ERROR,
            f"could not check: {exc}",
            {"path": str(path)},
            fix=f"Nothing about the repository was verified. Make {path} a readable clone of "
            "the app's repository (or correct [deploy].repo), then run the check again.",
        )
    return _verdict(found)


def evidence_of(found: RepoFindings) -> Evidence:
    evidence: Evidence = {
        "path": str(found.path),
        "git": found.git,
        "ecosystems": found.ecosystems,
        "lockfiles": found.lockfiles,
        "deploy_docs": found.deploy_docs,
    }
    if found.unlocked:
        evidence["unlocked"] = found.unlocked
    if found.unhashed:
        evidence["requirements_without_hashes"] = found.unhashed
    if found.committed_env:
        evidence["committed_env_files"] = found.committed_env
    if found.uncommitted_env:
        evidence["env_files_not_committed"] = found.uncommitted_env
    if found.unknown_env:
        evidence["env_files_git_unknown"] = found.unknown_env
    return evidence


def _verdict(found: RepoFindings) -> Outcome:
    evidence = evidence_of(found)
    failures, warnings, steps = [], [], []
    if found.unlocked:
        failures.append("no lockfile (" + "; ".join(found.unlocked) + ")")
        steps.append(
            "Commit the lockfile your package manager writes (`npm install` writes "
            "package-lock.json, `bundle lock` Gemfile.lock, `uv lock` uv.lock, `go mod tidy` "
            "go.sum...) and deploy with the frozen install (`npm ci`, `bundle install "
            "--deployment`, `uv sync --frozen`): a deploy without one installs whatever "
            "versions are newest that day."
        )
    if not found.deploy_docs:
        failures.append("no documented deploy")
        steps.append(
            "Document the deploy where the code lives: a Procfile, Dockerfile or the platform's "
            "file (fly.toml, render.yaml, vercel.json, app.json), a CI workflow that deploys, "
            "or a DEPLOY.md / README section with the exact commands, approvals and rollback."
        )
    if found.committed_env:
        failures.append(".env committed: " + ", ".join(found.committed_env))
        steps.append(
            "Remove the env file from git (`git rm --cached " + found.committed_env[0] + "`), "
            "add it to .gitignore, keep a .env.example with placeholders, and rotate every "
            "secret it held: it stays in the history and in every clone."
        )
    if found.unhashed:
        warnings.append("requirements without hashes: " + ", ".join(found.unhashed))
        steps.append(
            "Pin Python dependencies with hashes (`pip-compile --generate-hashes`, or `uv lock`)."
        )
    if not found.ecosystems:
        warnings.append("no package manifest launchtui knows (lockfile not checked)")
    if found.unknown_env:
        warnings.append(
            "not a git repository: cannot tell whether "
            + ", ".join(found.unknown_env)
            + " is committed"
        )
    if failures or warnings:
        return Outcome(
            Status.FAIL if failures else Status.WARN,
            f"{found.path.name}: " + "; ".join(failures + warnings),
            evidence,
            fix="\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
            or "Run the check again from a git clone of the app repository.",
        )
    return Outcome(Status.PASS, f"{found.path.name}: {describe(found)}", evidence)


def describe(found: RepoFindings) -> str:
    """What the repository documents, in one line (also the task's evidence)."""
    parts = [f"deploy documented in {', '.join(found.deploy_docs)}"]
    if found.lockfiles:
        parts.append(f"lockfile {', '.join(found.lockfiles)}")
    if found.git:
        parts.append("no .env committed")
    return "; ".join(parts)
