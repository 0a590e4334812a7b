"""edge.static-cache against the lab: cached assets, uncached pages and private URLs."""

from __future__ import annotations

import socket

import pytest
from check_helpers import assert_could_not_check, https_site, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import read_request, response

from launchtui.checks.registry import all_checks
from launchtui.model.results import Status

pytest_plugins = ["lab_fixtures"]

CHECK = "edge.static-cache"
APP = f"https://app.{ZONE}"
CACHING = f"https://caching.{ZONE}"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("cache"))


def test_targets_are_each_hostname_and_each_private_url(sprint):
    check = next(c for c in all_checks() if c.id == CHECK)
    targets = [t.text for t in check.targets(sprint)]
    assert targets[:3] == [ZONE, f"www.{ZONE}", f"app.{ZONE}"]
    # the demo's [flows].private: posts, then the member pages perf.private-cache checks
    private = ["/api/posts", "/account", "/profile", "/settings"]
    assert targets[-4:] == [f"{APP}{path}" for path in private]


def test_long_cached_assets_and_an_unshared_page_pass(sprint):
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.summary == (
        f"app.{ZONE}: HTML not shared-cacheable; 2 static asset(s) cacheable for a day or more"
    )
    assert result.evidence["assets"] == [
        f"{APP}/static/app.css: 200, Cache-Control: public, max-age=31536000, immutable",
        f"{APP}/static/app.js: 200, Cache-Control: public, max-age=31536000, immutable",
    ]


def test_the_apex_is_judged_on_the_page_it_redirects_to(sprint):
    result = run_check(CHECK, sprint, ZONE)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["final_url"] == f"{APP}/"


def test_public_html_fails_and_no_store_assets_are_named(sprint):
    result = run_check(CHECK, sprint, f"media.{ZONE}")
    assert result.status is Status.FAIL
    assert result.evidence["page_cache_control"] == ["public, max-age=3600"]
    assert result.evidence["problems"] == [
        f"the HTML page https://media.{ZONE}/ is shared-cacheable",
        f"https://media.{ZONE}/static/app.css: Cache-Control no-store",
        f"https://media.{ZONE}/static/app.js: Cache-Control no-store",
    ]
    assert "private, no-cache" in result.fix and "immutable" in result.fix


def test_short_lived_and_missing_assets_warn(sprint):
    result = run_check(CHECK, sprint, f"caching.{ZONE}")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["problems"] == [
        f"{CACHING}/static/app.css: cached for 60 s only (under a day)",
        f"{CACHING}/gone.png: answers 404",
    ]


def test_a_private_url_kept_out_of_shared_caches_passes(sprint):
    result = run_check(CHECK, sprint, f"{APP}/api/posts")
    assert result.status is Status.PASS, result.summary
    assert result.evidence["cache_control"] == ["private, no-store"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/public", Status.FAIL, "shared-cacheable (public, max-age)"),
        ("/max-age", Status.FAIL, "shared-cacheable (max-age)"),
        ("/bare", Status.WARN, "says no Cache-Control"),
        ("/no-cache", Status.WARN, "says only no-cache"),
    ],
)
def test_private_urls_that_a_shared_cache_may_keep(sprint, path, status, words):
    result = run_check(CHECK, sprint, f"{CACHING}{path}")
    assert result.status is status, result.summary
    assert words in result.summary
    assert "private, no-store" in result.fix


def test_a_site_that_cannot_be_reached_is_an_error(sprint):
    result = run_check(CHECK, sprint, f"shop.{ZONE}")
    assert_could_not_check(result, "NXDOMAIN")


@pytest.fixture
def tls_site(sprint, tmp_path):
    """serve(pages, extra) -> a sprint whose https://page.example.test answers `pages`
    ({path: (headers, body)}) from a TLS server; `extra` maps more host:443 to ports."""
    with https_site(sprint, tmp_path, "page.example.test") as serve_handler:

        def serve(pages, extra=None):
            async def handler(reader, writer):
                request = await read_request(reader)
                headers, body = pages.get(request[":path"], ([], b"missing"))
                writer.write(response("200 OK", headers, body))
                await writer.drain()
                writer.close()

            return serve_handler(handler, extra)

        yield serve


def test_cdn_only_cache_headers_count(tls_site):
    html = ("Content-Type", "text/html")
    site = tls_site(
        {
            "/": ([html, ("Cloudflare-CDN-Cache-Control", "max-age=3600")], b"<h1>hi</h1>"),
            "/member": ([("Cache-Control", "private"), ("CDN-Cache-Control", "max-age=600")], b""),
        }
    )
    page = run_check(CHECK, site, "page.example.test")
    assert page.status is Status.FAIL, page.summary
    assert "cached by the CDN (cloudflare-cdn-cache-control: max-age=3600)" in page.summary
    member = run_check(CHECK, site, "https://page.example.test/member")
    assert member.status is Status.FAIL, member.summary
    assert member.evidence["cdn_cache_control"] == "cdn-cache-control: max-age=600"


def test_an_asset_that_cannot_be_fetched_makes_an_error_not_a_pass(tls_site):
    page = b'<link rel="stylesheet" href="https://assets.example.test/a.css">'
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = ("127.0.0.1", probe.getsockname()[1])
        site = tls_site(
            {"/": ([("Content-Type", "text/html")], page)},
            {("assets.example.test", 443): closed},
        )
        result = run_check(CHECK, site, "page.example.test")
    assert_could_not_check(result, "not fetched")
    assert result.summary == "could not check: 1 of 1 assets of page.example.test not fetched"
    [asset] = result.evidence["assets"]
    assert asset.startswith("https://assets.example.test/a.css: not fetched: GET ")
