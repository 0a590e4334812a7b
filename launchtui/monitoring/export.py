"""What a monitor export produces: files with their text, the secret files the operator must
create (never their values), and what the engine could not express."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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


def dump(document: Any) -> str:
    # A JSON round trip makes every shared value its own copy, so YAML writes it out in full
    # each time (an operator edits one endpoint's alerts, not an anchor all of them follow);
    # width: long regular expressions and annotations stay on one line.
    text: str = yaml.safe_dump(
        json.loads(json.dumps(document)), sort_keys=False, width=10_000, allow_unicode=True
    )
    return text
