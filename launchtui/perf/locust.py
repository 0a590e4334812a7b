"""`launchtui perf export SPRINT --locust FILE`: a locustfile of the sprint's core flows.

For load one machine cannot make: run it with Locust's distributed mode (a `--master` and
`--worker`s). launchtui's own probes stay polite and bounded; the locustfile is for the load
test a team plans and runs on purpose.

What is written, from [flows] (every flow but `health` and `private`):
- a flow given as a URL: one task, GET that URL, weighted by FLOW_WEIGHTS (posts is read most);
- a flow given as a table (the sequence syntax is another part of stage 4; this reads it
  defensively): `url` (one GET) or `steps` (a list of URLs or of tables with `url` and an
  optional `method`, run in order in one task), `weight` (an integer, else the default), and
  `credential` (a credential's name: its value is read at run time from the environment
  variable LAUNCHTUI_CREDENTIAL_<NAME> and sent as a bearer token, never written into the
  file). A table without a URL is left out, with a comment saying so.
- [network].connect_to is kept (a lab or a staging host reached at another address: the
  connection goes there, the URL, Host header and SNI stay the same), and [network].ca_bundle
  is the CA the flows' hosts are verified against (without one, requests' own trust:
  certifi, or REQUESTS_CA_BUNDLE when set).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from launchtui.model.sprint import Sprint

FLOW_WEIGHTS = {"posts": 4, "login": 2, "join": 1, "invite": 1}
NOT_LOAD = ("health", "private")  # a health endpoint is not traffic; private is a list
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True, slots=True)
class Step:
    method: str
    url: str


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    weight: int
    credential: str = ""


def flows(raw: Mapping[str, object]) -> tuple[list[Flow], list[str]]:
    """The flows to load and the notes on those left out."""
    found: list[Flow] = []
    notes: list[str] = []
    for name, value in raw.items():
        if name in NOT_LOAD:
            continue
        weight = FLOW_WEIGHTS.get(name, 1)
        if isinstance(value, str):
            found.append(Flow(name, (Step("GET", value),), weight))
            continue
        if not isinstance(value, Mapping):
            notes.append(f"{name}: not a URL or a table; left out")
            continue
        steps = _steps(value)
        if not steps:
            notes.append(f"{name}: a table without `url` or `steps` of URLs; left out")
            continue
        declared = value.get("weight")
        if isinstance(declared, int) and not isinstance(declared, bool) and declared > 0:
            weight = declared
        credential = value.get("credential")
        found.append(
            Flow(name, tuple(steps), weight, credential if isinstance(credential, str) else "")
        )
    return found, notes


def _steps(table: Mapping[str, object]) -> list[Step]:
    url = table.get("url")
    if isinstance(url, str):
        return [Step("GET", url)]
    steps = table.get("steps")
    if not isinstance(steps, list):
        return []
    out: list[Step] = []
    for step in steps:
        if isinstance(step, str):
            out.append(Step("GET", step))
        elif isinstance(step, Mapping) and isinstance(step.get("url"), str):
            method = str(step.get("method", "GET")).upper()
            out.append(Step(method if method in METHODS else "GET", str(step["url"])))
        else:
            return []  # a step we cannot read: the whole flow is left out, not half of it
    return out


def _identifier(name: str) -> str:
    text = re.sub(r"\W", "_", name)
    return f"flow_{text}"


def credential_variable(name: str) -> str:
    return "LAUNCHTUI_CREDENTIAL_" + re.sub(r"\W", "_", name).upper()


def render(sprint: Sprint) -> str:
    """The locustfile's text (Python)."""
    found, notes = flows(sprint.flows)
    network = sprint.network
    connect_to = {f"{h.lower()}:{p}": [th, tp] for (h, p), (th, tp) in network.connect_to.items()}
    ca = str(network.ca_bundle) if network.ca_bundle is not None else ""
    lines = [
        f'"""Locust load test of {sprint.name!r}: written by `launchtui perf export --locust`.',
        "",
        "Run it headless on one machine:",
        "    locust -f THIS_FILE --headless -u 50 -r 5 -t 5m --host https://APP_HOST",
        "or distributed: `locust -f THIS_FILE --master` and `locust -f THIS_FILE --worker` on each",
        "load machine. Every flow URL is absolute (--host is only Locust's default).",
        '"""',
        "",
        "import os",
        "import socket",
        "",
        "import urllib3.util.connection",
        "from locust import HttpUser, between, task",
        "",
        f"CONNECT_TO = {connect_to!r}  # [network].connect_to: host:port -> [address, port]",
        f"CA_BUNDLE = {ca!r}  # [network].ca_bundle: the CA the flows' hosts are checked against",
        "_create_connection = urllib3.util.connection.create_connection",
        "",
        "",
        "def _connect_to(address, *args, **kwargs):",
        "    host, port = address",
        '    mapped = CONNECT_TO.get(f"{str(host).lower()}:{port}")',
        "    return _create_connection(tuple(mapped) if mapped else address, *args, **kwargs)",
        "",
        "",
        "if CONNECT_TO:",
        "    urllib3.util.connection.create_connection = _connect_to",
        "",
        "",
        "def _credential(name):",
        '    value = os.environ.get(name, "")',
        "    if not value:",
        '        raise RuntimeError(f"set {name}: the flow needs that credential")',
        "    return value",
        "",
        "",
        "class CoreFlows(HttpUser):",
        "    wait_time = between(1, 3)",
        "",
        "    def on_start(self):",
        "        if CA_BUNDLE:  # else requests' own (REQUESTS_CA_BUNDLE when set)",
        "            self.client.verify = CA_BUNDLE",
    ]
    if not found:
        lines += [
            "",
            "    # no flow in [flows] to load",
            "    @task",
            "    def nothing(self):",
            "        pass",
        ]
    for note in notes:
        lines.append(f"    # {note}")
    for flow in found:
        lines += ["", f"    @task({flow.weight})", f"    def {_identifier(flow.name)}(self):"]
        headers = "None"
        if flow.credential:
            variable = credential_variable(flow.credential)
            lines.append(
                f'        headers = {{"Authorization": "Bearer " + _credential({variable!r})}}'
            )
            headers = "headers"
        for number, step in enumerate(flow.steps):
            label = flow.name if len(flow.steps) == 1 else f"{flow.name} {number + 1}"
            lines.append(
                f"        self.client.request({step.method!r}, {step.url!r}, name={label!r}, "
                f"headers={headers})"
            )
    return "\n".join(lines) + "\n"


def write(sprint: Sprint, path: Path) -> int:
    """Write the locustfile; returns how many flows it loads."""
    from launchtui.sprint import store

    store.write_atomic(path, render(sprint).encode("utf-8"))
    return len(flows(sprint.flows)[0])
