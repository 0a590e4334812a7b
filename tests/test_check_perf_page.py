"""perf.page against a lab of its own, in a real headless Chromium (Debian's `chromium`, driven
over the Chrome DevTools Protocol), and its static pass over the HTML without one.

The check launches one browser per target (four runs here); the hostile pages are loaded in one
browser shared by the module (launchtui.perf.page.load, what the check runs in each tab).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from conftest import missing

from launchtui.checks.performance import page as check_module
from launchtui.checks.performance.page import database_ms
from launchtui.checks.registry import all_checks
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread, Route
from launchtui.lab.config import THIRD_PARTY_HOST, THIRD_PARTY_ZONE, demo_hosts, third_party_host
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint
from launchtui.net.html import head_resources
from launchtui.perf import browser as chromium
from launchtui.perf import page as perf_page

CHECK = "perf.page"
ZONE = "harborclub.test"
APP = f"https://app.{ZONE}"
HAVE_CHROMIUM = any(
    os.access(p, os.X_OK)
    for name in chromium.BROWSERS
    for p in [os.path.join(d, name) for d in os.environ.get("PATH", "").split(os.pathsep)]
)
CHROMIUM_MISSING = "Chromium is not installed (apt-get install chromium)"


@pytest.fixture
def chromium_installed() -> None:
    if not HAVE_CHROMIUM:
        missing(CHROMIUM_MISSING)


needs_chromium = pytest.mark.usefixtures("chromium_installed")
SLOW_WIDGET = "/slow-widget.js"
SLOW_CSS = "/slow.css"
BIG = "x" * 300_000


def _hosts() -> list[HostSpec]:
    app = next(h for h in demo_hosts(ZONE) if h.name == f"app.{ZONE}")
    app.routes = {
        **app.routes,
        "/slow": Route(
            body=f'<!doctype html><html><head><script src="{SLOW_WIDGET}"></script></head>'
            "<body>slow</body></html>"
        ),
        SLOW_WIDGET: Route(body="void 0;", content_type="text/javascript"),
        "/styled": Route(
            body=f'<!doctype html><html><head><link rel="stylesheet" href="{SLOW_CSS}"></head>'
            "<body>styled</body></html>"
        ),
        SLOW_CSS: Route(body="body { color: #222 }", content_type="text/css"),
        "/loop": Route(302, {"Location": f"{APP}/loop"}),
        "/big": Route(body=f"<!doctype html><p>{BIG}</p>"),
        "/timed": Route(
            headers={"Server-Timing": 'db;dur=53.2, app;dur=12, cache;desc="hit"'},
            body="<!doctype html><html><head><title>t</title></head><body>ok</body></html>",
        ),
    }
    return [
        app,
        HostSpec(ZONE),
        HostSpec(f"self.{ZONE}", cert="self-signed"),
        # its own host: the connection left waiting holds none of app.'s connections
        HostSpec(f"never.{ZONE}", routes={"/never": Route(body="<!doctype html><p>never</p>")}),
        third_party_host(),
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    config = LabConfig(
        hosts=_hosts(),
        dns_port=0,
        https_port=0,
        http_port=0,
        app_repo="",
        txt={},
        external_zones={THIRD_PARTY_ZONE: []},
        latency={
            "/widget.js": 0.25,
            "/api/posts": 0.05,
            SLOW_WIDGET: 1.3,
            SLOW_CSS: 0.4,
            "/never": 60.0,
        },
    )
    with LabThread(config, tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture(scope="module")
def sprint(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("page"))


def _chromium_processes() -> set[str]:
    found = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"launchtui-chromium-" in cmdline:
            found.add(pid)
    return found


_BEFORE: set[str] = set()  # launchtui browsers already running (another run's) at a test's start


@pytest.fixture(autouse=True)
def _browsers_before() -> None:
    _BEFORE.clear()
    _BEFORE.update(_chromium_processes())


def _chromium_left(before: set[str] | None = None, wait: float = 5.0) -> set[str]:
    """The browser processes started since `before` (default: this test's start) still
    running after up to `wait` seconds: a browser's helpers exit shortly after it, not at once.
    Browsers another run on this machine had already started are not this test's leak."""
    deadline = time.monotonic() + wait
    while True:
        left = _chromium_processes() - (_BEFORE if before is None else before)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


# --- targets and the pure parts -------------------------------------------------------------


def test_targets_are_home_join_and_posts(sprint: Sprint) -> None:
    check = next(c for c in all_checks() if c.id == CHECK)
    assert check.stage == "performance" and check.severity == "medium"
    assert [t.text for t in check.targets(sprint)] == [
        f"{APP}/",
        f"{APP}/join",
        f"{APP}/api/posts",
    ]
    table_flow = dataclasses.replace(sprint, flows={"join": {"steps": [f"{APP}/j"]}})  # type: ignore[dict-item]
    assert [t.text for t in check.targets(table_flow)] == [f"{APP}/", f"{APP}/j"]
    nothing = dataclasses.replace(
        sprint, flows={}, site=dataclasses.replace(sprint.site, canonical="")
    )
    assert [t.text for t in check.targets(nothing)] == ["[site].canonical"]
    result = run_check(CHECK, nothing, "[site].canonical")
    assert result.status is Status.SKIP and "canonical" in result.fix


def test_server_timing_database_time() -> None:
    # W3C Server Timing: metric;dur=ms;desc="..."
    assert database_ms('db;dur=53.2, app;dur=12, cache;desc="hit"') == 53.2
    assert database_ms('q1;dur=4;desc="SQL", q2;dur=6;desc="sql"') == 10
    assert database_ms("app;dur=12") is None
    assert database_ms("db;dur=abc") is None


def test_head_resources_blocking() -> None:
    page = (
        '<html><head><script src="a.js"></script><script src="b.js" defer></script>'
        '<script src="c.js" async></script><script type="module" src="d.js"></script>'
        '<link rel="stylesheet" href="s.css"><link rel="stylesheet" href="p.css" media="print">'
        '<script>inline()</script></head><body><script src="late.js"></script></body></html>'
    )
    assert [(r.tag, r.url, r.blocking) for r in head_resources(page)] == [
        ("script", "a.js", True),
        ("script", "b.js", False),
        ("script", "c.js", False),
        ("script", "d.js", False),
        ("stylesheet", "s.css", True),
        ("stylesheet", "p.css", False),
    ]
    assert head_resources('<head><script src="x.js" a="unterminated') == []


# --- the check in a real browser ------------------------------------------------------------


@needs_chromium
def test_a_page_without_findings_passes(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"{APP}/")
    assert result.status is Status.PASS, result.summary
    assert result.evidence["measured_with"] == "headless Chromium (DevTools protocol)"
    loaded = result.evidence["loaded"]
    assert any("/static/app.css Stylesheet 200" in line for line in loaded), loaded
    assert _chromium_left() == set()


@needs_chromium
def test_repeated_api_calls_and_a_blocking_third_party_script_warn(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"{APP}/join")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["repeated_calls"] == [f"GET {APP}/api/posts x3"]
    assert result.evidence["render_blocking"] == [f"https://{THIRD_PARTY_HOST}/widget.js"]
    assert result.evidence["render_blocking_ms"] >= 240  # the widget's 250 ms lab delay
    (third,) = result.evidence["third_party_scripts"]
    assert third.startswith(f"https://{THIRD_PARTY_HOST}: 1 script, 40.")
    busy = float(third.split("KB, ")[1].split(" ms")[0])
    assert busy >= 50  # the widget spins the main thread for 60 ms
    assert "fetched 3 times: 2 requests and " in result.fix
    assert "up to " in result.fix and " ms saved before the first render" in result.fix
    assert _chromium_left() == set()


@needs_chromium
def test_a_blocking_script_over_a_second_fails(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"{APP}/slow")
    assert result.status is Status.FAIL, result.summary
    assert result.evidence["render_blocking_ms"] >= 1000
    assert "held the first render" in result.summary


@needs_chromium
def test_a_slow_blocking_stylesheet_warns_with_its_fix(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"{APP}/styled")
    assert result.status is Status.WARN, result.summary
    assert "held the first render" in result.summary
    assert f"blocking stylesheet ({APP}{SLOW_CSS})" in result.fix
    assert "saved before the first render" in result.fix


@needs_chromium
def test_a_redirect_loop_is_an_error(sprint: Sprint) -> None:
    result = run_check(CHECK, sprint, f"{APP}/loop")
    assert_could_not_check(result, "ERR_TOO_MANY_REDIRECTS")
    assert _chromium_left() == set()


# --- hostile pages, in one browser shared by these tests -----------------------------------


@pytest.fixture(scope="module")
def tab_loader(sprint: Sprint) -> Iterator[asyncio.Runner]:
    if not HAVE_CHROMIUM:
        missing(CHROMIUM_MISSING)
    runner = asyncio.Runner()
    before = _chromium_processes()
    network = sprint.network
    launched = chromium.Browser.launch(
        chromium.find_browser(), network.connect_to, network.ca_bundle
    )
    browser = runner.run(launched.__aenter__())
    runner.browser = browser  # type: ignore[attr-defined]
    try:
        yield runner
    finally:
        runner.run(launched.__aexit__(None, None, None))
        runner.close()
    assert _chromium_left(before) == set()


def _load(runner: asyncio.Runner, url: str, timeout: float = 10) -> perf_page.PageLoad:
    async def go() -> perf_page.PageLoad:
        async with chromium.open_tab(runner.browser) as tab:  # type: ignore[attr-defined]
            return await perf_page.load(tab, url, timeout)

    return runner.run(go())


def test_a_page_that_never_finishes_ends_in_bounded_time(tab_loader: asyncio.Runner) -> None:
    with pytest.raises(perf_page.PageError, match="did not finish loading in 2 s"):
        _load(tab_loader, f"https://never.{ZONE}/never", timeout=2)


def test_a_huge_page_is_stopped(
    tab_loader: asyncio.Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(perf_page, "MAX_BYTES", 100_000)
    with pytest.raises(perf_page.PageError, match="over 0 MB on the wire"):
        _load(tab_loader, f"{APP}/big")


def test_an_untrusted_certificate_is_not_accepted(tab_loader: asyncio.Runner) -> None:
    with pytest.raises(perf_page.PageError, match="ERR_CERT_AUTHORITY_INVALID"):
        _load(tab_loader, f"https://self.{ZONE}/")


def test_server_timing_is_read_in_the_browser(tab_loader: asyncio.Runner) -> None:
    load = _load(tab_loader, f"{APP}/timed")
    assert load.document is not None and load.document.server_timing.startswith("db;dur=53.2")
    assert load.load_ms is not None and load.load_ms > 0


# --- without a browser: the static pass -----------------------------------------------------


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(chromium.ENV_BROWSER, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without chromium


def test_without_chromium_the_static_pass_finds_the_blocking_third_party_script(
    sprint: Sprint, no_browser: None
) -> None:
    result = run_check(CHECK, sprint, f"{APP}/join")
    assert result.status is Status.WARN, result.summary
    assert result.summary.startswith("static pass (no browser: Chromium is not installed")
    assert "1 render-blocking script in <head>" in result.summary
    assert result.evidence["third_party_scripts"] == [f"https://{THIRD_PARTY_HOST}"]
    assert result.evidence["render_blocking"] == [f"script https://{THIRD_PARTY_HOST}/widget.js"]


def test_the_static_pass_reads_server_timing_and_passes(
    sprint: Sprint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chromium.ENV_BROWSER, "none")  # the setting that turns the browser off
    result = run_check(CHECK, sprint, f"{APP}/timed")
    assert result.status is Status.PASS, result.summary
    assert "LAUNCHTUI_CHROMIUM=none" in result.summary
    assert result.evidence["database_ms"] == 53.2
    assert "53 ms of database time" in result.summary
    assert result.fix == ""  # a pass has no fix


def test_the_static_pass_reports_what_kept_it_from_checking(
    sprint: Sprint, no_browser: None
) -> None:
    assert_could_not_check(run_check(CHECK, sprint, f"{APP}/loop"), "redirect")
    assert_could_not_check(run_check(CHECK, sprint, f"https://self.{ZONE}/"), "certificate")
    result = run_check(CHECK, sprint, f"{APP}/missing")
    assert_could_not_check(result, "answered 404")


def test_a_missing_executable_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(chromium.ENV_BROWSER, "/nonexistent/chromium")
    with pytest.raises(chromium.Unavailable, match="not an executable"):
        chromium.find_browser()


def test_resolver_rules_map_host_and_port() -> None:
    rules = chromium.resolver_rules(
        {("App.x.test", 443): ("127.0.0.1", 9443), ("v6.x", 80): ("::1", 1)}
    )
    assert rules == "MAP app.x.test:443 127.0.0.1:9443, MAP v6.x:80 [::1]:1"


def test_check_module_bounds() -> None:
    assert check_module.PAGE_TIMEOUT <= 30
    assert perf_page.MAX_REQUESTS <= 1000
