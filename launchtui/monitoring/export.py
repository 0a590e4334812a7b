"""What a monitor export produces: files with their text, the secret files the operator must
create (never their values), and what the engine could not express."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A secret the exported configuration reads at run time: from `where` (a file path, or
    an environment variable), to be filled with the value of the sprint's `credential`."""

    where: str
    credential: str
    purpose: str


@dataclass(frozen=True, slots=True)
class Export:
    files: dict[str, str]  # file name (relative to the output) -> its text
    secrets: tuple[SecretRef, ...] = ()
    notes: tuple[str, ...] = field(default=())  # routes left out, what the engine cannot do


def header(sprint_name: str, what: str) -> str:
    return (
        f"# {what} for {sprint_name}, written by `launchtui monitor export`.\n"
        "# Secrets are read from files or environment variables named here, never written in.\n"
    )


class _Dumper(yaml.SafeDumper):
    """Writes a shared value out each time: an operator edits one endpoint's alerts, not an
    anchor every endpoint follows."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: Any) -> str:
    # width: long regular expressions and annotations stay on one line
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, width=10_000, allow_unicode=True
    )
