"""Reading a deploy's environment variables from the hosting platform's API, read-only.

Each client asks one documented endpoint with a token from the sprint's credentials, and
turns what comes back into a `Listing` (launchtui.deploy.env). The token travels only in the
Authorization header; error messages name the platform, the status and the platform's own
error text, never a token or a value. Anything that is not the documented shape is a
SourceError: a listing that could not be read is never judged.

Per platform: the credential holding the token, the request, and the environment variable
that overrides the base URL (tests point it at a loopback server):

- Heroku, `heroku_api_key`: GET {base}/apps/{app}/config-vars with `Accept:
  application/vnd.heroku+json; version=3` (LAUNCHTUI_HEROKU_API, default
  https://api.heroku.com)
- Fly.io, `fly_api_token`: POST {base}, the GraphQL query `app(name:) { secrets { name digest
  createdAt } }` (LAUNCHTUI_FLY_API, default https://api.fly.io/graphql)
- Vercel, `vercel_token`: GET {base}/v10/projects/{project}/env?decrypt=true
  (LAUNCHTUI_VERCEL_API, default https://api.vercel.com)
- Render, `render_api_key`: GET {base}/services/{service}/env-vars?limit=100&cursor=...
  (LAUNCHTUI_RENDER_API, default https://api.render.com/v1)

The shapes, from each platform's documentation:

- Heroku Platform API, Config Vars "Info for App"
  (https://devcenter.heroku.com/articles/platform-api-reference#config-vars): a flat JSON
  object of name to value; errors are `{"id": "unauthorized", "message": "..."}`.
- Fly.io GraphQL at https://api.fly.io/graphql (the API flyctl uses; `fly secrets list`,
  https://fly.io/docs/flyctl/secrets-list/, shows "each secret's name, a digest of its value
  ... The actual value of the secret is only available to the application"): `{"data":
  {"app": {"secrets": [{"name", "digest", "createdAt"}]}}}`, errors as `{"errors":
  [{"message"}]}`. Values are never readable: presence only.
- Vercel REST API, "Retrieve the environment variables of a project by id or name"
  (https://vercel.com/docs/rest-api/reference/endpoints/projects/ then
  retrieve-the-environment-variables-of-a-project-by-id-or-name; v9 has the same shape):
  `{"envs": [{"key", "value", "type", "target": [...], "decrypted"}]}`.
  Only variables whose `target` holds "production" count. A `sensitive` variable's value is
  never returned, nor a `secret` (legacy) one's, nor an `encrypted` one's unless `decrypted`
  is true: those are present but unreadable. Errors: `{"error": {"code", "message"}}`.
- Render API, "List environment variables"
  (https://api-docs.render.com/reference/get-env-vars-for-service): a JSON list of
  `{"envVar": {"key", "value"}, "cursor"}`; the next page is asked with the last item's
  cursor, until a page comes back shorter than the limit. Errors: `{"id", "message"}`.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote, urlencode

from launchtui.deploy.env import Listing, SourceError
from launchtui.net.http import HttpClient

CREDENTIALS = {
    "heroku": "heroku_api_key",
    "fly": "fly_api_token",
    "vercel": "vercel_token",
    "render": "render_api_key",
}
BASE_ENV = {
    "heroku": "LAUNCHTUI_HEROKU_API",
    "fly": "LAUNCHTUI_FLY_API",
    "vercel": "LAUNCHTUI_VERCEL_API",
    "render": "LAUNCHTUI_RENDER_API",
}
DEFAULT_BASE = {
    "heroku": "https://api.heroku.com",
    "fly": "https://api.fly.io/graphql",
    "vercel": "https://api.vercel.com",
    "render": "https://api.render.com/v1",
}
NAMES = {"heroku": "Heroku", "fly": "Fly.io", "vercel": "Vercel", "render": "Render"}
RENDER_PAGE = 100
MAX_PAGES = 50  # 5,000 variables: more is not a real service
_BODY_LIMIT = 4 * 1024 * 1024
FLY_QUERY = "query($name: String!) { app(name: $name) { secrets { name digest createdAt } } }"


def base(platform: str) -> str:
    return (os.environ.get(BASE_ENV[platform]) or DEFAULT_BASE[platform]).rstrip("/")


async def listing(platform: str, name: str, http: HttpClient, token: str) -> Listing:
    """The variables `platform` holds for app/project/service `name`; SourceError if unread."""
    label = f"{platform}:{name}"
    client = _Client(platform, http, token)
    if platform == "heroku":
        return await _heroku(client, name, label)
    if platform == "fly":
        return await _fly(client, name, label)
    if platform == "vercel":
        return await _vercel(client, name, label)
    if platform == "render":
        return await _render(client, name, label)
    raise SourceError(f"unknown platform {platform!r}")


class _Client:
    def __init__(self, platform: str, http: HttpClient, token: str) -> None:
        self.platform = platform
        self.name = NAMES[platform]
        self.base = base(platform)
        self._http = http
        self._token = token

    async def call(
        self, path: str, headers: dict[str, str] | None = None, content: bytes | None = None
    ) -> Any:
        """The JSON a request answers; SourceError naming what went wrong (never the token)."""
        from launchtui.net.errors import NetError  # the network stack loads when a check runs

        method = "GET" if content is None else "POST"
        url = self.base + path
        where = f"{self.name} API {method} {url}"
        try:
            response = await self._http.fetch(
                url,
                method,
                headers={
                    "Authorization": f"Bearer {self._token}",
                    "Accept": "application/json",
                    **({"Content-Type": "application/json"} if content else {}),
                    **(headers or {}),
                },
                max_body=_BODY_LIMIT,
                content=content,
            )
        except NetError as exc:
            raise SourceError(_scrub(str(exc), self._token)) from None
        if response.truncated:
            raise SourceError(f"{where}: response larger than {_BODY_LIMIT} bytes")
        try:
            data = json.loads(response.body)
        except ValueError:
            data = _NOT_JSON
        if response.status >= 400:
            reason = _error_text(data) if data is not _NOT_JSON else "not a JSON error"
            hint = _STATUS_HINTS.get(response.status, "")
            raise SourceError(
                _scrub(f"{where}: HTTP {response.status}{hint}: {reason}", self._token)
            )
        if data is _NOT_JSON:
            raise SourceError(f"{where}: HTTP {response.status}, the body is not JSON")
        return data


_NOT_JSON = object()
_STATUS_HINTS = {
    401: " (the token was refused: wrong, expired or revoked)",
    403: " (the token may not read this app's variables)",
    404: " (no such app, project or service for this token)",
    429: " (rate limited: try again later)",
}


def _error_text(data: Any) -> str:
    """The platform's own error message, shortened; never anything but its message fields."""
    texts: list[str] = []
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            texts.append(str(error.get("message") or error.get("code") or ""))
        for key in ("message", "id"):
            if isinstance(data.get(key), str):
                texts.append(data[key])
        errors = data.get("errors")
        if isinstance(errors, list):
            texts += [str(e.get("message", "")) for e in errors if isinstance(e, dict)]
    text = "; ".join(t for t in texts if t)
    return (text or "no error message")[:200]


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "[token]") if token else text


def _shape(client: _Client, label: str, expected: str) -> SourceError:
    return SourceError(f"{client.name} API: {label}: not the documented shape ({expected})")


async def _heroku(client: _Client, app: str, label: str) -> Listing:
    data = await client.call(
        f"/apps/{quote(app, safe='')}/config-vars",
        headers={"Accept": "application/vnd.heroku+json; version=3"},
    )
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise _shape(client, label, "a JSON object of config var names to values")
    values: dict[str, str | None] = {}
    for key, value in data.items():
        if value is not None and not isinstance(value, str):
            raise _shape(client, label, "a JSON object of config var names to values")
        if value is not None:
            values[key] = value
    return Listing(label, values)


async def _fly(client: _Client, app: str, label: str) -> Listing:
    body = json.dumps({"query": FLY_QUERY, "variables": {"name": app}}).encode()
    data = await client.call("", content=body)
    if isinstance(data, dict) and data.get("errors"):
        raise SourceError(f"Fly.io API: {label}: {_error_text(data)}")
    app_data = data.get("data", {}).get("app") if isinstance(data, dict) else None
    if app_data is None and isinstance(data, dict) and isinstance(data.get("data"), dict):
        raise SourceError(f"Fly.io API: {label}: no such app for this token")
    secrets = app_data.get("secrets") if isinstance(app_data, dict) else None
    if not isinstance(secrets, list):
        raise _shape(client, label, "data.app.secrets, a list")
    values: dict[str, str | None] = {}
    for secret in secrets:
        if not isinstance(secret, dict) or not isinstance(secret.get("name"), str):
            raise _shape(client, label, "secrets of {name, digest, createdAt}")
        values[secret["name"]] = None
    return Listing(
        label,
        values,
        unreadable="Fly.io shows secrets' names and digests only: presence was checked, "
        "the value was not",
    )


async def _vercel(client: _Client, project: str, label: str) -> Listing:
    data = await client.call(f"/v10/projects/{quote(project, safe='')}/env?decrypt=true")
    envs = data.get("envs") if isinstance(data, dict) else None
    if not isinstance(envs, list):
        raise _shape(client, label, "an object with envs, a list")
    values: dict[str, str | None] = {}
    for env in envs:
        if not isinstance(env, dict) or not isinstance(env.get("key"), str):
            raise _shape(client, label, "envs of {key, value, type, target}")
        target = env.get("target")
        targets = target if isinstance(target, list) else [target]
        if "production" not in targets:
            continue
        value = env.get("value")
        readable = (
            env.get("type") in ("plain", "system")
            or (env.get("type") == "encrypted" and env.get("decrypted") is True)
        ) and isinstance(value, str)
        if env["key"] not in values or readable:
            values[env["key"]] = value if readable else None
    return Listing(
        label,
        values,
        unreadable="Vercel does not return the value of a sensitive (or undecrypted) "
        "variable: presence was checked, the value was not",
    )


async def _render(client: _Client, service: str, label: str) -> Listing:
    values: dict[str, str | None] = {}
    cursor = ""
    for _page in range(MAX_PAGES):
        query = {"limit": RENDER_PAGE, **({"cursor": cursor} if cursor else {})}
        data = await client.call(f"/services/{quote(service, safe='')}/env-vars?{urlencode(query)}")
        if not isinstance(data, list):
            raise _shape(client, label, "a list of {envVar, cursor}")
        for item in data:
            env = item.get("envVar") if isinstance(item, dict) else None
            if not isinstance(env, dict) or not isinstance(env.get("key"), str):
                raise _shape(client, label, "a list of {envVar: {key, value}, cursor}")
            value = env.get("value")
            values[env["key"]] = value if isinstance(value, str) else None
        if len(data) < RENDER_PAGE:
            return Listing(label, values, unreadable="Render returned no value")
        last = data[-1].get("cursor")
        if not isinstance(last, str) or not last or last == cursor:
            raise _shape(client, label, "a cursor on every item to page with")
        cursor = last
    raise SourceError(f"Render API: {label}: more than {MAX_PAGES} pages of variables")
