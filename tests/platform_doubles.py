"""Loopback doubles of the hosting platforms' env-var APIs, answering in each API's documented
shape (see launchtui/deploy/platforms.py for the documents): Heroku config vars, Fly.io's
GraphQL secrets, Vercel project envs, Render env-vars with cursor pagination.

`mode` makes a double misbehave: "401" (token refused, in the platform's error shape),
"404", "malformed" (200 with a body that is not JSON), "shape" (JSON of the wrong shape),
"hang" (never answers), "graphql-error" (Fly: 200 with errors).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from servers import read_request, response, server_thread

from launchtui.deploy import platforms

# Values that must never appear in any output
LIVE_KEY = "sk_live_51NeverShownLiveKey0123456789abcdefXYZ"
TEST_KEY = "sk_test_51NeverShownTestKey0123456789abcdefXYZ"
DB_URL = "postgres://acme:Pw-NeverShown-7781@db.acme-prod.net:5432/acme"
TOKEN_VALUE = "pm-NeverShownPostmarkToken-0123456789"
PLATFORM_TOKEN = "platform-api-token-NeverShown-abcdef0123"
SECRETS = (LIVE_KEY, TEST_KEY, DB_URL, TOKEN_VALUE, PLATFORM_TOKEN)

GOOD = {
    "DATABASE_URL": DB_URL,
    "STRIPE_SECRET_KEY": LIVE_KEY,
    "POSTMARK_TOKEN": TOKEN_VALUE,
    "DEBUG": "false",
}


@dataclass
class Double:
    values: dict[str, str] = field(default_factory=lambda: dict(GOOD))
    mode: str = "ok"
    seen: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    sensitive: set[str] = field(default_factory=set)  # Vercel: sensitive variables
    preview_only: set[str] = field(default_factory=set)  # Vercel: not in production
    filler: int = 0  # Render: extra variables before the real ones (pagination)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        length = int(request.get("content-length", "0") or 0)
        self.bodies.append(await reader.readexactly(length) if length else b"")
        self.seen.append(request)
        if self.mode == "hang":
            await asyncio.sleep(30)
            return
        status, body = self.answer(request)
        writer.write(response(status, [("Content-Type", "application/json")], body))
        await writer.drain()
        writer.close()

    def answer(self, request: dict[str, str]) -> tuple[str, bytes]:
        parts = urlsplit(request[":path"])
        query = parse_qs(parts.query)
        if self.mode == "malformed":
            return "200 OK", b"<html>upstream error</html>"
        if self.mode == "401":
            return "401 Unauthorized", self.error("unauthorized", "Invalid credentials provided.")
        if self.mode == "404":
            return "404 Not Found", self.error("not_found", "Couldn't find that app.")
        if self.mode == "shape":
            return "200 OK", json.dumps({"unexpected": True}).encode()
        path = parts.path
        if path.endswith("/config-vars"):  # Heroku
            return "200 OK", json.dumps(self.values).encode()
        if path.endswith("/graphql"):  # Fly.io
            if self.mode == "graphql-error":
                body = {"data": None, "errors": [{"message": "Could not find App"}]}
                return "200 OK", json.dumps(body).encode()
            secrets = [
                {"name": name, "digest": f"{hash(name) & 0xFFFFFFFF:08x}", "createdAt": "x"}
                for name in self.values
            ]
            return "200 OK", json.dumps({"data": {"app": {"secrets": secrets}}}).encode()
        if "/env" in path and "/projects/" in path:  # Vercel
            envs = [self.vercel_env(name, value) for name, value in self.values.items()]
            return "200 OK", json.dumps({"envs": envs}).encode()
        if path.endswith("/env-vars"):  # Render
            return "200 OK", json.dumps(self.render_page(query)).encode()
        return "404 Not Found", self.error("not_found", "no such path")

    def error(self, code: str, message: str) -> bytes:
        # Heroku and Render: {"id", "message"}; Vercel: {"error": {"code", "message"}}
        return json.dumps(
            {"id": code, "message": message, "error": {"code": code, "message": message}}
        ).encode()

    def vercel_env(self, name: str, value: str) -> dict[str, Any]:
        target = ["preview"] if name in self.preview_only else ["production", "preview"]
        if name in self.sensitive:
            return {"key": name, "type": "sensitive", "target": target, "id": name}
        return {
            "key": name,
            "value": value,
            "type": "encrypted",
            "decrypted": True,
            "target": target,
            "id": name,
        }

    def render_page(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        items = [(f"FILLER_{i:03d}", "x1") for i in range(self.filler)]
        items += list(self.values.items())
        everything = [
            {"envVar": {"key": key, "value": value}, "cursor": f"c{i}"}
            for i, (key, value) in enumerate(items)
        ]
        limit = int(query.get("limit", ["20"])[0])
        cursor = query.get("cursor", [""])[0]
        start = int(cursor[1:]) + 1 if cursor else 0
        return everything[start : start + limit]


@contextmanager
def serve(monkeypatch: pytest.MonkeyPatch, double: Double, platform: str) -> Iterator[Double]:
    with server_thread() as thread:
        port = thread.serve(double.handle)
        base = f"http://127.0.0.1:{port}"
        suffix = {"fly": "/graphql", "render": "/v1"}.get(platform, "")
        monkeypatch.setenv(platforms.BASE_ENV[platform], base + suffix)
        monkeypatch.setenv(
            "LAUNCHTUI_CRED_" + platforms.CREDENTIALS[platform].upper(), PLATFORM_TOKEN
        )
        yield double
