"""What an app repository says about its deploy: lockfiles, a documented deploy, env files.

Pure file and `git` work, no network, no Textual; `inspect` may block (it runs git), so a check
calls it in a thread. Only the repository's root is looked at for manifests and lockfiles (a
monorepo's packages are not), and every file read is capped.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

READ_LIMIT = 256 * 1024  # bytes of one file read to find a section or a deploy step
GIT_TIMEOUT = 20.0
MAX_WORKFLOWS = 50

# Ecosystem: (its manifests, its lockfiles). A Python project whose requirements files pin
# every package with --hash counts as locked too (pip's hash-checking mode).
ECOSYSTEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Node": (
        ("package.json",),
        (
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "bun.lockb",
        ),
    ),
    "Python": (
        ("pyproject.toml", "Pipfile", "setup.py", "requirements.txt"),
        ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock"),
    ),
    "Ruby": (("Gemfile",), ("Gemfile.lock",)),
    "Go": (("go.mod",), ("go.sum",)),
    "PHP": (("composer.json",), ("composer.lock",)),
    "Rust": (("Cargo.toml",), ("Cargo.lock",)),
}
# Files whose presence documents how the app is deployed (what runs, where).
DEPLOY_FILES = (
    "Procfile",
    "Dockerfile",
    "fly.toml",
    "render.yaml",
    "vercel.json",
    "netlify.toml",
    "app.json",
    "app.yaml",
    "railway.json",
    "railway.toml",
    "config/deploy.yml",  # Kamal
    "Capfile",  # Capistrano
)
DEPLOY_DOCS = ("DEPLOY.md", "DEPLOYING.md", "DEPLOYMENT.md", "docs/deploy.md", "docs/deployment.md")
READMES = ("README.md", "README.markdown", "README.rst", "README.txt", "README")
DEPLOY_WORD = re.compile(r"\bdeploy", re.IGNORECASE)
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.*\bdeploy.*?)\s*#*\s*$", re.IGNORECASE | re.MULTILINE)
RST_HEADING = re.compile(r"^(.*\bdeploy.*)\n[=\-~^\"'`#*+]{3,}\s*$", re.IGNORECASE | re.MULTILINE)
ENV_NAME = re.compile(r"^\.env(\..+)?$")
ENV_TEMPLATES = frozenset({"example", "sample", "template", "dist", "defaults", "schema"})


class RepoError(Exception):
    """The repository cannot be read (missing, not a folder, unreadable, git failed)."""


@dataclass(slots=True)
class RepoFindings:
    path: Path
    git: bool = False
    ecosystems: list[str] = field(default_factory=list)  # "Node (package.json)"
    lockfiles: list[str] = field(default_factory=list)
    unlocked: list[str] = field(default_factory=list)  # an ecosystem without a lockfile
    unhashed: list[str] = field(default_factory=list)  # requirements pinned without hashes
    deploy_docs: list[str] = field(default_factory=list)  # "Procfile", "README.md: ## Deploy"
    committed_env: list[str] = field(default_factory=list)
    uncommitted_env: list[str] = field(default_factory=list)  # on disk, not in git (fine)
    unknown_env: list[str] = field(default_factory=list)  # on disk, no git to ask


def inspect(path: Path) -> RepoFindings:
    """Read the repository at `path`. RepoError when it cannot be read."""
    try:
        if not path.is_dir():
            raise RepoError(
                f"{path} is not a folder" if path.exists() else f"{path} does not exist"
            )
        names = set(os.listdir(path))
    except OSError as exc:
        raise RepoError(f"{path}: {exc.strerror or exc}") from None
    findings = RepoFindings(path)
    _lockfiles(path, names, findings)
    _deploy_docs(path, findings)
    tracked = _git_files(path)
    findings.git = tracked is not None
    if tracked is not None:
        findings.committed_env = sorted(f for f in tracked if _is_env_file(f))
        on_disk = sorted(n for n in names if _is_env_file(n) and n not in tracked)
        findings.uncommitted_env = on_disk
    else:
        findings.unknown_env = sorted(n for n in names if _is_env_file(n))
    return findings


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    match = ENV_NAME.match(name)
    if match is None:
        return False
    suffix = (match.group(1) or "").lstrip(".").lower()
    return not any(part in ENV_TEMPLATES for part in suffix.split("."))


def _lockfiles(path: Path, names: set[str], findings: RepoFindings) -> None:
    requirements = sorted(n for n in names if re.fullmatch(r"requirements.*\.txt", n))
    for ecosystem, (manifests, locks) in ECOSYSTEMS.items():
        present = [m for m in manifests if m in names]
        if ecosystem == "Python" and requirements and "requirements.txt" not in present:
            present.append(requirements[0])
        if not present:
            continue
        if ecosystem == "Go" and not _reads(path / "go.mod").count("require"):
            findings.ecosystems.append(f"{ecosystem} ({present[0]}, no dependencies)")
            continue
        findings.ecosystems.append(f"{ecosystem} ({', '.join(present)})")
        found = [lock for lock in locks if lock in names]
        if ecosystem == "Python" and not found:
            hashed = [r for r in requirements if "--hash=" in _reads(path / r)]
            found = hashed
            if requirements and not hashed:
                findings.unhashed += requirements
        if found:
            findings.lockfiles += found
        elif not (ecosystem == "Python" and findings.unhashed):
            findings.unlocked.append(f"{ecosystem}: {', '.join(present)} without {_either(locks)}")


def _either(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _deploy_docs(path: Path, findings: RepoFindings) -> None:
    for name in DEPLOY_FILES:
        if (path / name).is_file():
            findings.deploy_docs.append(name)
    workflows = path / ".github" / "workflows"
    if workflows.is_dir():
        try:
            files = sorted(workflows.iterdir())[:MAX_WORKFLOWS]
        except OSError:
            files = []
        for file in files:
            if file.suffix in (".yml", ".yaml") and DEPLOY_WORD.search(_reads(file)):
                findings.deploy_docs.append(f".github/workflows/{file.name} (deploys)")
    gitlab = path / ".gitlab-ci.yml"
    if gitlab.is_file() and DEPLOY_WORD.search(_reads(gitlab)):
        findings.deploy_docs.append(".gitlab-ci.yml (deploys)")
    for name in DEPLOY_DOCS:
        if (path / name).is_file():
            findings.deploy_docs.append(name)
    for name in READMES:
        if (path / name).is_file():
            text = _reads(path / name)
            heading = MARKDOWN_HEADING.search(text) or RST_HEADING.search(text)
            if heading:
                findings.deploy_docs.append(f"{name}: section {heading.group(1).strip()!r}")
            break


def _reads(file: Path) -> str:
    """The first READ_LIMIT bytes of a file as text; "" when it cannot be read."""
    try:
        with file.open("rb") as handle:
            return handle.read(READ_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _git_files(path: Path) -> set[str] | None:
    """The files git tracks in `path` (relative, with /), or None when it is not a git
    repository (or git is not installed and there is no .git)."""
    try:
        inside = _git(path, "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        if (path / ".git").exists():
            raise RepoError(f"{path} is a git repository but git is not installed") from None
        return None
    if b"dubious ownership" in inside.stderr:  # owned by another user: git refuses to read it
        raise RepoError(f"{path}: git refuses a repository owned by another user (safe.directory)")
    if inside.returncode != 0 and (path / ".git").exists():  # a repository git cannot read
        message = inside.stderr.decode("utf-8", errors="replace").strip()
        raise RepoError(f"{path}: git cannot read its repository: {message}")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        return None
    listed = _git(path, "ls-files", "-z", "--cached", "--", ".")
    if listed.returncode != 0:
        message = listed.stderr.decode("utf-8", errors="replace").strip()
        raise RepoError(f"{path}: git ls-files failed: {message}")
    return {name for name in listed.stdout.decode("utf-8", errors="replace").split("\0") if name}


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=path,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise RepoError(f"{path}: git did not answer within {GIT_TIMEOUT:g} s") from None
    except PermissionError as exc:
        raise RepoError(f"{path}: {exc.strerror or exc}") from None
