"""The domain (everything outside launchtui/tui) imports no Textual."""

from __future__ import annotations

import ast
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
    code = (
        "import importlib, sys\n"
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
