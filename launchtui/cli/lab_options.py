"""Options shared by `launchtui lab` and `launchtui demo` (no lab import: help stays fast)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from launchtui.errors import UsageError

if TYPE_CHECKING:
    from launchtui.lab.config import LabConfig

DEFAULT_SPRINT = Path("sprints/demo.toml")


def add_lab_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-port",
        type=int,
        default=None,
        metavar="N",
        help="DNS on N, public resolvers N+1..N+3, HTTPS N+10, HTTP N+11, SMTP N+20, "
        "IMAP N+21; 0 lets the system pick free ports (default: 5390, 9443, 9080, 9025, 9143)",
    )
    parser.add_argument(
        "--sprint",
        type=Path,
        default=DEFAULT_SPRINT,
        metavar="PATH",
        help=f"the demo sprint file to write, or whose [network] to refresh "
        f"(default {DEFAULT_SPRINT}); the lab CA goes next to it as lab-ca.pem",
    )


def lab_config(args: argparse.Namespace) -> LabConfig:
    """The demo lab's config on the ports the options ask for."""
    from launchtui.lab.config import demo_config

    try:
        return demo_config(base_port=args.base_port)
    except ValueError as exc:
        raise UsageError(f"--base-port: {exc}") from None
