"""Fake tokens in the providers' formats (random, seeded: none is a real credential) and real
git repositories built with `git` in a temporary folder, for the secret scanner's tests."""

from __future__ import annotations

import random
import string
import subprocess
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def rand(n: int, alphabet: str = ALNUM, seed: int = 0) -> str:
    rng = random.Random(f"{seed}:{n}:{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(n))


# Prefixes are joined at run time so that no whole token sits in this file.
def stripe_live(seed: int = 1) -> str:
    return "sk_" + "live_" + rand(32, seed=seed)


def stripe_test(seed: int = 2) -> str:
    return "sk_" + "test_" + rand(32, seed=seed)


def github(seed: int = 3) -> str:
    return "gh" + "p_" + rand(36, seed=seed)


def google(seed: int = 4) -> str:
    return "AI" + "za" + rand(35, ALNUM + "_-", seed=seed)


def aws_id(seed: int = 5) -> str:
    return "AK" + "IA" + rand(16, string.ascii_uppercase + "234567", seed=seed)


def uuid_like(seed: int = 6) -> str:
    h = rand(32, HEX, seed=seed)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.test")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def as_nobody(function):  # type: ignore[no-untyped-def]
    """Run `function` in a forked child that has dropped root for nobody (root reads every
    file, so an unreadable file needs another user); its return value comes back as JSON."""
    import json
    import os

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, json.dumps(function()).encode())
        except BaseException as exc:
            os.write(write_end, json.dumps({"exception": repr(exc)}).encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))


def shared_tmp():  # type: ignore[no-untyped-def]
    """A temporary folder another user can enter (pytest's tmp_path is root's alone)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="launchtui-secrets-", dir="/tmp"))
    path.chmod(0o755)
    return path
