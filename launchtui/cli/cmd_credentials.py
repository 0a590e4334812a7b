"""`launchtui credentials set|list|delete SPRINT [NAME]`: credential values in the OS keyring.

The sprint file declares the credentials (`[credentials]`, name = what it is for); this command
puts their values into the OS keyring, shows where each one comes from, and removes them. A
value is read without echo from the terminal, or as one line from standard input when that is
not a terminal (`printf '%s\\n' "$TOKEN" | launchtui credentials set sprints/acme.toml NAME`).
No value is ever printed or written anywhere but the keyring.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any, TextIO

from launchtui.credentials import CredentialStore, check_name, env_var, redact
from launchtui.errors import CredentialError, UsageError
from launchtui.model.sprint import Sprint


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "credentials",
        help="store, list or delete a sprint's credentials in the OS keyring",
        description=(
            "Keep the values of the credentials a sprint declares in [credentials] in the OS "
            "keyring (service 'launchtui', username '<sprint id>/<name>'). The environment "
            "variable LAUNCHTUI_CRED_<NAME> overrides the keyring. Values are never printed."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    set_parser = actions.add_parser(
        "set",
        help="store a value in the OS keyring",
        description=(
            "Store a credential's value in the OS keyring. From a terminal it is read without "
            "echo; otherwise one line is read from standard input (its newline is dropped)."
        ),
    )
    set_parser.add_argument("sprint", metavar="SPRINT", type=Path, help="the sprint file")
    set_parser.add_argument("name", metavar="NAME", help="a name declared in [credentials]")
    set_parser.set_defaults(handler=run_set)

    list_parser = actions.add_parser(
        "list",
        help="show each declared credential and where its value comes from",
        description="Show each declared credential, what it is for and whether it is set "
        "(in the keyring or the environment). Values are never shown.",
    )
    list_parser.add_argument("sprint", metavar="SPRINT", type=Path, help="the sprint file")
    list_parser.add_argument("name", metavar="NAME", nargs="?", help="show only this one")
    list_parser.set_defaults(handler=run_list)

    delete_parser = actions.add_parser(
        "delete",
        help="remove a value from the OS keyring",
        description="Remove a credential's value from the OS keyring (the environment "
        "variable, if set, is left alone).",
    )
    delete_parser.add_argument("sprint", metavar="SPRINT", type=Path, help="the sprint file")
    delete_parser.add_argument("name", metavar="NAME", help="the credential name")
    delete_parser.set_defaults(handler=run_delete)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the action's handler (main() calls `args.handler` directly)."""
    handlers = {"set": run_set, "list": run_list, "delete": run_delete}
    return handlers[args.action](args)


def run_set(args: argparse.Namespace) -> int:
    sprint = _load(args.sprint)
    name: str = args.name
    _require_declared(sprint, name)
    store = CredentialStore(sprint.id)
    store.backend_name(name)  # fail on a missing keyring before asking for the value
    value = read_value(f"{name} ({sprint.credentials[name]})", sys.stdin)
    store.set(name, value)
    print(f"stored {name} for sprint {sprint.id} in the OS keyring ({redact(value)})")
    if store.source(name) == "environment":
        print(f"note: {env_var(name)} is set and overrides the keyring value", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    sprint = _load(args.sprint)
    names = list(sprint.credentials)
    if args.name is not None:
        _require_declared(sprint, args.name)
        names = [args.name]
    if not names:
        print(f"sprint {sprint.id} declares no credentials (add a [credentials] table)")
        return 0
    store = CredentialStore(sprint.id)
    problem: CredentialError | None = None
    rows: list[tuple[str, str, str]] = []
    for name in names:
        try:
            source = store.source(name)
        except CredentialError as exc:
            problem = problem or exc
            state = "unknown (keyring unavailable)"
        else:
            state = f"set ({source})" if source else "not set"
        rows.append((name, state, sprint.credentials[name]))
    name_width = max(len(row[0]) for row in rows)
    state_width = max(len(row[1]) for row in rows)
    print(f"credentials of sprint {sprint.id}:")
    for name, state, description in rows:
        print(f"  {name:<{name_width}}  {state:<{state_width}}  {description}".rstrip())
    if problem is not None:
        raise problem
    return 0


def run_delete(args: argparse.Namespace) -> int:
    sprint = _load(args.sprint)
    name: str = args.name
    check_name(name)  # undeclared names may be deleted: cleaning up after a removed entry
    store = CredentialStore(sprint.id)
    if store.delete(name):
        print(f"deleted {name} of sprint {sprint.id} from the OS keyring")
    else:
        print(f"{name} of sprint {sprint.id} was not in the OS keyring; nothing deleted")
    if store.source(name) == "environment":
        print(f"note: {env_var(name)} is still set in the environment", file=sys.stderr)
    return 0


def read_value(label: str, stream: TextIO) -> str:
    """The value to store: typed without echo at a terminal, else one line of `stream`."""
    if stream.isatty():
        try:
            value = getpass.getpass(f"value for {label} (input hidden): ")
        except EOFError:
            value = ""
    else:
        text = stream.read()
        value = text.removesuffix("\n").removesuffix("\r")
        if "\n" in value or "\r" in value:
            raise UsageError("the value must be a single line on standard input")
    if not value:
        raise UsageError("no value given (empty input); nothing stored")
    return value


def _load(path: Path) -> Sprint:
    from launchtui.sprint.store import load

    return load(path).sprint


def _require_declared(sprint: Sprint, name: str) -> None:
    check_name(name)
    if name not in sprint.credentials:
        declared = ", ".join(sorted(sprint.credentials)) or "none"
        raise UsageError(
            f"{name!r} is not declared in [credentials] of {sprint.path} "
            f"(declared: {declared}); add it there first"
        )
