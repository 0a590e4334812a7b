"""deploy.repo on real folders and git repositories, and the lab's demo app repository."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, run_check
from secret_fixtures import as_nobody, shared_tmp

from launchtui.checks.registry import all_checks
from launchtui.lab.app_repo import ENV_REQUIRED, MISSING_IN_PRODUCTION, ensure_app_repo
from launchtui.model.results import Status
from launchtui.model.sprint import Site, Sprint

CHECK = "deploy.repo"
TARGET = "[deploy].repo"


def _sprint(tmp_path: Path, repo: Path | None) -> Sprint:
    return Sprint(tmp_path / "s.toml", "s", "s", Site("example.test"), deploy_repo=repo)


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.test"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, env=env, capture_output=True, check=True, text=True
    )
    return done.stdout


def make_repo(path: Path, files: dict[str, str], *, commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    if commit:
        git(path, "init", "-q", "-b", "main")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "app")
    return path


NODE = {"package.json": "{}", "package-lock.json": "{}", "Procfile": "web: node index.js\n"}


def test_without_a_repo_it_skips(tmp_path):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert (check.stage, check.severity) == ("deploy", "medium")
    result = run_check(CHECK, _sprint(tmp_path, None), TARGET)
    assert result.status is Status.SKIP
    assert "[deploy]" in result.fix


def test_a_locked_documented_repo_without_env_passes(tmp_path):
    repo = make_repo(tmp_path / "app", {**NODE, ".gitignore": ".env\n"})
    (repo / ".env").write_text("SECRET=1\n")  # on disk but ignored: fine
    result = run_check(CHECK, _sprint(tmp_path, repo), TARGET)
    assert result.status is Status.PASS, result.summary
    assert result.summary == (
        "app: deploy documented in Procfile; lockfile package-lock.json; no .env committed"
    )
    assert result.evidence["env_files_not_committed"] == [".env"]
    assert result.evidence["ecosystems"] == ["Node (package.json)"]


def test_a_readme_section_and_a_deploying_workflow_count(tmp_path):
    repo = make_repo(
        tmp_path / "app",
        {
            "Gemfile": "",
            "Gemfile.lock": "",
            "README.md": "# App\n\n## How we deploy to production\n\nSteps.\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  test: {}\n",
            ".github/workflows/release.yml": "jobs:\n  deploy:\n    steps: []\n",
        },
    )
    result = run_check(CHECK, _sprint(tmp_path, repo), TARGET)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["deploy_docs"] == [
        ".github/workflows/release.yml (deploys)",
        "README.md: section 'How we deploy to production'",
    ]


def test_no_lockfile_no_deploy_and_a_committed_env_fail(tmp_path):
    repo = make_repo(
        tmp_path / "app",
        {
            "package.json": "{}",
            "go.mod": "module x\nrequire y v1\n",
            ".env.production": "A=1\n",
            ".env.example": "A=\n",
            "README.md": "# App\n",
        },
    )
    result = run_check(CHECK, _sprint(tmp_path, repo), TARGET)
    assert result.status is Status.FAIL
    assert result.summary == (
        "app: no lockfile (Node: package.json without package-lock.json, npm-shrinkwrap.json, "
        "yarn.lock, pnpm-lock.yaml, bun.lock or bun.lockb; Go: go.mod without go.sum); "
        "no documented deploy; .env committed: .env.production"
    )
    assert "git rm --cached .env.production" in result.fix
    assert "npm ci" in result.fix


def test_python_requirements_with_hashes_count_and_without_warn(tmp_path):
    hashed = make_repo(
        tmp_path / "hashed",
        {"requirements.txt": "flask==3.0.0 --hash=sha256:abc\n", "Dockerfile": "FROM python\n"},
    )
    assert run_check(CHECK, _sprint(tmp_path, hashed), TARGET).status is Status.PASS
    loose = make_repo(
        tmp_path / "loose", {"requirements.txt": "flask==3.0.0\n", "fly.toml": "app='x'\n"}
    )
    result = run_check(CHECK, _sprint(tmp_path, loose), TARGET)
    assert result.status is Status.WARN, result.summary
    assert result.summary == "loose: requirements without hashes: requirements.txt"


def test_a_folder_that_is_not_git_with_an_env_warns(tmp_path):
    repo = make_repo(tmp_path / "copy", {**NODE, ".env": "A=1\n"}, commit=False)
    result = run_check(CHECK, _sprint(tmp_path, repo), TARGET)
    assert result.status is Status.WARN
    assert "not a git repository: cannot tell whether .env is committed" in result.summary


def test_a_missing_folder_is_could_not_check(tmp_path):
    result = run_check(CHECK, _sprint(tmp_path, tmp_path / "gone"), TARGET)
    assert_could_not_check(result, "does not exist")


def test_an_unreadable_folder_is_could_not_check(tmp_path):
    # Root reads any folder: as root, the check runs in a child that has become nobody.
    folder = shared_tmp() if os.geteuid() == 0 else tmp_path
    repo = make_repo(folder / "locked", NODE)
    sprint = _sprint(folder, repo)
    repo.chmod(0)

    def check() -> dict[str, object]:
        result = run_check(CHECK, sprint, TARGET)
        return {"status": str(result.status), "summary": result.summary}

    try:
        found = as_nobody(check) if os.geteuid() == 0 else check()
    finally:
        repo.chmod(0o755)
    assert found.get("exception") is None, found
    assert found["status"] == "error" and "Permission denied" in str(found["summary"]), found
    assert "internal error" not in str(found["summary"])


def test_a_repository_git_cannot_read_is_could_not_check(tmp_path):
    repo = make_repo(tmp_path / "broken", NODE, commit=False)
    (repo / ".git").write_text("gitdir: /nonexistent/launchtui-test\n")
    result = run_check(CHECK, _sprint(tmp_path, repo), TARGET)
    assert_could_not_check(result, "git cannot read its repository: fatal: not a git repository")


def test_a_file_instead_of_a_folder_is_could_not_check(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run_check(CHECK, _sprint(tmp_path, tmp_path / "file"), TARGET)
    assert_could_not_check(result, "is not a folder")


# The lab's demo app repository


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_app_repo(tmp_path_factory.mktemp("demo") / "harborclub-app", "harborclub.test")


LIVE = re.compile(r"sk_live_[A-Za-z0-9]{24}\b")
TEST = re.compile(r"sk_test_[A-Za-z0-9]{24}\b")


def test_the_demo_repo_has_its_history_by_a_fixed_author(demo_repo):
    log = git(demo_repo, "log", "--reverse", "--format=%an <%ae> %aI %s").splitlines()
    assert log == [
        "Mara Lindqvist <mara@harborclub.test> 2025-10-01T10:00:00+00:00 "
        "Initial app: Express server and the membership pages",
        "Mara Lindqvist <mara@harborclub.test> 2025-10-04T10:00:00+00:00 "
        "Take membership payments with Stripe",
        "Mara Lindqvist <mara@harborclub.test> 2025-10-07T10:00:00+00:00 "
        "Read the Stripe key from the environment",
        "Mara Lindqvist <mara@harborclub.test> 2025-10-10T10:00:00+00:00 "
        "Procfile, the mail worker and the deploy notes",
        "Mara Lindqvist <mara@harborclub.test> 2025-10-13T10:00:00+00:00 "
        "Test fixtures for the Stripe webhook handler",
    ]
    assert git(demo_repo, "status", "--porcelain") == ""  # the work tree is the last commit


def test_the_removed_live_key_is_only_in_the_history(demo_repo):
    added = git(demo_repo, "show", "HEAD~3:server/payments.js")
    [key] = LIVE.findall(added)
    tracked = git(demo_repo, "grep", "-I", "-e", "sk_live_[A-Za-z0-9]", "HEAD", "--", ".")
    assert key not in tracked
    assert key not in (demo_repo / "server/payments.js").read_text()
    assert "process.env.STRIPE_SECRET_KEY" in (demo_repo / "server/payments.js").read_text()


def test_the_bundle_and_its_map_hold_a_live_key_and_are_not_committed(demo_repo):
    bundle = (demo_repo / "public/assets/app.js").read_text()
    source_map = (demo_repo / "public/assets/app.js.map").read_text()
    [key] = LIVE.findall(bundle)
    assert key in source_map
    assert git(demo_repo, "ls-files", "public") == ""
    assert git(demo_repo, "check-ignore", "public/assets/app.js").strip()


def test_the_env_files_carry_their_seeded_problems(demo_repo):
    production = (demo_repo / ".env.production").read_text()
    names = [line.split("=", 1)[0] for line in production.splitlines() if "=" in line]
    assert set(ENV_REQUIRED) - set(names) == {MISSING_IN_PRODUCTION}
    assert "SESSION_SECRET=changeme" in production
    assert TEST.search(production.split("STRIPE_SECRET_KEY=", 1)[1])
    assert git(demo_repo, "ls-files", ".env.production") == ""  # ignored, not committed
    example = (demo_repo / ".env.example").read_text()
    assert not LIVE.search(example) and "sk_live_your-key-here" in example
    assert TEST.search((demo_repo / "test/fixtures/stripe.json").read_text())


def test_the_demo_repo_is_made_once(demo_repo):
    before = git(demo_repo, "rev-parse", "HEAD")
    assert ensure_app_repo(demo_repo, "harborclub.test") == demo_repo
    assert git(demo_repo, "rev-parse", "HEAD") == before


def test_deploy_repo_passes_on_the_demo_repo_and_lists_what_documents_the_deploy(
    demo_repo, tmp_path
):
    result = run_check(CHECK, _sprint(tmp_path, demo_repo), TARGET)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["deploy_docs"] == ["Procfile", "README.md: section 'Deploying'"]
    assert result.evidence["env_files_not_committed"] == [".env.production"]


def test_the_lab_sprint_names_the_repo_and_the_required_variables(tmp_path):
    from launchtui.lab import LabThread, demo_config
    from launchtui.sprint import store

    with LabThread(demo_config(base_port=0, mailboxes=[]), tmp_path / "lab") as lab:
        path = lab.write_sprint(tmp_path / "sprints" / "demo.toml")
    sprint = store.load(path).sprint
    assert sprint.deploy_repo == (tmp_path / "sprints" / "harborclub-app").resolve()
    assert sprint.env_required == tuple(ENV_REQUIRED)
    assert (sprint.deploy_repo / ".git").is_dir()
