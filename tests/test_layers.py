"""The house has floors: no import reaches up to a higher one, and no imports go round in a
circle. Read from the source (every import, also inside functions), not from what happens to be
loaded."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "launchtui"

# Lowest first. A unit (a subpackage, or a top-level module) may import its own floor and the
# floors below it, never one above.
LAYERS: list[set[str]] = [
    {"launchtui", "model", "errors", "text"},  # the ground floor: plain data, error types,
    # text shown literally
    {
        "background",
        "clipboard",
        "credentials",
        "net",
        "sprint",
    },  # threads, clipboard, keyring, network, sprint file
    {
        "email",
        "deploy",
        "secrets",
        "perf",
        "monitoring",
        "logs",
    },  # mail authentication and delivery; env vars, health, the app repo; the secret scanner;
    # performance guardrails (the latency probe, caching rules, rate-limit fields, identities,
    # the browser page load, the locustfile export); monitors exported, read back and proven;
    # logs read into daily risk notes
    {"checks"},  # the engine, its registry and the checks of each stage
    {"reports"},  # risk list, routing map, text, JSON, JUnit, handover
    {"plan", "session"},  # an open sprint as the app works on it
    {"lab"},  # the embedded lab
    {"cli", "tui", "__main__"},  # the two views
]


def floor(unit: str) -> int:
    for number, units in enumerate(LAYERS):
        if unit in units:
            return number
    raise AssertionError(f"{unit} is on no floor: add it to LAYERS")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """(imported launchtui name, line) of every import in the file, those made only for type
    checking and inside functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            # `from package import module` imports that module; `from module import name`,
            # the module (callers keep the longest prefix that is a module)
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name == "launchtui" or name.startswith("launchtui."):
                yield name, node.lineno


def modules() -> list[Path]:
    found = sorted(PACKAGE.rglob("*.py"))
    assert len(found) > 100
    return found


def resolve(name: str, known: set[str]) -> str:
    """The longest prefix of an imported name that is a module of the package."""
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def test_no_import_reaches_up_a_floor():
    known = {module_name(path) for path in modules()}
    upward = []
    for path in modules():
        source = unit_of(module_name(path))
        for name, line in imports(path):
            target = unit_of(resolve(name, known))
            if floor(target) > floor(source):
                where = path.relative_to(PACKAGE.parent)
                upward.append(f"{where}:{line}: {source} (floor {floor(source)}) imports {name}")
    assert upward == []


def test_no_import_cycle_between_modules_or_units():
    known = {module_name(path) for path in modules()}
    graph: dict[str, set[str]] = {}
    for path in modules():
        targets = {resolve(name, known) for name, _line in imports(path)}
        graph[module_name(path)] = targets - {module_name(path)}
    units: dict[str, set[str]] = {}
    for source, targets in graph.items():
        units.setdefault(unit_of(source), set()).update(
            unit_of(t) for t in targets if unit_of(t) != unit_of(source)
        )
    assert find_cycle(graph) == []
    assert find_cycle(units) == []


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as a path that ends where it starts, or [] when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert floor("model") < floor("net") < floor("checks") < floor("reports") < floor("tui")
