"""Entry point: `launchtui [SPRINT]` or `launchtui COMMAND ...`.

`launchtui` alone opens the app on its opener (choose or create a sprint) in a terminal, and
prints the help otherwise.

Every command module exposes `add_parser(subparsers)` and `run(args) -> int`. Errors the user
can act on are printed as one line; anything else is caught too, so no traceback ever reaches
the terminal unless LAUNCHTUI_DEBUG is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from launchtui import __version__
from launchtui.errors import LaunchtuiError

COMMANDS = (
    "new",
    "check",
    "export",
    "credentials",
    "lab",
    "demo",
    "perf",
    "spf",
    "dmarc",
    "email-test",
    "env-check",
    "scan-secrets",
    "monitor",
    "logs",
)


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> Parser:
    """The whole command line, or (`only`: a command's name) that command alone: importing
    every command module takes longer than most commands run, so a command given on the
    command line loads its own module only (the full list is for `--help`)."""
    parser = Parser(
        prog="launchtui",
        description="Run a launch-ready sprint for a membership-community platform.\n\n"
        "  launchtui SPRINT   open the terminal app on a sprint file (e.g. sprints/acme.toml)\n"
        "  launchtui          open the app on its opener: choose or create a sprint\n"
        "  launchtui COMMAND  run one command (below); launchtui COMMAND --help for its options",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"launchtui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in (only,) if only else COMMANDS:
        module = importlib.import_module(f"launchtui.cli.cmd_{name.replace('-', '_')}")
        module.add_parser(subparsers)
    # Set once the subcommands exist: argparse builds their prog from the parent's usage.
    parser.usage = "launchtui [-h] [--version] [SPRINT | COMMAND ...]"
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and not args_list[0].startswith("-") and args_list[0] not in COMMANDS:
        # `launchtui SPRINT` opens the terminal app; Textual is imported only then.
        from launchtui.tui.app import run

        return run(args_list[0])
    if not args_list and sys.stdin.isatty() and sys.stdout.isatty():
        from launchtui.tui.app import run

        return run(None)
    command = args_list[0] if args_list and args_list[0] in COMMANDS else None
    parser = build_parser(command)
    args = parser.parse_args(args_list or ["--help"])
    try:
        code: int = args.handler(args)
        return code
    except LaunchtuiError as exc:
        print(f"launchtui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("launchtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`launchtui spf ... | head`): nothing to say to it. Point stdout
        # at /dev/null so that flushing it at exit does not fail again, and exit as a process
        # killed by SIGPIPE would (128 + 13).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        if os.environ.get("LAUNCHTUI_DEBUG"):
            raise
        name = type(exc).__name__
        print(
            f"launchtui: unexpected error: {name}: {exc} (set LAUNCHTUI_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
