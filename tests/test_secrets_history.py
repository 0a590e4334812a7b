"""History and staged scans on real git repositories built with `git`: a key added and later
removed is found with its commit, only what was added counts, staged files, many commits,
a long line and an oversized file in history, and a broken repository."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from secret_fixtures import commit, git, github, new_repo, stripe_live, stripe_test

from launchtui.secrets.findings import Where
from launchtui.secrets.repo import ScanError, scan_repository


def test_a_key_added_then_removed_is_found_in_history_with_its_commit(tmp_path):
    repo = new_repo(tmp_path / "app")
    added = commit(repo, {"config/stripe.js": f"module.exports = '{stripe_live()}';\n"}, "add")
    commit(repo, {"config/stripe.js": "module.exports = process.env.STRIPE;\n"}, "remove")
    tree_only = scan_repository(repo)
    assert tree_only.findings == [] and tree_only.commits_scanned is None
    report = scan_repository(repo, history=True)
    (finding,) = report.findings
    assert (finding.where, finding.commit, finding.path, finding.line) == (
        Where.HISTORY,
        added,
        "config/stripe.js",
        1,
    )
    assert finding.risk == 3
    assert report.commits_scanned == 2


def test_history_reports_a_secret_still_in_the_tree_once_and_on_other_branches(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"a.py": "x = 1\n"}, "start")
    commit(repo, {"a.py": f"x = 1\ntoken = '{github()}'\n"}, "token")
    git(repo, "checkout", "-q", "-b", "feature", "HEAD~1")
    branch = commit(repo, {"b.py": "y = 2\n\n\nk = '" + stripe_live(7) + "'\n"}, "on a branch")
    git(repo, "checkout", "-q", "main")
    report = scan_repository(repo, history=True)
    found = sorted((f.path, f.where, f.line, f.commit) for f in report.findings)
    assert found == [("a.py", Where.SERVER, 2, ""), ("b.py", Where.HISTORY, 4, branch)]


def test_staged_scans_only_what_the_next_commit_adds(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"old.py": f"k = '{stripe_live(1)}'\n"}, "old")
    (repo / "new.py").write_text(f"k = '{github()}'\n")
    (repo / "fixture.json").write_text(f'{{"key": "{stripe_test()}"}}\n')
    (repo / "public").mkdir()
    (repo / "public" / "app.js").write_text(f"k='{stripe_live(2)}'")
    (repo / "unstaged.py").write_text(f"k = '{stripe_live(3)}'\n")
    git(repo, "add", "new.py", "fixture.json", "public/app.js")
    report = scan_repository(repo, staged=True)
    found = sorted((f.path, f.risk) for f in report.findings)
    assert found == [("fixture.json", 4), ("new.py", 2), ("public/app.js", 1)]


def test_many_commits_are_scanned_quickly(tmp_path):
    repo = new_repo(tmp_path / "app")
    # 1,000 commits through fast-import: one git process, no working tree churn
    stream = []
    for n in range(1000):
        body = f"value = {n}\n" + (f"key = '{stripe_live(n)}'\n" if n == 500 else "")
        data = body.encode()
        stream.append(
            f"commit refs/heads/main\ncommitter Dev <dev@example.test> {1700000000 + n} +0000\n"
            f"data 4\nc{n:03d}\n" + f"M 644 inline f{n % 50}.py\ndata {len(data)}\n"
        )
        stream.append(body + "\n")
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"],
        input="".join(stream).encode(),
        check=True,
    )
    started = time.monotonic()
    report = scan_repository(repo, history=True)
    assert time.monotonic() - started < 5
    assert report.commits_scanned == 1000
    assert [(f.path, f.where) for f in report.findings] == [("f0.py", Where.HISTORY)]


def test_a_long_line_and_an_oversized_file_in_history_stay_bounded(tmp_path):
    repo = new_repo(tmp_path / "app")
    minified = "var a=1;" * 12500
    big = "x = 1\n" * (6 * 1024 * 1024)  # 36 MB of added text, over the 32 MB limit
    commit(repo, {"dist/app.js": f'{minified}k="{github()}";{minified}\n', "big.txt": big}, "big")
    report = scan_repository(repo, history=True)
    assert [(f.path, f.where) for f in report.findings] == [("dist/app.js", Where.CLIENT)]
    assert sorted(why for _, why in report.not_scanned) == [
        "binary or over 32 MB in history",
        "too large to scan (37748736 bytes, limit 33554432)",
    ]


def test_an_empty_repository_has_no_history_to_scan(tmp_path):
    repo = new_repo(tmp_path / "app")
    report = scan_repository(repo, history=True)
    assert report.commits_scanned == 0 and not report.incomplete


def test_a_broken_repository_is_an_error(tmp_path):
    repo = new_repo(tmp_path / "app")
    commit(repo, {"a.py": "x = 1\n"}, "start")
    head = git(repo, "rev-parse", "HEAD")
    obj = repo / ".git" / "objects" / head[:2] / head[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"garbage")
    with pytest.raises(ScanError, match="git log failed"):
        scan_repository(repo, history=True)


def test_staged_needs_a_repository(tmp_path):
    with pytest.raises(ScanError, match="not a git repository"):
        scan_repository(tmp_path, staged=True)


def test_a_history_time_budget_marks_the_scan_incomplete(tmp_path: Path):
    repo = new_repo(tmp_path / "app")
    for n in range(3):
        commit(repo, {"a.py": f"x = {n}\n"}, f"c{n}")
    report = scan_repository(repo, history=True, budget=0.000001)
    assert report.incomplete.startswith("time budget ran out")
