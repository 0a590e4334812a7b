"""`scaffold` writes a commented starter file that loads as written and never overwrites."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from launchtui.errors import SprintFileError
from launchtui.sprint import store
from launchtui.sprint.scaffold import scaffold

EXAMPLE = re.compile(r"^# (\[network\].*|[a-z_]+ = .*)$")  # a commented-out example line


def test_starter_file_loads_cleanly(tmp_path: Path) -> None:
    path = scaffold(tmp_path / "sprints" / "acme.toml", "acme.community")
    assert path == tmp_path / "sprints" / "acme.toml"
    sprint = store.load(path).sprint
    assert sprint.id == "acme"
    assert sprint.name == "acme.community launch"
    assert sprint.site.apex == "acme.community"
    assert sprint.site.hostnames == ("www.acme.community",)
    assert sprint.site.canonical == "https://www.acme.community"
    assert sprint.email.domain == "acme.community"
    assert sprint.flows == {} and sprint.credentials == {}


def test_starter_file_explains_every_section(tmp_path: Path) -> None:
    text = scaffold(tmp_path / "acme.toml", "acme.community").read_text()
    for section in ("[sprint]", "[site]", "[flows]", "[email]", "[deploy]", "[credentials]"):
        assert f"\n{section}\n" in text
    assert "\n# [network]" in text
    assert '# login = "https://www.acme.community/login"' in text
    assert '# cloudflare_api_token = "Cloudflare API token (Zone read)"' in text
    assert '# private = ["https://www.acme.community/api/posts"]' in text
    examples = [EXAMPLE.sub(r"\1", line) for line in text.splitlines()]
    uncommented = tomllib.loads("\n".join(examples))  # the examples are valid TOML
    assert uncommented["flows"]["checkout"] == "https://www.acme.community/checkout"
    assert uncommented["network"]["connect_to"] == {"www.acme.community:443": "127.0.0.1:8443"}


def test_hostnames_and_canonical(tmp_path: Path) -> None:
    path = scaffold(
        tmp_path / "acme.toml", "Acme.Community", ["App.Acme.Community", "acme.community"]
    )
    site = store.load(path).sprint.site
    assert site.hostnames == ("www.acme.community", "app.acme.community")
    assert site.canonical == "https://app.acme.community"


def test_www_is_not_repeated_and_can_be_left_out(tmp_path: Path) -> None:
    given = scaffold(tmp_path / "a.toml", "acme.community", ["www.acme.community"])
    assert store.load(given).sprint.site.hostnames == ("www.acme.community",)
    bare = scaffold(tmp_path / "b.toml", "acme.community", www=False)
    assert store.load(bare).sprint.site.hostnames == ()
    assert store.load(bare).sprint.site.canonical == "https://acme.community"


def test_name_and_id(tmp_path: Path) -> None:
    name = 'Acme "v2"\nlaunch'
    path = scaffold(tmp_path / "Acme Launch (2025).toml", "acme.community", name=name)
    sprint = store.load(path).sprint
    assert sprint.id == "acme-launch-2025"
    assert sprint.name == name


def test_international_domain_is_stored_as_punycode(tmp_path: Path) -> None:
    path = scaffold(tmp_path / "club.toml", "bücher.example")
    assert store.load(path).sprint.site.apex == "xn--bcher-kva.example"


def test_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text("# mine\n")
    with pytest.raises(SprintFileError, match="already exists; not overwriting it"):
        scaffold(path, "acme.community")
    assert path.read_text() == "# mine\n"


@pytest.mark.parametrize(
    ("domain", "hostnames", "problem"),
    [
        ("acme", (), 'domain "acme" is not a valid DNS hostname: needs at least two labels'),
        ("acme.community", ("app_x.acme.community",), 'hostname "app_x.acme.community" is not'),
        ("https://acme.community", (), 'domain "https://acme.community" is not a valid'),
    ],
)
def test_bad_domain_or_hostname_creates_nothing(
    tmp_path: Path, domain: str, hostnames: tuple[str, ...], problem: str
) -> None:
    path = tmp_path / "sprints" / "acme.toml"
    with pytest.raises(SprintFileError, match="not created") as caught:
        scaffold(path, domain, hostnames)
    assert problem in str(caught.value)
    assert not path.parent.exists()


def test_client_and_canonical(tmp_path: Path) -> None:
    path = scaffold(
        tmp_path / "acme.toml",
        "acme.community",
        ["app.acme.community"],
        name='Acme "beta" launch',
        client="Acme Co",
        canonical="HTTPS://App.Acme.Community/",
        www=False,
    )
    sprint = store.load(path).sprint
    assert sprint.name == 'Acme "beta" launch'
    assert sprint.client == "Acme Co"
    assert sprint.site.hostnames == ("app.acme.community",)
    assert sprint.site.canonical == "https://app.acme.community"
    assert '\nclient = "Acme Co"         # who the platform belongs to\n' in path.read_text()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://acme.community", "must be an https:// URL"),
        ("acme.community", "must be an https:// URL"),
        ("https://acme.community/join", "must be the site's root"),
        ("https://bad_host.community", "has no valid host"),
        ("https://me:pw@acme.community", "user name or password"),
    ],
)
def test_canonical_must_be_an_https_root(tmp_path: Path, url: str, reason: str) -> None:
    with pytest.raises(SprintFileError, match=re.escape(reason)):
        scaffold(tmp_path / "acme.toml", "acme.community", canonical=url)
    assert not (tmp_path / "acme.toml").exists()
