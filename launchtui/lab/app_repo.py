"""The demo's app repository: a small fictional Harbor Club app with a git history, written
next to the demo sprint (sprints/harborclub-app/) the first time the lab writes the sprint, and
never touched again.

It carries stage 3's seeded problems for the secret scanner and the env gate: a live-looking
Stripe key committed in server/payments.js and removed by the next commit (only in the history),
a live-looking key inlined into the built bundle public/assets/app.js and its source map (build
output, git-ignored), a test-mode key in a test fixture, placeholders in .env.example, and
.env.production (git-ignored) with a variable missing, a placeholder and a test-mode key.
Every key is FAKE: the provider's prefix and random characters made when the repository is
written; none is or was ever a real credential.

The history is made by real git (`git fast-import`, one process for every commit) with a fixed
author and fixed dates, so the commits read the same in every copy but for the random keys.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

from launchtui.sprint import store

AUTHOR = "Mara Lindqvist <mara@harborclub.test>"
FIRST_COMMIT_AT = 1_759_312_800  # 2025-10-01T10:00:00Z; the next commits follow by days
DAY = 86_400
GIT_TIMEOUT = 30.0
# What production needs ([deploy].env_required of the demo sprint).
ENV_REQUIRED = [
    "DATABASE_URL",
    "REDIS_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "POSTMARK_TOKEN",
    "SESSION_SECRET",
    "APP_URL",
]
MISSING_IN_PRODUCTION = "STRIPE_WEBHOOK_SECRET"  # absent from .env.production


def fake_token(prefix: str, length: int = 24) -> str:
    """`prefix` and `length` random letters and digits: well-formed, never a real key."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass(frozen=True, slots=True)
class FakeKeys:
    history_live: str  # committed in server/payments.js, removed by the next commit
    bundle_live: str  # inlined into public/assets/app.js and its source map
    fixture_test: str  # test/fixtures/stripe.json
    production_test: str  # .env.production's STRIPE_SECRET_KEY: test mode in production

    @classmethod
    def new(cls) -> FakeKeys:
        return cls(
            fake_token("sk_live_"),
            fake_token("sk_live_"),
            fake_token("sk_test_"),
            fake_token("sk_test_"),
        )


@dataclass(frozen=True, slots=True)
class Commit:
    message: str
    files: dict[str, str]  # path -> new content
    deleted: tuple[str, ...] = ()


def history(zone: str, keys: FakeKeys) -> list[Commit]:
    """The repository's commits, oldest first."""
    app = f"https://app.{zone}"
    return [
        Commit(
            "Initial app: Express server and the membership pages",
            {
                ".gitignore": "node_modules/\n.env\n.env.production\n.env.local\npublic/assets/\n",
                "package.json": _package_json(),
                "package-lock.json": _package_lock(),
                "README.md": _readme(zone, deploy=False),
                ".env.example": _env_example(),
                "server/index.js": _SERVER,
            },
        ),
        Commit(
            "Take membership payments with Stripe",
            {"server/payments.js": _payments(f"'{keys.history_live}'")},
        ),
        Commit(
            "Read the Stripe key from the environment",
            {"server/payments.js": _payments("process.env.STRIPE_SECRET_KEY")},
        ),
        Commit(
            "Procfile, the mail worker and the deploy notes",
            {
                "Procfile": "release: node server/migrate.js\nweb: node server/index.js\n"
                "worker: node server/worker.js\n",
                "server/worker.js": _WORKER,
                "server/migrate.js": "// Runs pending database migrations before a release.\n",
                "README.md": _readme(zone, deploy=True),
            },
        ),
        Commit(
            "Test fixtures for the Stripe webhook handler",
            {
                "test/fixtures/stripe.json": json.dumps(
                    {
                        "api_key": keys.fixture_test,
                        "event": "checkout.session.completed",
                        "success_url": f"{app}/welcome",
                    },
                    indent=2,
                )
                + "\n",
                "test/payments.test.js": "const fixture = require('./fixtures/stripe.json');\n"
                "test('webhook', () => expect(fixture.event).toBeTruthy());\n",
            },
        ),
    ]


def untracked_files(zone: str, keys: FakeKeys) -> dict[str, str]:
    """What is on disk but not in git: the production env file and the built bundle."""
    app = f"https://app.{zone}"
    bundle_source = (
        "// client/checkout.js\n"
        f'const STRIPE_KEY = "{keys.bundle_live}"; // inlined by the build from the env\n'
        "export function checkout(plan) { return fetch('/checkout', {method: 'POST'}); }\n"
    )
    source_map = {
        "version": 3,
        "file": "app.js",
        "sources": ["../../client/checkout.js"],
        "sourcesContent": [bundle_source],
        "names": [],
        "mappings": "AAAA",
    }
    database_password = fake_token("", 20)
    return {
        ".env.production": (
            "# Production values, downloaded from the host's settings. Never commit.\n"
            f"DATABASE_URL=postgres://harborclub:{database_password}@db.internal.{zone}:5432/harborclub\n"
            f"REDIS_URL=redis://cache.internal.{zone}:6379/0\n"
            f"STRIPE_SECRET_KEY={keys.production_test}\n"
            f"POSTMARK_TOKEN={_uuid_like()}\n"
            "SESSION_SECRET=changeme\n"
            f"APP_URL={app}\n"
        ),
        "public/assets/app.js": (
            f'var e="{keys.bundle_live}";function c(t){{return fetch("/checkout",'
            '{method:"POST"})}export{c as checkout};\n//# sourceMappingURL=app.js.map\n'
        ),
        "public/assets/app.js.map": json.dumps(source_map) + "\n",
    }


def ensure_app_repo(path: Path, zone: str) -> Path:
    """The demo app repository at `path`, made once; an existing folder is left as it is.
    OSError or subprocess errors when git cannot make it (nothing half-made is left)."""
    if path.exists():
        return path
    keys = FakeKeys.new()
    building = path.with_name(f".{path.name}.building")
    if building.exists():
        _remove(building)
    building.mkdir(parents=True)
    try:
        _git(building, "init", "-q", "-b", "main")
        _git(building, "fast-import", "--quiet", "--done", stdin=_stream(history(zone, keys)))
        _git(building, "reset", "-q", "--hard", "main")
        for name, text in untracked_files(zone, keys).items():
            file = building / name
            file.parent.mkdir(parents=True, exist_ok=True)
            store.write_atomic(file, text.encode("utf-8"))
        building.rename(path)
    except BaseException:
        _remove(building)
        raise
    return path


def _stream(commits: list[Commit]) -> bytes:
    """A git fast-import stream making `commits` on refs/heads/main."""
    out = bytearray()

    def data(text: str) -> None:
        raw = text.encode("utf-8")
        out.extend(b"data %d\n" % len(raw) + raw + b"\n")

    for number, commit in enumerate(commits):
        at = FIRST_COMMIT_AT + number * 3 * DAY
        out.extend(b"commit refs/heads/main\n")
        out.extend(f"mark :{number + 1}\n".encode())
        out.extend(f"author {AUTHOR} {at} +0000\ncommitter {AUTHOR} {at} +0000\n".encode())
        data(commit.message + "\n")
        if number:
            out.extend(f"from :{number}\n".encode())
        for name in commit.deleted:
            out.extend(f"D {name}\n".encode())
        for name, text in commit.files.items():
            out.extend(f"M 100644 inline {name}\n".encode())
            data(text)
    out.extend(b"done\n")
    return bytes(out)


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> None:
    # No user or system configuration: the same repository whoever runs the lab.
    environment = {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(cwd),
        "PATH": os.environ.get("PATH", os.defpath),
        "LC_ALL": "C",
    }
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=True,
        env=environment,
    )


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _uuid_like() -> str:
    hexed = secrets.token_hex(16)
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def _package_json() -> str:
    return (
        json.dumps(
            {
                "name": "harborclub-app",
                "version": "2.4.1",
                "private": True,
                "scripts": {
                    "start": "node server/index.js",
                    "build": "vite build --outDir public/assets",
                    "test": "jest",
                },
                "dependencies": {"express": "^4.21.1", "stripe": "^17.3.0", "postmark": "^4.0.5"},
                "devDependencies": {"jest": "^29.7.0", "vite": "^5.4.10"},
            },
            indent=2,
        )
        + "\n"
    )


def _package_lock() -> str:
    def entry(version: str) -> dict[str, str]:
        # Integrity strings are lockfile-shaped random base64 (a near miss for scanners).
        return {
            "version": version,
            "integrity": "sha512-" + secrets.token_urlsafe(64)[:86] + "==",
        }

    return (
        json.dumps(
            {
                "name": "harborclub-app",
                "version": "2.4.1",
                "lockfileVersion": 3,
                "requires": True,
                "packages": {
                    "": {"name": "harborclub-app", "version": "2.4.1"},
                    "node_modules/express": entry("4.21.1"),
                    "node_modules/stripe": entry("17.3.0"),
                    "node_modules/postmark": entry("4.0.5"),
                },
            },
            indent=2,
        )
        + "\n"
    )


def _readme(zone: str, *, deploy: bool) -> str:
    text = (
        "# Harbor Club app\n\n"
        "The members' site of Harbor Club, the community for people who love the water.\n"
        "(A fictional app made by launchtui's lab. Every key in it is fake.)\n\n"
        "## Running locally\n\n"
        "    cp .env.example .env\n    npm ci\n    npm start\n"
    )
    if deploy:
        text += (
            "\n## Deploying\n\n"
            f"Production runs at https://app.{zone} and https://eu.{zone} from the Procfile:\n"
            "`release` runs the migrations, then `web` and `worker` restart.\n\n"
            "1. Merge to `main`; CI runs the tests.\n"
            "2. `git push production main` (the release phase migrates the database).\n"
            "3. Check https://app.{zone}/api/health reports the new commit, on every region.\n"
            "4. Rollback: `git push production <previous sha>:main --force`.\n"
        ).replace("{zone}", zone)
    return text


def _env_example() -> str:
    return (
        "# Copy to .env and fill in. Never commit real values.\n"
        "DATABASE_URL=postgres://USER:PASSWORD@localhost:5432/harborclub\n"
        "REDIS_URL=redis://localhost:6379/0\n"
        "STRIPE_SECRET_KEY=sk_live_your-key-here\n"
        "STRIPE_WEBHOOK_SECRET=whsec_xxx\n"
        "POSTMARK_TOKEN=<postmark-server-token>\n"
        "SESSION_SECRET=changeme\n"
        "APP_URL=http://localhost:3000\n"
    )


def _payments(key: str) -> str:
    return (
        f"const stripe = require('stripe')({key});\n\n"
        "async function checkout(member, plan) {\n"
        "  return stripe.checkout.sessions.create({\n"
        "    mode: 'subscription',\n"
        "    customer_email: member.email,\n"
        "    line_items: [{ price: plan.priceId, quantity: 1 }],\n"
        "  });\n"
        "}\n\nmodule.exports = { checkout };\n"
    )


_SERVER = """const express = require('express');
const app = express();

app.get('/api/health', (req, res) => res.json({ status: 'ok' }));
app.listen(process.env.PORT || 3000);
"""

_WORKER = """// Sends invites, receipts and password resets from the queue; beats every 30 s.
const postmark = require('postmark');
const client = new postmark.ServerClient(process.env.POSTMARK_TOKEN);
setInterval(() => {}, 30000);
module.exports = { client };
"""
