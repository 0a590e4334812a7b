"""launchtui.net.html: subresources found as written, and bounded work on hostile pages."""

from __future__ import annotations

import time

import pytest

from launchtui.net.html import MAX_RESOURCES, decode, resources


def found(text: str) -> list[str]:
    return [r.describe() for r in resources(text).resources]


def test_every_loading_tag_is_found_in_document_order():
    page = (
        '<script src="http://a/s.js"></script>'
        '<LINK REL="preload Stylesheet" href=" http://a/s.css ">'
        '<link rel="icon" href="http://a/favicon.ico">'
        '<img src="/i.png" srcset="http://a/1.png 1x, /2.png 2x">'
        "<iframe src=http://a/f></iframe><object data='http://a/o'></object>"
        '<video src="http://a/v"><source src="http://a/s"></video><audio src=http://a/au>'
        '<form method="post" action="http://a/login"></form><embed src="http://a/e"/>'
    )
    assert found(page) == [
        "<script src=http://a/s.js>",
        "<stylesheet href=http://a/s.css>",
        "<img srcset=http://a/1.png>",
        "<img srcset=/2.png>",
        "<img src=/i.png>",
        "<iframe src=http://a/f>",
        "<object data=http://a/o>",
        "<video src=http://a/v>",
        "<source src=http://a/s>",
        "<audio src=http://a/au>",
        "<form action=http://a/login>",
        "<embed src=http://a/e>",
    ]


def test_a_base_url_is_a_resource_of_its_own():
    base, script = resources('<base href="http://old.example/"><script src="a.js">').resources
    assert base.describe() == "<base href=http://old.example/>" and not base.passive
    assert script.url == "a.js"  # as written; the base is reported on its own


def test_passive_and_active_kinds():
    kinds = {
        r.tag: r.passive
        for r in resources(
            "<img src=a><audio src=b><video src=c><source src=d><script src=e>"
            "<link rel=stylesheet href=f><iframe src=g><form action=h><object data=i>"
        ).resources
    }
    assert {tag for tag, passive in kinds.items() if passive} == {"img", "audio", "video", "source"}


def test_script_text_comments_and_attributes_without_values_are_not_resources():
    page = (
        "<script>document.write('<script src=\"http://no/1.js\">')</script>"
        "<!-- <script src=http://no/2.js></script> -->"
        "<style>a[x='<img src=http://no/3.png>']{}</style>"
        '<img src><script src=""></script>'
        '<img src="http://yes/&amp;ok.png">'
    )
    assert found(page) == ["<img src=http://yes/&ok.png>"]


def test_hostile_text_is_kept_literally():
    page = '<script src="http://x/[bold]a[/bold]\x1b[31m.js"></script>'
    assert found(page) == ["<script src=http://x/[bold]a[/bold]\x1b[31m.js>"]


def test_100k_nested_tags_cost_no_stack_and_little_time():
    page = "<div>" * 100_000 + '<script src="http://deep/x.js"></script>' + "</div>" * 100_000
    started = time.monotonic()
    assert found(page) == ["<script src=http://deep/x.js>"]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "unit", ["<a ", '<a b="', "<!--", "</", "<?", "<a/", '<a b=">" ', "<<", "<a >< ", "<script>"]
)
def test_unterminated_constructs_stay_linear(unit):
    # html.parser alone rescans the rest of the input per "<" here: minutes for 2 MB.
    page = unit * (2_000_000 // len(unit))
    started = time.monotonic()
    resources(page)
    assert time.monotonic() - started < 5


def test_the_number_of_resources_is_capped():
    page = resources('<img src="http://x/a.png">' * (MAX_RESOURCES + 5))
    assert len(page.resources) == MAX_RESOURCES
    assert page.complete is False


def test_decode_honours_the_charset_and_never_fails():
    assert decode("café".encode("latin-1"), "text/html; charset=ISO-8859-1") == "café"
    assert decode(b"\xff<img>", "text/html; charset=no-such-codec") == "\ufffd<img>"
    assert decode(b"ok", None) == "ok"
