"""A headless Chromium driven over the Chrome DevTools Protocol (CDP), always bounded.

Chromium is Debian's `chromium` (or `chromium-browser`, `google-chrome` on PATH). It starts in
its own process group with a throwaway profile (`--user-data-dir`) and `--remote-debugging-port=0`;
the port it picked is read from the DevToolsActivePort file it writes in that profile (no pipe
to drain, so a chatty browser can never block on stderr). Whatever happens (a timeout, an
error, a cancelled check) the whole process group is killed and the profile removed.

How the page reaches the sprint's hosts and trusts its CA:
- `[network].connect_to` becomes `--host-resolver-rules` `MAP host:port ip:port` entries, so
  the browser connects where launchtui's own client does (the lab's ports) while the URL, the
  Host header and the SNI stay the real names. Hosts without an entry use the system resolver.
- `[network].ca_bundle` is added to an NSS database in the throwaway HOME (certutil from
  libnss3-tools, trust "C,,": a TLS server CA), which Chromium on Linux reads besides its own
  root store. Every other certificate check stays on: no `--ignore-certificate-errors`, and no
  `--ignore-certificate-errors-spki-list` (it matches only the certificates a server sends,
  not the CA, and would accept that key for any name). Without certutil, a sprint with a
  ca_bundle cannot be loaded in the browser (launchtui says so and does the static pass).

CDP methods used (Chrome DevTools Protocol, tip-of-tree, checked 2026): Target.createTarget,
Page.enable / Page.navigate / Page.loadEventFired / Page.stopLoading, Network.enable /
Network.requestWillBeSent / Network.responseReceived / Network.loadingFinished
(encodedDataLength) / Network.loadingFailed, Tracing.start (ReportEvents) /
Tracing.dataCollected / Tracing.end / Tracing.tracingComplete for main-thread time per script
and each request's renderBlocking (the devtools.timeline ResourceSendRequest event).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENV_BROWSER = "LAUNCHTUI_CHROMIUM"  # a path to the browser, or "none" to never use one
START_TIMEOUT = 15.0  # seconds for Chromium to open its DevTools port
MESSAGE_LIMIT = 32 * 1024 * 1024  # one CDP message (a trace chunk can be a few MB)
HostPort = tuple[str, int]


class BrowserError(Exception):
    """Chromium could not be started or driven; the text says why."""


class Unavailable(BrowserError):
    """No Chromium to run (not installed, or turned off): the static pass stands in."""


def find_browser(environ: Mapping[str, str] | None = None) -> str:
    """The Chromium to run. Raises Unavailable with the reason."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENV_BROWSER, "").strip()
    if chosen.lower() == "none":
        raise Unavailable(f"{ENV_BROWSER}=none: the browser is turned off")
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise Unavailable(f"{ENV_BROWSER}={chosen} is not an executable file")
        return chosen
    path = environ.get("PATH", "")
    for name in BROWSERS:
        found = shutil.which(name, path=path)
        if found:
            return found
    raise Unavailable(
        "Chromium is not installed (none of " + ", ".join(BROWSERS) + " on PATH; on Debian: "
        "apt-get install chromium)"
    )


def resolver_rules(connect_to: Mapping[HostPort, HostPort]) -> str:
    """--host-resolver-rules for `connect_to`: "MAP host:port ip:port" entries (Chromium
    matches a rule's pattern against "host:port" as well as the bare host)."""
    rules = []
    for (host, port), (to_host, to_port) in sorted(connect_to.items()):
        to = f"[{to_host}]" if ":" in to_host else to_host
        rules.append(f"MAP {host.lower()}:{port} {to}:{to_port}")
    return ", ".join(rules)


def _trust_ca(home: Path, ca_bundle: Path) -> None:
    """Add every certificate of `ca_bundle` to the NSS db Chromium reads in `home`."""
    certutil = shutil.which("certutil")
    if certutil is None:
        raise Unavailable(
            f"[network].ca_bundle ({ca_bundle.name}) must be trusted by the browser, and "
            "certutil is not installed (apt-get install libnss3-tools)"
        )
    db = home / ".pki" / "nssdb"
    db.mkdir(parents=True)
    run = [certutil, "-d", f"sql:{db}"]
    try:
        subprocess.run(
            [*run, "-N", "--empty-password"], check=True, capture_output=True, timeout=20
        )
        text = ca_bundle.read_text(encoding="ascii", errors="replace")
        begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
        blocks = [b.split(end)[0] for b in text.split(begin)[1:]]
        for number, block in enumerate(blocks):
            pem = db / f"ca{number}.pem"
            pem.write_text(f"{begin}{block}{end}\n", encoding="ascii")
            subprocess.run(
                [*run, "-A", "-n", f"launchtui-ca-{number}", "-t", "C,,", "-i", str(pem)],
                check=True,
                capture_output=True,
                timeout=20,
            )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BrowserError(f"could not trust {ca_bundle.name} in the browser: {exc}") from None


@dataclass(slots=True)
class Browser:
    """A running headless Chromium; use `launch` (an async context manager)."""

    process: asyncio.subprocess.Process
    port: int
    profile: Path

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(
        cls,
        executable: str,
        connect_to: Mapping[HostPort, HostPort] | None = None,
        ca_bundle: Path | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> AsyncIterator[Browser]:
        profile = Path(tempfile.mkdtemp(prefix="launchtui-chromium-"))
        process: asyncio.subprocess.Process | None = None
        try:
            home = profile / "home"
            home.mkdir()
            if ca_bundle is not None:
                await asyncio.to_thread(_trust_ca, home, ca_bundle)
            args = [
                "--headless=new",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={profile / 'data'}",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",  # no update, sync or safe-browsing traffic
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-dev-shm-usage",
                "--mute-audio",
                "--disable-gpu",
                "about:blank",
            ]
            if connect_to:
                args.insert(0, f"--host-resolver-rules={resolver_rules(connect_to)}")
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                # Chromium refuses to start as root with its sandbox on; run launchtui as a
                # normal user to keep it.
                args.insert(0, "--no-sandbox")
            env = {**os.environ, "HOME": str(home)}
            env.pop("DISPLAY", None)
            env.pop("WAYLAND_DISPLAY", None)
            with open(profile / "stderr.log", "wb") as log:
                try:
                    process = await asyncio.create_subprocess_exec(
                        executable,
                        *args,
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=log,
                        env=env,
                        start_new_session=True,  # its own process group, killed whole
                    )
                except OSError as exc:
                    raise BrowserError(f"could not start {executable}: {exc}") from None
            port = await _devtools_port(process, profile, start_timeout)
            yield cls(process, port, profile)
        finally:
            if process is not None:
                await _kill(process)
            await asyncio.to_thread(shutil.rmtree, profile, True)


async def _devtools_port(process: asyncio.subprocess.Process, profile: Path, timeout: float) -> int:
    """The port Chromium wrote to DevToolsActivePort (first line; the second is the path)."""
    marker = profile / "data" / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.returncode is not None:
            break
        with contextlib.suppress(OSError, ValueError, IndexError):
            lines = marker.read_text(encoding="ascii").splitlines()
            if len(lines) >= 2:
                return int(lines[0])
        await asyncio.sleep(0.05)
    log = ""
    with contextlib.suppress(OSError):
        log = (profile / "stderr.log").read_text(errors="replace").strip()
    lines = [line for line in log.splitlines() if line.strip()][-3:]
    said = f": {' / '.join(lines)}" if lines else ""
    if process.returncode is not None:
        raise BrowserError(f"Chromium exited with status {process.returncode} at start{said}")
    raise BrowserError(f"Chromium did not open its DevTools port in {timeout:g} s{said}")


async def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), 5.0)


def _connect(url: str) -> Any:
    return connect(url, max_size=MESSAGE_LIMIT, open_timeout=10, ping_interval=None)


@dataclass(slots=True)
class Session:
    """One CDP connection (a tab's): commands by id, events queued in order."""

    ws: ClientConnection
    events: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _next: int = 0
    _reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        error: BaseException = BrowserError("the DevTools connection closed")
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if not isinstance(message, dict):
                    continue
                if "id" in message:
                    future = self._pending.pop(message["id"], None)
                    if future is not None and not future.done():
                        future.set_result(message)
                elif "method" in message:
                    self.events.put_nowait(message)
        except (WebSocketException, OSError, ValueError) as exc:
            error = BrowserError(f"the DevTools connection failed: {exc}")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()
        self.events.put_nowait({"method": "launchtui.closed", "params": {"reason": str(error)}})

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = future
        try:
            await self.ws.send(
                json.dumps({"id": self._next, "method": method, "params": params or {}})
            )
        except (WebSocketException, OSError) as exc:
            self._pending.pop(self._next, None)
            raise BrowserError(f"the DevTools connection failed: {exc}") from None
        answer = await future
        if "error" in answer:
            error = answer["error"]
            text = error.get("message", error) if isinstance(error, dict) else error
            raise BrowserError(f"{method}: {text}")
        result = answer.get("result", {})
        return result if isinstance(result, dict) else {}

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self.ws.close()


@contextlib.asynccontextmanager
async def open_tab(browser: Browser) -> AsyncIterator[Session]:
    """A new blank tab of `browser` with a CDP session on it; the tab is closed after."""
    import httpx  # the browser's /json endpoints, on loopback

    base = f"http://127.0.0.1:{browser.port}"
    try:
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            answer = await client.put(f"{base}/json/new?about:blank")
            target = answer.json()
        ws_url = target["webSocketDebuggerUrl"]
        target_id = target["id"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise BrowserError(f"could not open a tab: {exc}") from None
    try:
        ws = await _connect(ws_url)
    except (WebSocketException, OSError, TimeoutError) as exc:
        raise BrowserError(f"could not connect to the tab: {exc}") from None
    session = Session(ws)
    session.start()
    try:
        yield session
    finally:
        await session.close()
        with contextlib.suppress(Exception):
            async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
                await client.get(f"{base}/json/close/{target_id}")
