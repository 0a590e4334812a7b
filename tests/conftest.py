"""Shared test plumbing. Keyring: a private Secret Service, never the user's own keyring."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

try:  # tests/ is on sys.path unless it is a package
    import hypothesis_profiles  # noqa: F401  (loads the ci or fuzz profile)
    from keyring_env import SecretService, Unavailable, secret_service
except ImportError:  # pragma: no cover
    import tests.hypothesis_profiles  # noqa: F401
    from tests.keyring_env import SecretService, Unavailable, secret_service


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str) -> NoReturn:
    """A test's dependency is missing: a failure in CI (CI=true), where ./dev test installs
    everything and nothing may be skipped; elsewhere a skip. `reason` names what to install."""
    if in_ci():
        pytest.fail(f"{reason}: CI must have it", pytrace=False)
    pytest.skip(reason)


def forget_keyring() -> None:
    """Make keyring detect its backend again on next use (the bus it knew is going away)."""
    import keyring.core

    keyring.core._keyring_backend = None


@pytest.fixture(scope="session")
def private_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    """An unlocked gnome-keyring on a private D-Bus, and this process pointed at it. Missing
    pieces fail the tests in CI (CI=true) and skip them elsewhere."""
    import keyring.backend
    import keyring.core

    with contextlib.ExitStack() as stack:
        try:
            service = stack.enter_context(secret_service(tmp_path_factory.mktemp("keyring")))
        except Unavailable as exc:
            if in_ci():
                pytest.fail(f"no Secret Service in CI: {exc}", pytrace=False)
            pytest.skip(f"no Secret Service: {exc}")
        stack.callback(forget_keyring)  # after the environment is restored
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        patch.setenv("DBUS_SESSION_BUS_ADDRESS", service.bus_address)
        for name in ("DISPLAY", "WAYLAND_DISPLAY"):
            patch.delenv(name, raising=False)
        # keyring caches which backends are viable for the whole process; a lookup made by an
        # earlier test without this fixture must not hide the Secret Service from later ones.
        with contextlib.suppress(KeyError):  # nothing cached yet
            keyring.backend.get_all_keyring.reset()
        keyring.core.init_backend()  # detect again, now on the private bus
        yield service


@pytest.fixture(autouse=True)
def private_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app records opened sprints under $XDG_STATE_HOME: never the user's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
