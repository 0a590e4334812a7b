"""Targets are text in the sprint file: one module builds and reads every kind."""

from __future__ import annotations

import pytest

from launchtui.model.targets import host_of, pair, split_pair


@pytest.mark.parametrize(
    ("target", "host"),
    [
        ("App.Acme.Community", "app.acme.community"),  # a hostname
        ("https://App.acme.community:8443/login?x=1", "app.acme.community"),  # a URL
        ("google._domainkey.acme.community", "google._domainkey.acme.community"),  # a DNS name
        (pair("acme.community", "https://app.acme.community"), "acme.community"),  # host -> origin
        (pair("http://acme.community/join", "https://app.acme.community/join"), "acme.community"),
        ("[site].canonical", "[site].canonical"),  # a missing setting
    ],
)
def test_the_host_a_target_is_about(target: str, host: str) -> None:
    assert host_of(target) == host


def test_a_pair_reads_back_as_written() -> None:
    assert pair("http://x.test/old", "https://y.test/new") == (
        "http://x.test/old -> https://y.test/new"
    )
    assert split_pair(pair("http://x.test/old", "https://y.test/new")) == (
        "http://x.test/old",
        "https://y.test/new",
    )
    assert split_pair("app.acme.community") is None
