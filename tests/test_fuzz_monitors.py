"""Property-based tests of the readers of a team's existing monitors (issue 19, item 2):
Prometheus (its rule files, Alertmanager, blackbox_exporter), Gatus, Uptime Kuma and Upptime
files mutated as text or as values give a reading or an ExistingError naming the file, never
another exception; generated valid Gatus, Upptime and Kuma files read back their URLs."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from fuzz_mutations import mutate, mutate_values
from hypothesis import example, given
from hypothesis import strategies as st

from launchtui.monitoring import existing
from launchtui.monitoring.watched import ExistingError, Watched, normalise_url

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "monitoring"
FILES = (
    "prometheus/prometheus.yml",
    "prometheus/alertmanager.yml",
    "prometheus/blackbox.yml",
    "prometheus/rules/blackbox.yml",
    "gatus/config.yaml",
    "kuma/backup.json",
    "upptime/.upptimerc.yml",
)


@contextmanager
def _copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "monitoring"
        shutil.copytree(FIXTURES, root)
        yield root


def _read(name: str, data: bytes) -> Watched | ExistingError:
    with _copy() as root:
        path = root / name
        path.write_bytes(data)
        try:
            return existing.read(path)
        except ExistingError as exc:
            assert str(exc).startswith(f"{path}: "), str(exc)
            return exc


def test_every_fixture_reads() -> None:
    for name in FILES:
        assert isinstance(_read(name, (FIXTURES / name).read_bytes()), Watched), name


_BITS = [
    "\x00",
    "\x1b[31m",
    "\r",
    "\ufeff",
    "[bold]x[/]",
    '"',
    "'",
    "\\",
    "- ",
    ": ",
    "{",
    "[",
    "&a",
    "*a",
    "!!python/object:os.system",
    "\t",
    "\n  ",
]


@st.composite
def mutated_texts(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(FILES))
    text = (FIXTURES / name).read_text("utf-8")
    return name, mutate(draw, text, bits=_BITS, max_delete=12, duplicate="line").encode(
        "utf-8", "surrogatepass"
    )


@given(mutated_texts())
@example(("gatus/config.yaml", b"a: &a [*a]\n"))  # an alias inside itself
@example(("kuma/backup.json", b"[" * 100_000))
def test_fuzz_mutated_monitor_text_reads_or_names_the_file(mutated: tuple[str, bytes]) -> None:
    _read(*mutated)


values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(
            [
                "https://",
                "http://[::1",
                "https://a:99999/",
                "x" * 3000,
                "[bold]",
                "*.log",
                "../../etc",
            ]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(FILES))
    text = (FIXTURES / name).read_text("utf-8")
    data: Any = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    mutate_values(draw, data, values, rounds=4, actions=["replace", "replace", "delete"])
    out = json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data, allow_unicode=True)
    return name, out.encode("utf-8", "surrogatepass")


@given(mutated_documents())
@example(  # found by the long run: a receiver named by a list crashed the routes' lookup
    (
        "prometheus/alertmanager.yml",
        b"receivers:\n- name: []\n  email_configs:\n  - to: oncall@acme.community\n"
        b"route:\n  receiver: oncall\n",
    )
)
@example(("prometheus/blackbox.yml", b"modules: 5\n"))  # modules that are not a mapping
def test_fuzz_mutated_monitor_values_read_or_name_the_file(mutated: tuple[str, bytes]) -> None:
    _read(*mutated)


# --- valid files read back their URLs ----------------------------------------------------------

hosts = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(example|acme)\.test", fullmatch=True)
url_paths = st.lists(st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True), max_size=3).map(
    lambda parts: "/" + "/".join(parts)
)
urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https", "HTTPS"]),
    hosts,
    st.sampled_from(["", ":443", ":80", ":8443"]),
    url_paths,
)


@given(st.lists(urls, min_size=1, max_size=6), st.sampled_from(["gatus", "upptime", "kuma"]))
def test_fuzz_generated_monitor_files_read_back_their_urls(generated: list[str], kind: str) -> None:
    if kind == "gatus":
        doc: Any = {
            "endpoints": [
                {"name": f"e{i}", "url": u, "conditions": ["[STATUS] == 200"]}
                for i, u in enumerate(generated)
            ]
        }
        name, data = "gatus/config.yaml", yaml.safe_dump(doc).encode()
    elif kind == "upptime":
        doc = {
            "owner": "acme",
            "repo": "status",
            "sites": [{"name": f"s{i}", "url": u} for i, u in enumerate(generated)],
        }
        name, data = "upptime/.upptimerc.yml", yaml.safe_dump(doc).encode()
    else:
        doc = {
            "version": "1.23.0",
            "notificationList": [],
            "monitorList": [
                {"id": i, "name": f"m{i}", "type": "http", "url": u, "active": True}
                for i, u in enumerate(generated)
            ],
        }
        name, data = "kuma/backup.json", json.dumps(doc).encode()
    watched = _read(name, data)
    assert isinstance(watched, Watched), str(watched)
    assert watched.urls == {normalise_url(u) for u in generated}
