"""What a team's existing monitors watch, in one model whatever the engine: the URLs probed,
the hostnames whose certificates are watched, whether a certificate-expiry alert exists and
where alerts go. The readers of each format (monitoring.existing) fill it; monitoring.coverage
compares it with the sprint's monitors.

Reading is bounded: a file over MAX_BYTES is not read, and YAML that would expand to more than
MAX_NODES values through its aliases is refused before it is built (an alias bomb such as
"billion laughs" costs a few lines; PyYAML's safe_load builds it as shared references, which
any walk over the result expands).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 2_000_000  # values a document may become with its aliases expanded
DEFAULT_PORTS = {"http": 80, "https": 443}


class ExistingError(Exception):
    """A monitor definition that cannot be read; str() names the file and the reason."""


@dataclass(frozen=True, slots=True)
class Watched:
    source: str  # the file read
    format: str  # "Prometheus", "Gatus"...
    urls: frozenset[str] = frozenset()  # normalised (normalise_url)
    certificates: frozenset[str] = frozenset()  # hostnames whose certificate is watched
    cert_alert: bool = False  # an alert fires on a certificate's expiry
    routes: frozenset[str] = frozenset()  # "email", "slack", "webhook", "github-issues"...
    # alert routes may be set where the file does not show them (Upptime's secrets)
    routes_elsewhere: bool = False
    # alerts are sent to an Alertmanager, whose configuration holds the routes
    alertmanager_routes: bool = False
    notes: tuple[str, ...] = field(default=())


def normalise_url(url: str) -> str | None:
    """scheme://host[:port]/path with the scheme and host lower-cased, a default port dropped
    and a trailing slash insignificant (query and fragment ignored); None for no HTTP(S) URL.
    A monitor on https://app.x/login/ watches the flow https://APP.x:443/login."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return f"{scheme}://{netloc}{path}"


def https_host(url: str) -> str | None:
    """The hostname of an https:// URL (whose certificate a probe of it sees), else None."""
    normal = normalise_url(url)
    if normal is None or not normal.startswith("https://"):
        return None
    return urlsplit(normal).hostname


def read_text(path: Path) -> str:
    try:
        if path.exists() and not path.is_file():  # a FIFO or device would block or never end
            raise ExistingError(f"{path}: cannot be read (not a regular file)")
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ExistingError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise ExistingError(f"{path}: over {MAX_BYTES // (1024 * 1024)} MB, not read")
    if b"\0" in data:
        raise ExistingError(f"{path}: binary, not a monitor configuration")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExistingError(f"{path}: not UTF-8 text") from None


def parse_document(path: Path, text: str) -> Any:
    """The JSON or YAML document in `text` (JSON when it opens with "{" or "[")."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ExistingError(f"{path}: not valid JSON ({_first_line(exc)})") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}, set()) > MAX_NODES:
            raise ExistingError(
                f"{path}: YAML whose aliases expand to over {MAX_NODES:,} values: refused "
                "(an alias bomb)"
            )
        return loader.construct_document(node)
    except (yaml.YAMLError, RecursionError) as exc:
        raise ExistingError(f"{path}: not valid YAML ({_first_line(exc)})") from None
    finally:
        loader.dispose()


# libyaml's parser when PyYAML was built with it (the pure-Python one is ~10x slower)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _expanded_size(node: Any, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """How many values `node` becomes once every alias is expanded (each alias is a shared
    node: counted once per use, computed once)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise yaml.YAMLError("an alias that contains itself")
    open_nodes.add(key)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(
            _expanded_size(k, sizes, open_nodes) + _expanded_size(v, sizes, open_nodes)
            for k, v in node.value
        )
    open_nodes.discard(key)
    sizes[key] = min(size, MAX_NODES + 1)  # enough to refuse; no huge integers
    return sizes[key]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def items(value: object) -> list[dict[str, Any]]:
    """The mappings of a list (anything else in it, or a value that is no list, ignored)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def truthy(value: object, default: bool = True) -> bool:
    """A flag as the engines write it: true/false, 1/0 (Uptime Kuma's SQLite booleans)."""
    if value is None:
        return default
    if isinstance(value, bool | int):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return default
