"""A target is a value with the text it is displayed as: that text is the key in the sprint
file and the reports, and reads back to the same target."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchtui.checks.registry import all_checks
from launchtui.model.sprint import EmailConfig, Redirect, Site, Sprint
from launchtui.model.targets import Kind, Target

EVERY_KIND = [
    (Target.for_host("App.Acme.Community"), "App.Acme.Community", Kind.HOST),
    (
        Target.for_host("acme.community", note="Amazon SES"),
        "acme.community (Amazon SES)",
        Kind.HOST,
    ),
    (Target.for_url("https://App.acme.community:8443/login?x=1"), None, Kind.URL),
    (Target.for_name("google._domainkey.acme.community"), None, Kind.NAME),
    (Target.for_name("_dmarc.acme.community"), None, Kind.NAME),
    (Target.for_setting("[site].canonical"), None, Kind.SETTING),
    (
        Target.for_pair("acme.community", "https://app.acme.community"),
        "acme.community -> https://app.acme.community",
        Kind.PAIR,
    ),
    (
        Target.for_pair("http://acme.community/join", "https://app.acme.community/join"),
        "http://acme.community/join -> https://app.acme.community/join",
        Kind.PAIR,
    ),
]


@pytest.mark.parametrize(("target", "text", "kind"), EVERY_KIND)
def test_each_kind_is_shown_as_its_text_and_reads_back_the_same(target, text, kind) -> None:
    assert target.kind is kind
    assert target.text == (text if text is not None else target.value)
    assert str(target) == target.text
    assert Target.parse(target.text) == target


@pytest.mark.parametrize(
    ("target", "host"),
    [
        (Target.for_host("App.Acme.Community"), "app.acme.community"),
        (Target.for_host("acme.community", note="Mailchimp"), "acme.community"),
        (Target.for_url("https://App.acme.community:8443/login?x=1"), "app.acme.community"),
        (Target.for_name("google._domainkey.acme.community"), "google._domainkey.acme.community"),
        (Target.for_setting("[site].canonical"), "[site].canonical"),
        (Target.for_pair("acme.community", "https://app.acme.community"), "acme.community"),
        (
            Target.for_pair("http://Acme.community/join", "https://app.acme.community/join"),
            "acme.community",
        ),
    ],
)
def test_the_host_a_target_is_about(target: Target, host: str) -> None:
    assert target.host == host
    assert Target.parse(target.text).host == host


def test_a_pair_keeps_its_parts() -> None:
    pair = Target.for_pair("http://x.test/old", "https://y.test/new")
    assert (pair.value, pair.to) == ("http://x.test/old", "https://y.test/new")
    assert pair.text == "http://x.test/old -> https://y.test/new"
    assert Target.for_host("app.acme.community").to == ""


def test_odd_text_reads_as_something_all_the_same() -> None:
    assert Target.parse("") == Target(Kind.HOST, "")
    assert Target.parse("").host == ""
    # An arrow without the spaces around it is part of a URL, not a pair.
    url = "https://x.test/search?q=a->b"
    assert Target.parse(url) == Target.for_url(url)
    assert Target.parse(url).host == "x.test"
    # A pair splits at its first arrow; the rest is the second part.
    assert Target.parse("a.test -> https://b.test/?q=a->b") == Target.for_pair(
        "a.test", "https://b.test/?q=a->b"
    )
    # An internationalised hostname stays as written; its host is lower-cased.
    idn = Target.parse("Bücher.Example")
    assert idn == Target.for_host("Bücher.Example")
    assert idn.host == "bücher.example"
    assert Target.parse("xn--bcher-kva.example") == Target.for_host("xn--bcher-kva.example")


def test_every_target_a_check_plans_reads_back_from_its_text() -> None:
    sprint = Sprint(
        path=Path("x.toml"),
        id="x",
        name="x",
        site=Site(
            apex="acme.community",
            hostnames=("www.acme.community", "app.acme.community"),
            canonical="https://app.acme.community",
            redirects=(Redirect("http://acme.community/join", "https://app.acme.community/join"),),
        ),
        flows={"login": "https://app.acme.community/login?next=/a->b"},
        private_urls=("https://app.acme.community/api/posts",),
        email=EmailConfig(domain="acme.community", senders=("postmark", "amazon-ses")),
    )
    bare = Sprint(path=sprint.path, id="x", name="x", site=Site(apex="acme.community"))
    declared = Sprint(
        path=sprint.path,
        id="x",
        name="x",
        site=Site(apex="acme.community"),
        email=EmailConfig(domain="acme.community", dkim_selectors=("s1", "s2")),
    )
    sprints = (sprint, bare, declared)
    planned = [t for check in all_checks() for s in sprints for t in check.targets(s)]
    kinds = {t.kind for t in planned}
    assert kinds == set(Kind)
    for target in planned:
        assert Target.parse(target.text) == target, target
