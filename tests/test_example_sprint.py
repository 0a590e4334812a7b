"""The example sprint shipped in sprints/ is valid and round-trips byte for byte."""

from __future__ import annotations

from pathlib import Path

from launchtui.sprint import store

EXAMPLE = Path(__file__).resolve().parent.parent / "sprints" / "example.toml"


def test_example_loads_with_every_section_typed():
    sprint = store.load(EXAMPLE).sprint
    assert sprint.id == "acme"
    assert sprint.site.all_hostnames == (
        "acme.community",
        "www.acme.community",
        "app.acme.community",
    )
    assert sprint.flows["health"] == "https://app.acme.community/api/health"
    assert sprint.private_urls == ("https://app.acme.community/api/posts",)
    assert set(sprint.credentials) == {"cloudflare_api_token", "smtp_password"}
    assert sprint.env_required == ("DATABASE_URL", "STRIPE_SECRET_KEY", "POSTMARK_TOKEN")


def test_example_saves_to_identical_bytes(tmp_path):
    copy = tmp_path / "example.toml"
    copy.write_bytes(EXAMPLE.read_bytes())
    document = store.load(copy)
    store.save(document)
    assert copy.read_bytes() == EXAMPLE.read_bytes()
