"""Property-based tests of the sprint-file loader and validator (issue 19, item 2): mutated TOML
documents from the real example sprint and the lab's demo sprint end in a loaded sprint or a
SprintFileError naming the file and a line (and the key, when the TOML is valid), never another
exception; generated valid [flows], [monitoring], [logs] and [performance] tables round-trip."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import tomlkit
from fuzz_mutations import mutate, mutate_values
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.errors import SprintFileError
from launchtui.lab.config import LabConfig
from launchtui.lab.sprint_file import demo_sprint
from launchtui.model.flows import MAX_DURATION_S, METHODS
from launchtui.model.sprint import Sprint
from launchtui.sprint import store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "sprints" / "example.toml"
FIXTURES = Path(__file__).resolve().parent / "sprint_fixtures"
DEMO = FIXTURES / "demo.toml"  # never written: the path the demo text is parsed as


@cache
def _demo_text() -> str:
    network = {
        "nameservers": ["127.0.0.1:5353"],
        "ca_bundle": "lab-ca.pem",
        "connect_to": {"app.harbor.test:443": "127.0.0.1:8443"},
    }
    return tomlkit.dumps(demo_sprint(LabConfig(), network, logs=["logs/*.log"]))


def _sources() -> dict[str, tuple[str, Path]]:
    return {"example": (EXAMPLE.read_text("utf-8"), EXAMPLE), "demo": (_demo_text(), DEMO)}


def _load(text: str, path: Path) -> Sprint | SprintFileError:
    try:
        return store.parse(text, path)[1]
    except SprintFileError as exc:
        message = str(exc)
        shown = re.escape(store.display_path(path))
        assert re.match(rf"{shown}:\d+(:\d+)?: ", message), message
        assert "\n" not in message, message
        return exc


def test_both_sources_load() -> None:
    for text, path in _sources().values():
        assert isinstance(_load(text, path), Sprint)


_BITS = ["\x00", "\x1b[31m", "\r", "\ufeff", "[bold red]x[/]", '"', "'", "\\", "[", "]", "=", "\n"]


@st.composite
def mutated_texts(draw: st.DrawFn) -> tuple[str, Path]:
    text, path = _sources()[draw(st.sampled_from(["example", "demo"]))]
    return mutate(draw, text, bits=_BITS, max_delete=12, duplicate="line"), path


@given(mutated_texts())
@example(
    (
        EXAMPLE.read_text("utf-8").replace("https://app.acme.community/login", "https://[app"),
        EXAMPLE,
    )
)
@example((EXAMPLE.read_text("utf-8").replace("https://app", "https://[bold red]x[/]app"), EXAMPLE))
def test_fuzz_mutated_sprint_text_loads_or_names_a_line(mutated: tuple[str, Path]) -> None:
    _load(*mutated)


toml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True),
        st.text(max_size=30),
        st.sampled_from(["[bold]x[/bold]", "x" * 5000, "GET /", "https://", "/", "*", "", " "]),
        st.dates(),
        st.datetimes(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    ),
    max_leaves=8,
)


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value if v is not None]
    return value


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[str, Path]:
    """The parsed document with values replaced, deleted or added at its keys."""
    text, path = _sources()[draw(st.sampled_from(["example", "demo"]))]
    data: Any = tomlkit.parse(text).unwrap()
    mutate_values(draw, data, toml_values, rounds=3, actions=["replace", "delete", "add"])
    return tomlkit.dumps(_strip_none(data)), path


@given(mutated_documents())
@example(  # a key holding U+0085: escaped in the message, which stays one line
    (EXAMPLE.read_text("utf-8").replace("[flows]", '[flows]\n"\u0085" = []', 1), EXAMPLE)
)
def test_fuzz_mutated_sprint_values_load_or_name_a_key(mutated: tuple[str, Path]) -> None:
    result = _load(*mutated)
    if isinstance(result, SprintFileError) and "invalid TOML" not in str(result):
        shown = re.escape(store.display_path(mutated[1]))
        assert re.match(rf"{shown}:\d+: [^\n]+: ", str(result)), str(result)


# --- valid tables round-trip -------------------------------------------------------------------

_SEGMENT = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)
url_paths = st.lists(_SEGMENT, min_size=0, max_size=3).map(lambda parts: "/" + "/".join(parts))
flow_names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(lambda n: n != "private")


@st.composite
def flows_tables(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """([flows] table, its credentials, each flow's expected measured URL)."""
    table: dict[str, Any] = {}
    credentials: dict[str, str] = {}
    expected: dict[str, str] = {}
    for name in draw(st.lists(flow_names, max_size=4, unique=True)):
        path = draw(url_paths)
        if draw(st.booleans()):
            table[name] = "https://app.example.test" + path
            expected[name] = "https://app.example.test" + path
            continue
        steps = [
            f"{draw(st.sampled_from(METHODS))} {draw(url_paths)}"
            for _ in range(draw(st.integers(1, 4)))
        ]
        steps.append(f"{draw(st.sampled_from(METHODS))} {path}")
        flow: dict[str, Any] = {"steps": steps}
        if draw(st.booleans()):
            credential = draw(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True))
            credentials[credential] = "a test login"
            flow["credential"] = credential
            flow["auth"] = draw(st.sampled_from(["bearer", "form", "cookie:session_id"]))
        table[name] = flow
        expected[name] = "https://app.example.test" + path
    return table, credentials, expected


@st.composite
def valid_documents(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    flows, credentials, expected_flows = draw(flows_tables())
    requests = draw(st.integers(1, 300))
    rate = draw(
        st.floats(min_value=max(0.2, (requests - 1) / MAX_DURATION_S * 1.001), max_value=20.0)
    )
    performance = {"requests": requests, "rate": rate, "concurrency": draw(st.integers(1, 10))}
    interval = draw(st.floats(min_value=10.0, max_value=3600.0))
    local = draw(
        st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True).filter(
            lambda s: ".." not in s
        )
    )
    monitoring = {
        "alert_email": f"{local}@example.test",
        "watch_interval": interval,
        "existing": draw(
            st.lists(st.sampled_from(["prometheus.yml", "gatus.yaml", "kuma.json"]), unique=True)
        ),
    }
    patterns = draw(
        st.lists(
            st.from_regex(
                r"[a-z][a-z0-9_-]{0,8}(/[a-z0-9_-]{1,8}){0,2}(\.log|/\*\.log|\.log\.\*)",
                fullmatch=True,
            ),
            unique=True,
            max_size=4,
        )
    )
    data: dict[str, Any] = {
        "sprint": {"name": "Fuzz launch", "id": "fuzz"},
        "site": {
            "apex": "example.test",
            "canonical": "https://app.example.test",
            "hostnames": ["app.example.test"],
        },
        "flows": flows,
        "performance": performance,
        "monitoring": monitoring,
        "logs": {"files": patterns},
    }
    if credentials:
        data["credentials"] = credentials
    expected = {
        "flows": expected_flows,
        "requests": requests,
        "rate": rate,
        "concurrency": performance["concurrency"],
        "interval": interval,
        "alert_email": monitoring["alert_email"],
        "existing": monitoring["existing"],
        "patterns": patterns,
    }
    return data, expected


@given(valid_documents())
def test_fuzz_valid_tables_round_trip(generated: tuple[dict[str, Any], dict[str, Any]]) -> None:
    data, expected = generated
    path = FIXTURES / "fuzz.toml"
    sprint = _load(tomlkit.dumps(data), path)
    assert isinstance(sprint, Sprint), str(sprint)
    assert sprint.flows == expected["flows"]
    assert (
        sprint.performance.requests,
        sprint.performance.rate_per_s,
        sprint.performance.concurrency,
    ) == (
        expected["requests"],
        expected["rate"],
        expected["concurrency"],
    )
    assert sprint.monitoring.watch_interval == expected["interval"]
    assert sprint.monitoring.alert_email == expected["alert_email"]
    assert sprint.monitoring.existing == tuple(
        Path(os.path.normpath(FIXTURES / name)) for name in expected["existing"]
    )
    assert sprint.logs == tuple(os.path.normpath(FIXTURES / p) for p in expected["patterns"])
