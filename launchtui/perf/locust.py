"""`launchtui perf export SPRINT --locust FILE`: a locustfile of the sprint's core flows.

For load one machine cannot make: run it with Locust's distributed mode (a `--master` and
`--worker`s). launchtui's own probes stay polite and bounded; the locustfile is for the load
test a team plans and runs on purpose.

What is written, from [flows] as the sprint file's validation reads them (launchtui.model.flows:
a URL is one GET, a table of steps a short sequence), every flow but `health` and `private`:
- one task per flow, its steps run in order, weighted by FLOW_WEIGHTS (posts is read most);
- a flow's credential is read at run time from the environment variable
  LAUNCHTUI_CREDENTIAL_<NAME>, never written into the file, and presented as the flow's `auth`
  says: a bearer token, a cookie, or the body of its POST steps (a login form);
- [network].connect_to is kept (a lab or a staging host reached at another address: the
  connection goes there, the URL, Host header and SNI stay the same), and [network].ca_bundle
  is the CA the flows' hosts are verified against (without one, requests' own trust:
  certifi, or REQUESTS_CA_BUNDLE when set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from launchtui.model.flows import Flow
from launchtui.model.sprint import Sprint

FLOW_WEIGHTS = {"posts": 4, "login": 2, "join": 1, "invite": 1}
NOT_LOAD = ("health",)  # a health endpoint is not traffic ([flows].private is not a flow)


@dataclass(frozen=True, slots=True)
class LoadFlow:
    flow: Flow
    weight: int


def flows(sprint: Sprint) -> list[LoadFlow]:
    """The flows to load, with their weights."""
    return [
        LoadFlow(flow, FLOW_WEIGHTS.get(name, 1))
        for name, flow in sprint.flow_specs.items()
        if name not in NOT_LOAD
    ]


def _identifier(name: str) -> str:
    text = re.sub(r"\W", "_", name)
    return f"flow_{text}"


def credential_variable(name: str) -> str:
    return "LAUNCHTUI_CREDENTIAL_" + re.sub(r"\W", "_", name).upper()


def render(sprint: Sprint) -> str:
    """The locustfile's text (Python)."""
    found = flows(sprint)
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
    for load in found:
        flow = load.flow
        lines += ["", f"    @task({load.weight})", f"    def {_identifier(flow.name)}(self):"]
        headers, body = "None", "None"
        if flow.credential:
            value = f"_credential({credential_variable(flow.credential)!r})"
            if flow.auth == "form":  # the credential is the login form's body
                body = "form"
                lines.append(f"        form = {value}")
                lines.append(
                    '        headers = {"Content-Type": "application/x-www-form-urlencoded"}'
                )
                headers = "headers"
            else:
                header = (
                    f'{{"Cookie": "{flow.auth.removeprefix("cookie:")}=" + {value}}}'
                    if flow.auth.startswith("cookie:")
                    else f'{{"Authorization": "Bearer " + {value}}}'
                )
                lines.append(f"        headers = {header}")
                headers = "headers"
        for number, step in enumerate(flow.steps):
            label = flow.name if len(flow.steps) == 1 else f"{flow.name} {number + 1}"
            data = body if step.method == "POST" else "None"
            lines.append(
                f"        self.client.request({step.method!r}, {step.url!r}, name={label!r}, "
                f"headers={headers}, data={data})"
            )
    return "\n".join(lines) + "\n"


def write(sprint: Sprint, path: Path) -> int:
    """Write the locustfile; returns how many flows it loads."""
    from launchtui.sprint import store

    store.write_atomic(path, render(sprint).encode("utf-8"))
    return len(flows(sprint))
