"""The domain (everything outside launchtui/tui) imports no Textual."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "launchtui"


def domain_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "tui" not in p.relative_to(PACKAGE).parts]


def test_no_domain_module_mentions_textual_in_an_import():
    offenders = []
    for path in domain_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("textual", "rich")]
    assert domain_modules(), "no domain modules found"
    assert offenders == []


def test_importing_every_domain_module_loads_no_textual():
    modules = sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for p in domain_modules()
        if p.name != "__main__.py"
    )
    # httpx imports its command-line tool (httpx._main: click, rich) when click is installed,
    # which Locust (a dev dependency, for `perf export --locust`'s test) brings; the runtime
    # environment has no click, so httpx falls back there. Do the same here.
    code = (
        "import importlib, sys\n"
        "sys.modules['httpx._main'] = None  # as without click: httpx skips its CLI\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(modules) > 10


def test_listing_the_checks_loads_no_network_stack(tmp_path):
    """Opening the app lists each stage's planned rows; httpx, dnspython and cryptography load
    only when a check runs (they cost a third of the start-up)."""
    fixture = tmp_path / "tui_sprint.toml"  # opening it moves its results to the run history
    fixture.write_bytes((Path(__file__).resolve().parent / "fixtures" / fixture.name).read_bytes())
    code = (
        "import sys\n"
        "from launchtui.tui.app import LaunchApp\n"
        "from launchtui.plan import planned_rows\n"
        "from launchtui.model.stages import STAGE_NAMES\n"
        f"app = LaunchApp({str(fixture)!r})\n"
        "rows = sum(len(planned_rows(s, app.sprint.document.sprint)) for s in STAGE_NAMES)\n"
        "heavy = ('httpx', 'httpcore', 'dns', 'cryptography', 'dkim')\n"
        "print(rows, sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows, loaded = done.stdout.split(" ", 1)
    assert int(rows) > 20 and loaded.strip() == "[]"


def check_modules() -> list[str]:
    """The modules that implement one check each (stage packages' modules not named _*)."""
    checks = PACKAGE / "checks"
    return sorted(
        f"launchtui.checks.{stage.name}.{module.stem}"
        for stage in checks.iterdir()
        if (stage / "__init__.py").is_file()
        for module in stage.glob("*.py")
        if not module.name.startswith("_")
    )


def test_every_check_module_is_declared_once_and_defines_run():
    """Stage packages declare their checks; each declaration names the module it runs from."""
    code = (
        "import importlib, inspect, json\n"
        "from launchtui.checks.registry import all_checks\n"
        "declared = {}\n"
        "for check in all_checks():\n"
        "    declared.setdefault(check.run.module, []).append(check.id)\n"
        "load = importlib.import_module\n"
        "runs = {m: inspect.iscoroutinefunction(load(m).run) for m in declared}\n"
        "print(json.dumps([declared, runs]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    declared, runs = json.loads(done.stdout)
    assert sorted(declared) == check_modules()
    assert all(len(ids) == 1 for ids in declared.values()), declared
    assert all(runs.values()), runs


def test_listing_the_checks_loads_no_check_implementation(tmp_path):
    """Opening the app and listing every stage's rows imports no check's implementation module,
    nor the parsers and probes only running a check needs (email/, most of net/)."""
    fixture = tmp_path / "tui_sprint.toml"
    fixture.write_bytes((Path(__file__).resolve().parent / "fixtures" / fixture.name).read_bytes())
    code = (
        "import sys, json\n"
        "from launchtui.tui.app import LaunchApp\n"
        "from launchtui.plan import planned_rows\n"
        "from launchtui.model.stages import STAGE_NAMES\n"
        "from launchtui.checks.registry import all_checks\n"
        f"app = LaunchApp({str(fixture)!r})\n"
        "assert all_checks()\n"
        "rows = sum(len(planned_rows(s, app.sprint.document.sprint)) for s in STAGE_NAMES)\n"
        "print(json.dumps([rows, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows, modules = json.loads(done.stdout)
    assert rows > 20
    loaded = set(modules)
    assert loaded.isdisjoint(check_modules()), sorted(loaded & set(check_modules()))
    lazy = [
        m
        for m in loaded
        if m.startswith("launchtui.email.")
        or (m.startswith("launchtui.net.") and m != "launchtui.net.errors")
        or m == "launchtui.checks.edge._chains"
    ]
    assert lazy == []
