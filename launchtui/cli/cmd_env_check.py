"""`launchtui env-check`: the env-var gate for CI, and the CI step that runs it.

    launchtui env-check SPRINT [--env-file F | --from-environment | --platform P --app NAME]
    launchtui env-check --ci github|gitlab [SPRINT]

Runs the `deploy.env` check alone on the sprint's [deploy].env_required, reading the values
from the source the flags name (else [deploy].env_source), and prints the report in the
formats of `launchtui check` (text, json, junit). Exit 0: every variable is set and real (warnings
allowed); 1: one is missing, empty, a placeholder or wrong for its kind, or the values could
not be read; 2: usage or sprint-file error. It never writes the sprint file, and never prints
a value: at most its length and a fingerprint.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchtui.errors import UsageError
from launchtui.model.env import PLATFORMS, EnvSource

if TYPE_CHECKING:
    from launchtui.model.sprint import Sprint
    from launchtui.reports.run import RunReport

FORMATS = ("text", "json", "junit")
CI_SYSTEMS = ("github", "gitlab")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "env-check",
        help="check that production's environment variables are set and real (a CI gate)",
        description="Check each variable of [deploy].env_required: present, not empty, not a "
        "placeholder, plausible for its kind (URLs not on localhost, live-mode payment keys, "
        "debug off). Values are never printed. Exit code 0: all set; 1: a variable is missing "
        "or wrong, or the values could not be read; 2: usage or sprint-file error. Platform "
        "tokens come from the credentials heroku_api_key, fly_api_token, vercel_token, "
        "render_api_key (keyring or LAUNCHTUI_CRED_<NAME>).",
    )
    parser.add_argument("sprint", metavar="SPRINT", nargs="?", help="the sprint file (TOML)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--env-file", metavar="FILE", help="read the values from a dotenv file")
    source.add_argument(
        "--from-environment",
        action="store_true",
        help="read the values from this process's environment (the CI gate)",
    )
    source.add_argument(
        "--platform", choices=PLATFORMS, help="read the values from the platform's API"
    )
    parser.add_argument("--app", metavar="NAME", help="the app, project or service (--platform)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="per network operation (default: [network].timeout, else 5)",
    )
    parser.add_argument(
        "--ci",
        choices=CI_SYSTEMS,
        help="print a ready CI step that runs this check with --from-environment, and exit",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.ci:
        return _print_ci(args)
    if not args.sprint:
        raise UsageError("env-check needs a SPRINT file (or --ci github|gitlab)")
    if args.app and not args.platform:
        raise UsageError("--app goes with --platform heroku|fly|vercel|render")
    if args.platform and not args.app:
        raise UsageError(f"--platform {args.platform} needs --app NAME")
    from launchtui.cli.dns_options import timeout

    seconds = timeout(args)
    # The engine pulls in the network stack: imported only when the check runs.
    from launchtui.sprint import store

    document = store.load(args.sprint)
    sprint = document.sprint
    if not sprint.env_vars:
        raise UsageError(
            f"{args.sprint}: no [deploy].env_required: list the variables production needs"
        )
    source = _source(args, sprint.env_source)
    if source is None:
        raise UsageError(
            "say where the values are: --env-file F, --from-environment, --platform P --app "
            "NAME, or [deploy].env_source in the sprint file"
        )
    sprint = dataclasses.replace(sprint, env_source=source)
    network = sprint.network
    if seconds is not None:
        network = dataclasses.replace(network, timeout=seconds)
    report = _execute(dataclasses.replace(sprint, network=network))
    from launchtui.cli import headless

    sys.stdout.write(headless.render(report, args.format))
    return report.exit_code


def _source(args: argparse.Namespace, declared: EnvSource | None) -> EnvSource | None:
    from launchtui.sprint.validate import parse_env_source

    try:
        if args.env_file:
            path = Path(args.env_file)
            return EnvSource("dotenv", str(path.resolve()))
        if args.from_environment:
            return EnvSource("environment")
        if args.platform:
            return parse_env_source(f"{args.platform}:{args.app}", Path.cwd())
    except ValueError as exc:
        raise UsageError(f"--app: {exc}") from None
    return declared


def _execute(sprint: Sprint) -> RunReport:
    import asyncio
    import time

    from launchtui.checks.context import check_context
    from launchtui.checks.engine import now_iso, run_checks
    from launchtui.checks.registry import all_checks
    from launchtui.model.results import Result, Severity
    from launchtui.reports.run import RunReport

    checks = [check for check in all_checks() if check.id == "deploy.env"]
    started_at = now_iso()
    began = time.perf_counter()

    async def go() -> list[Result]:
        async with check_context(sprint) as ctx:
            return await run_checks(checks, ctx)

    results = asyncio.run(go())
    return RunReport(
        sprint=sprint,
        stages=["deploy"],
        results=results,
        fail_on=Severity.HIGH,
        started_at=started_at,
        wall_ms=round((time.perf_counter() - began) * 1000),
    )


def _print_ci(args: argparse.Namespace) -> int:
    sprint_arg = args.sprint or "sprints/SPRINT.toml"
    names: list[str] = []
    if args.sprint:
        from launchtui.sprint import store

        names = list(store.load(args.sprint).sprint.env_required)
    sys.stdout.write(ci_step(args.ci, sprint_arg, names))
    return 0


def ci_step(system: str, sprint: str, names: list[str]) -> str:
    """A CI step (YAML) running env-check on the deploy's environment; values stay in the CI's
    secret store (GitHub: mapped from `secrets`; GitLab: CI/CD variables are already in the
    job's environment)."""
    sprint = _yaml_scalar(sprint)
    if system == "github":
        env = "".join(f"      {n}: ${{{{ secrets.{n} }}}}\n" for n in names) or (
            "      # NAME: ${{ secrets.NAME }}   one line per [deploy].env_required variable\n"
        )
        return (
            "# GitHub Actions: add this step to the job that deploys, before the deploy step.\n"
            "# Each variable comes from the repository's (or environment's) secrets; the\n"
            "# step fails the job when one is missing, empty, a placeholder or wrong.\n"
            "- name: launchtui env-check (production environment variables)\n"
            "  env:\n"
            f"{env}"
            "  run: |\n"
            "    python -m pip install launchtui   # or however your team installs launchtui\n"
            f"    launchtui env-check {sprint} --from-environment\n"
        )
    return (
        "# GitLab CI: add this job to .gitlab-ci.yml; CI/CD variables (masked, protected)\n"
        "# reach the job as environment variables, so nothing else needs mapping.\n"
        "env-check:\n"
        "  stage: test\n"
        "  image: python:3.11-slim\n"
        "  script:\n"
        "    - python -m pip install launchtui   # or however your team installs launchtui\n"
        f"    - launchtui env-check {sprint} --from-environment --format junit > env-check.xml\n"
        "  artifacts:\n"
        "    when: always\n"
        "    reports:\n"
        "      junit: env-check.xml\n"
    )


def _yaml_scalar(text: str) -> str:
    """A path as a shell word inside YAML: quoted when it holds anything unusual."""
    if all(c.isalnum() or c in "/._-" for c in text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"
