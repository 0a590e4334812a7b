"""Secret scanning: launchtui against detect-secrets on the same labelled tree, in one run.

Builds a tree of 20,000 files (code, configuration, build bundles and source maps, lockfiles,
CSS with inline images, test fixtures, docs) holding realistic FAKE tokens in every format the
rules cover (Stripe live, test, restricted and webhook secrets, AWS key IDs and secrets, Google,
GitHub classic and fine-grained, Slack tokens and webhooks, SendGrid, Postmark, Mailgun,
Twilio, Cloudflare, private keys, database URLs, JWT secrets, generic keyword secrets) and near
misses (UUIDs, hashes, lockfile integrity strings, base64 images, source map mappings,
placeholders, environment references, publishable keys, the jwt.io example token, test-fixture
passwords). Every planted token's (file, line) is labelled; a finding on a labelled line is a
true positive, anywhere else a false positive. Reports precision, recall and files per second
for `launchtui.secrets` and for `detect-secrets scan --all-files` (PyPI, all its default
plugins) on the same tree; then builds a git history of 2,000 commits (secrets added and later
removed among them) and times launchtui's history scan.

Goals: launchtui at least 20x detect-secrets' files per second on the working tree, precision
and recall both above detect-secrets', the 2,000 commits under 10 s.

    .venv/bin/python benchmarks/secret_scan.py [--files 20000] [--commits 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from launchtui.secrets.repo import scan_repository

ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


class Corpus:
    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.positives: set[tuple[str, int]] = set()
        self.kinds: Counter[str] = Counter()
        self.near: Counter[str] = Counter()

    def r(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.r(32, HEX)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    # --- tokens in the providers' formats (random: none is a real credential) ---
    def token(self, kind: str) -> tuple[str, str]:
        """(file suffix, line) holding one fake token of `kind`."""
        r = self.r
        pick = self.rng.choice
        if kind == "stripe-live":
            return ".env", f"STRIPE_SECRET_KEY=sk_{'live'}_{r(99)}"
        if kind == "stripe-restricted":
            return ".js", f"const stripe = new Stripe('rk_{'live'}_{r(32)}');"
        if kind == "stripe-test":
            return ".json", f'  "secretKey": "sk_{"test"}_{r(24)}",'
        if kind == "stripe-webhook":
            return ".env", f"STRIPE_WEBHOOK_SECRET=whsec_{r(32)}"
        if kind == "aws-id":
            return (
                ".py",
                f'AWS_ACCESS_KEY_ID = "{pick(["AKIA", "ASIA"])}'
                f'{r(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}"',
            )
        if kind == "aws-secret":
            return ".ini", f"aws_secret_access_key = {r(40, ALNUM + '/+')}"
        if kind == "google":
            return (
                ".js",
                f'firebase.initializeApp({{apiKey:"AIza{r(35, ALNUM + "_-")}",projectId:"acme"}});',
            )
        if kind == "github":
            return ".sh", f"export GITHUB_TOKEN=gh{pick('pousr')}_{r(36)}"
        if kind == "github-pat":
            return ".yml", f"      token: github_{'pat'}_{r(22)}_{r(59)}"
        if kind == "slack-token":
            return (
                ".py",
                f'SLACK_BOT_TOKEN = "xox{pick("bp")}-{r(11, string.digits)}-'
                f'{r(13, string.digits)}-{r(24)}"',
            )
        if kind == "slack-webhook":
            return (
                ".ts",
                f"const hook = 'https://hooks.slack.com/services/T{r(8, UPPER_DIGITS)}"
                f"/B{r(10, UPPER_DIGITS)}/{r(24)}';",
            )
        if kind == "sendgrid":
            return ".rb", f"SENDGRID_API_KEY = 'SG.{r(22, ALNUM + '_-')}.{r(43, ALNUM + '_-')}'"
        if kind == "postmark":
            return ".env", f"POSTMARK_SERVER_TOKEN={self.uuid()}"
        if kind == "mailgun":
            return ".js", f"mailgun({{ apiKey: 'key-{r(32, HEX)}', domain: 'mg.acme.community' }});"
        if kind == "twilio-key":
            return ".py", f'TWILIO_API_KEY = "SK{r(32, HEX)}"'
        if kind == "twilio-token":
            return ".env", f"TWILIO_AUTH_TOKEN={r(32, HEX)}"
        if kind == "cloudflare":
            return ".toml", f'cloudflare_api_token = "{r(40, ALNUM + "_-")}"'
        if kind == "private-key":
            return ".pem", "-----BEGIN " + pick(
                ["RSA ", "EC ", "OPENSSH ", ""]
            ) + "PRIVATE KEY-----"
        if kind == "database-url":
            scheme = pick(["postgres", "postgresql", "mysql", "mongodb+srv", "redis"])
            return (
                ".env",
                f"DATABASE_URL={scheme}://app_{r(4).lower()}:{r(20)}@db-{r(6).lower()}.internal.acme.net:5432/app",
            )
        if kind == "jwt-secret":
            return ".env", f"JWT_SECRET={r(48, ALNUM + '-_')}"
        if kind == "generic":
            name = pick(["apiSecret", "client_secret", "API_KEY", "authToken", "private_key_id"])
            return ".js", f'  {name}: "{r(32, ALNUM)}",'
        if kind == "bundle-map":
            return (
                ".js.map",
                f'{{"version":3,"sources":["src/pay.ts"],"sourcesContent":'
                f'["const key = \\"sk_{"live"}_{r(32)}\\";"],'
                f'"mappings":"{r(200, ALNUM + ",;")}"}}',
            )
        raise ValueError(kind)

    # --- near misses: look like secrets to a naive scanner, are not ---
    def near_miss(self, kind: str) -> tuple[str, str]:
        r = self.r
        if kind == "uuid":
            return ".json", f'  "id": "{self.uuid()}",'
        if kind == "request-id":
            return ".py", f'REQUEST_ID = "{self.uuid()}"'
        if kind == "sha":
            return ".yml", f"    sha256: {r(64, HEX)}"
        if kind == "commit":
            return ".json", f'  "commit": "{r(40, HEX)}",'
        if kind == "etag":
            return ".js", f'const etag = "{r(32, HEX)}";'
        if kind == "lockfile":
            return "package-lock.json", f'      "integrity": "sha512-{r(86, B64)}=="'
        if kind == "image":
            return ".css", f".logo {{ background: url(data:image/png;base64,{r(400, B64)}=); }}"
        if kind == "placeholder-stripe":
            return ".env.example", f"STRIPE_SECRET_KEY=sk_{'live'}_{'x' * 24}"
        if kind == "placeholder":
            value = self.rng.choice(
                ["your-api-key-here", "<YOUR_TOKEN>", "${JWT_SECRET}", "changeme", "{{ secret }}"]
            )
            return ".env.example", f"API_KEY={value}"
        if kind == "env-ref":
            return ".ts", "const apiKey = process.env.STRIPE_SECRET_KEY ?? config.stripe.secretKey;"
        if kind == "publishable":
            return ".js", f"Stripe('pk_{'live'}_{r(24)}');"
        if kind == "jwt-example":
            return ".md", (
                "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3"
                "ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJ"
                "f36POk6yJV_adQssw5c"
            )
        if kind == "fixture-password":
            return ".json", '  "password": "correct-horse-battery",'
        if kind == "local-db":
            return ".yml", "      DATABASE_URL: postgres://postgres:postgres@localhost:5432/test"
        if kind == "mappings":
            return (
                ".js.map",
                f'{{"version":3,"names":["a","b"],"mappings":"{r(300, ALNUM + ",;")}"}}',
            )
        if kind == "chunk-hash":
            return (
                ".html",
                f'<script src="/static/js/main.{r(8, HEX)}.js" '
                f'integrity="sha384-{r(64, B64)}"></script>',
            )
        raise ValueError(kind)


TOKEN_KINDS = [
    "stripe-live", "stripe-restricted", "stripe-test", "stripe-webhook", "aws-id", "aws-secret",
    "google", "github", "github-pat", "slack-token", "slack-webhook", "sendgrid", "postmark",
    "mailgun", "twilio-key", "twilio-token", "cloudflare", "private-key", "database-url",
    "jwt-secret", "generic", "bundle-map",
]  # fmt: skip
NEAR_KINDS = [
    "uuid", "request-id", "sha", "commit", "etag", "lockfile", "image", "placeholder-stripe",
    "placeholder", "env-ref", "publishable", "jwt-example", "fixture-password", "local-db",
    "mappings", "chunk-hash",
]  # fmt: skip

FOLDERS = ["src", "src/lib", "src/routes", "app/models", "config", "scripts", "docs",
           "tests/fixtures", "dist/assets", "public", ".next/static/chunks", "build", "lib/jobs",
           "packages/ui/src"]  # fmt: skip
FILLER = [
    "import {{ {a} }} from './{b}';",
    "export function {a}({b}) {{ return {b}.map((x) => x.{c}); }}",
    "const {a} = await db.query('select * from {b} where id = $1', [{c}]);",
    "def {a}(self, {b}):\n    return self.{c}.get({b})",
    "  {a}: {{ type: String, required: true }},",
    "if ({a}.{b} === undefined) throw new Error('missing {c}');",
    "# {a} {b} {c}: see the deploy notes",
    "logger.info('{a} finished', {{ {b}: {c} }});",
    "const token = req.headers.authorization?.split(' ')[1];",
    "password: {{ type: String, minlength: 12 }},",
    "{a}_key = settings.{b}",
]
WORDS = ["member", "invite", "course", "billing", "post", "session", "user", "plan", "queue",
         "worker", "email", "checkout", "community", "lesson", "reply", "upload"]  # fmt: skip


def filler(rng: random.Random, lines: int) -> list[str]:
    out = []
    for _ in range(lines):
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        out.extend(rng.choice(FILLER).format(a=a, b=b, c=c).split("\n"))
    return out


def build_tree(root: Path, files: int, seed: int) -> Corpus:
    corpus = Corpus(root, seed)
    rng = corpus.rng
    n_pos = max(len(TOKEN_KINDS), files // 40)  # 2.5 % of files hold a token
    n_near = files // 25  # 4 % hold a near miss
    plan = ["pos"] * n_pos + ["near"] * n_near + ["plain"] * (files - n_pos - n_near)
    rng.shuffle(plan)
    turns: Counter[str] = Counter()
    for number, what in enumerate(plan):
        folder = rng.choice(FOLDERS)
        lines = filler(rng, rng.randint(10, 60))
        if what == "plain":
            suffix = rng.choice([".js", ".ts", ".py", ".md", ".json"])
            rel = f"{folder}/f{number}{suffix}"
        else:
            if what == "pos":
                kind = TOKEN_KINDS[turns[what] % len(TOKEN_KINDS)]
                turns[what] += 1
                suffix, line = corpus.token(kind)
                corpus.kinds[kind] += 1
            else:
                kind = NEAR_KINDS[turns[what] % len(NEAR_KINDS)]
                turns[what] += 1
                suffix, line = corpus.near_miss(kind)
                corpus.near[kind] += 1
            if suffix == "package-lock.json":
                folder = f"{folder}/pkg{number}"
                rel = f"{folder}/package-lock.json"
            else:
                rel = f"{folder}/f{number}{suffix}"
            at = rng.randint(0, len(lines))
            lines.insert(at, line)
            if kind == "private-key":
                lines[at + 1 : at + 1] = [corpus.r(64, B64) for _ in range(6)]
                lines.insert(at + 7, "-----END PRIVATE KEY-----")
            if what == "pos":
                corpus.positives.add((rel, at + 1))
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
    return corpus


def score(found: set[tuple[str, int]], corpus: Corpus) -> tuple[float, float, int, int]:
    tp = len(found & corpus.positives)
    fp = len(found - corpus.positives)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / len(corpus.positives)
    return precision, recall, tp, fp


def run_launchtui(root: Path) -> tuple[set[tuple[str, int]], float, int]:
    started = time.perf_counter()
    report = scan_repository(root)
    elapsed = time.perf_counter() - started
    return {(f.path, f.line) for f in report.findings}, elapsed, report.files_scanned


def run_detect_secrets(root: Path) -> tuple[set[tuple[str, int]], float]:
    exe = Path(sys.executable).parent / "detect-secrets"
    if not exe.exists():
        sys.exit("detect-secrets is not installed: uv sync installs it with the dev group")
    started = time.perf_counter()
    done = subprocess.run(
        [str(exe), "scan", "--all-files", "."], cwd=root, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"detect-secrets failed: {done.stderr[-500:]}")
    results = json.loads(done.stdout)["results"]
    found = {(name, item["line_number"]) for name, items in results.items() for item in items}
    return found, elapsed


def build_history(repo: Path, commits: int, seed: int) -> tuple[int, float]:
    """A repository of `commits` commits through git fast-import; every 100th adds a live key
    that the next commit removes (rewriting the file without it). Returns (keys planted, seconds
    to build)."""
    rng = random.Random(seed)
    started = time.perf_counter()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream: list[bytes] = []
    planted = 0
    name = ""
    for n in range(commits):
        if n % 100 != 51:  # the commit after a key rewrites its file without it
            name = f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_{n % 300}.py"
        body = "\n".join(filler(rng, rng.randint(20, 80))) + "\n"
        if n % 100 == 50:
            key = "sk_" + "live_" + "".join(rng.choice(ALNUM) for _ in range(32))
            body += f'STRIPE_KEY = "{key}"\n'
            planted += 1
        data = body.encode()
        message = f"change {n}".encode()
        stream.append(
            b"commit refs/heads/main\n"
            + f"committer Dev <dev@example.test> {1700000000 + n * 60} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
            + b"\n"
            + f"M 644 inline {name}\ndata {len(data)}\n".encode()
            + data
            + b"\n"
        )
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True
    )
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "main"], check=True)
    return planted, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="launchtui-bench-secrets-"))
    try:
        tree = work / "tree"
        started = time.perf_counter()
        corpus = build_tree(tree, args.files, args.seed)
        print(
            f"corpus: {args.files} files, {len(corpus.positives)} labelled tokens in "
            f"{len(corpus.kinds)} formats, {sum(corpus.near.values())} near misses in "
            f"{len(corpus.near)} kinds (built in {time.perf_counter() - started:.1f} s)"
        )
        ours, our_s, scanned = run_launchtui(tree)
        theirs, their_s = run_detect_secrets(tree)
        rows = [("launchtui", ours, our_s), ("detect-secrets", theirs, their_s)]
        print(f"{'scanner':<16}{'precision':>10}{'recall':>8}{'TP':>6}{'FP':>6}{'seconds':>9}"
              f"{'files/s':>10}")  # fmt: skip
        figures = {}
        for name, found, seconds in rows:
            precision, recall, tp, fp = score(found, corpus)
            rate = args.files / seconds
            figures[name] = (precision, recall, rate)
            print(f"{name:<16}{precision:>10.3f}{recall:>8.3f}{tp:>6}{fp:>6}{seconds:>9.2f}"
                  f"{rate:>10.0f}")  # fmt: skip
        speedup = figures["launchtui"][2] / figures["detect-secrets"][2]
        lp, lr, _ = figures["launchtui"]
        dp, dr, _ = figures["detect-secrets"]
        print(f"launchtui scanned {scanned} files; speed-up over detect-secrets: {speedup:.1f}x "
              f"(goal 20x) {'met' if speedup >= 20 else 'NOT met'}")  # fmt: skip
        print(f"precision {lp:.3f} vs {dp:.3f}, recall {lr:.3f} vs {dr:.3f}: "
              f"{'both above' if lp > dp and lr > dr else 'NOT both above'}")  # fmt: skip
        fn = sorted(corpus.positives - ours)[:5]
        fp_list = sorted(ours - corpus.positives)[:5]
        if fn:
            print(f"launchtui missed (first 5): {fn}")
        if fp_list:
            print(f"launchtui false positives (first 5): {fp_list}")

        repo = work / "history"
        planted, build_s = build_history(repo, args.commits, args.seed)
        started = time.perf_counter()
        report = scan_repository(repo, history=True)
        history_s = time.perf_counter() - started
        in_history = [f for f in report.findings if f.where == "history"]
        print(
            f"history: {report.commits_scanned} commits (built in {build_s:.1f} s) scanned with "
            f"the working tree in {history_s:.2f} s (goal under 10 s: "
            f"{'met' if history_s < 10 else 'NOT met'}); {len(in_history)} of {planted} "
            "removed live keys found with their commits"
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
