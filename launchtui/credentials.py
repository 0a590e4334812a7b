"""Credential values: held in the OS keyring, never in the sprint file.

A sprint names its credentials in `[credentials]`; their values live in the OS keyring under
service `launchtui`, username `<sprint id>/<credential name>`. For CI, the environment variable
`LAUNCHTUI_CRED_<NAME>` (name upper-cased) overrides the keyring.

There is no plaintext fallback: keyring's fail and null backends, a chainer with nothing to
chain and every keyrings.alt backend (plaintext or "encrypted" files) are refused with a
`CredentialError` that says what to install or which variable to set. The keyring is looked up
lazily, so a credential that comes from the environment never needs one.

    store = CredentialStore("acme")
    token = store.get("cloudflare_api_token")     # None when unset
    print(redact(token))                           # "sk_l…(32 chars)", safe to show
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Literal, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from launchtui.errors import CredentialError

SERVICE = "launchtui"
ENV_PREFIX = "LAUNCHTUI_CRED_"

Source = Literal["environment", "keyring"]

T = TypeVar("T")

_NAME_RE = re.compile(r"[A-Za-z0-9_]+")

# Backends that would "store" a secret without an OS keyring behind it.
_REFUSED_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def env_var(name: str) -> str:
    """The environment variable that overrides credential `name`."""
    return ENV_PREFIX + name.upper()


def redact(value: str) -> str:
    """A form of `value` safe to show: at most its first 4 characters (only when it has 16 or
    more), then its length. `redact("sk_live_0123456789abcdef") == "sk_l…(24 chars)"`."""
    shown = value[:4] if len(value) >= 16 else ""
    unit = "char" if len(value) == 1 else "chars"
    return f"{shown}…({len(value)} {unit})"


def check_name(name: str) -> None:
    """Refuse a credential name that cannot become `LAUNCHTUI_CRED_<NAME>`."""
    if not _NAME_RE.fullmatch(name):
        raise CredentialError(
            f"invalid credential name {name!r}: use letters, digits and underscores only "
            f"(its environment variable is {ENV_PREFIX}<NAME>)"
        )


class CredentialStore:
    """The credentials of one sprint: the environment first, then the OS keyring."""

    def __init__(
        self,
        sprint_id: str,
        environ: Mapping[str, str] | None = None,
        *,
        backend: KeyringBackend | None = None,
    ) -> None:
        """`environ` defaults to `os.environ`; `backend` to keyring's configured backend
        (`keyring.get_keyring()`), detected on first use and refused if it is no OS keyring."""
        if not sprint_id:
            raise CredentialError("a sprint id is needed to look up credentials")
        self.sprint_id = sprint_id
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        self._backend = backend
        self._checked: KeyringBackend | None = None

    def username(self, name: str) -> str:
        """The keyring username that holds credential `name`."""
        check_name(name)
        return f"{self.sprint_id}/{name}"

    def get(self, name: str) -> str | None:
        """The value of credential `name`, or None when it is set nowhere."""
        from_env = self._from_env(name)
        if from_env is not None:
            return from_env
        return self._call("read", name, lambda kr: kr.get_password(SERVICE, self.username(name)))

    def source(self, name: str) -> Source | None:
        """Where `get(name)` would find the value: "environment", "keyring" or None."""
        if self._from_env(name) is not None:
            return "environment"
        return "keyring" if self.get(name) is not None else None

    def set(self, name: str, value: str) -> None:
        """Store `value` in the OS keyring (never anywhere else). An empty value is refused."""
        check_name(name)
        if not value:
            raise CredentialError(f"refusing to store an empty value for {name}")
        self._call(
            "write",
            name,
            lambda kr: kr.set_password(SERVICE, self.username(name), value),
            value=value,
        )

    def delete(self, name: str) -> bool:
        """Remove credential `name` from the keyring; True if there was something to remove.
        The environment variable, if set, is not touched."""

        def delete(kr: KeyringBackend) -> bool:
            username = self.username(name)
            if kr.get_password(SERVICE, username) is None:
                return False
            try:
                kr.delete_password(SERVICE, username)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        return self._call("delete", name, delete)

    def backend_name(self, name: str = "") -> str:
        """The keyring backend in use, detecting it now: CredentialError if there is none
        (naming the variable of credential `name` as the alternative)."""
        kr = self._keyring(name)
        return f"{type(kr).__module__}.{type(kr).__qualname__}"

    # -- internals -------------------------------------------------------------------------

    def _from_env(self, name: str) -> str | None:
        check_name(name)
        value = self._environ.get(env_var(name))
        return value or None  # an empty variable (an unset CI secret) counts as unset

    def _call(
        self, action: str, name: str, op: Callable[[KeyringBackend], T], *, value: str = ""
    ) -> T:
        kr = self._keyring(name)
        try:
            return op(kr)
        except CredentialError:
            raise
        except Exception as exc:
            reason = _reason(exc)
            if value:
                reason = reason.replace(value, redact(value))
            raise CredentialError(
                f"OS keyring could not {action} {self.username(name)} "
                f"({_label(kr)}: {reason}); "
                f"unlock or repair the keyring, or set {env_var(name)}"
            ) from None

    def _keyring(self, name: str) -> KeyringBackend:
        if self._checked is None:
            self._checked = usable_keyring(self._backend, name)
        return self._checked


def usable_keyring(backend: KeyringBackend | None = None, name: str = "") -> KeyringBackend:
    """`backend` (default: keyring's configured one) if it is a real OS keyring, unwrapping a
    chainer to its best usable member; otherwise CredentialError naming the fix. `name` is the
    credential being looked up, used to name its environment variable in the message."""
    variable = env_var(name) if name else f"{ENV_PREFIX}<NAME>"
    if backend is None:
        try:
            backend = keyring.get_keyring()
        except Exception as exc:
            raise CredentialError(
                f"no usable OS keyring (keyring configuration failed: {_reason(exc)}); "
                f"fix the keyring configuration, or set {variable}"
            ) from None
    candidates = _chained(backend) if _is_chainer(backend) else [backend]
    usable = [kr for kr in candidates if not _refused(kr)]
    if usable:
        return usable[0]
    if not candidates or all(_is_fallback(kr) for kr in candidates):
        raise CredentialError(f"no usable OS keyring ({_why_none()}); {_install_hint(variable)}")
    refused = ", ".join(_qualname(kr) for kr in candidates)
    raise CredentialError(
        f"no usable OS keyring (refusing {refused}: it is not an OS keyring and would keep "
        f"secrets in a file); configure an OS keyring backend, or set {variable}"
    )


def _install_hint(variable: str) -> str:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return f"install gnome-keyring and run inside a D-Bus session, or set {variable}"
    return f"configure an OS keyring for the Python keyring package, or set {variable}"


def _why_none() -> str:
    """Why keyring found no backend; on Linux, why the Secret Service is not reachable."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return "keyring found no backend for this system"
    try:
        from keyring.backends import SecretService

        SecretService.Keyring.priority  # noqa: B018  (raises the reason when not viable)
    except Exception as exc:
        reason = _reason(exc).removeprefix("Unable to initialize SecretService: ")
        return f"Secret Service not reachable: {reason}"
    return "keyring is configured to use no backend"


def _is_chainer(kr: KeyringBackend) -> bool:
    from keyring.backends.chainer import ChainerBackend

    return isinstance(kr, ChainerBackend)


def _chained(kr: KeyringBackend) -> list[KeyringBackend]:
    try:
        members = list(getattr(kr, "backends", []))
    except Exception:  # a member's viability probe failed: treat as nothing to chain
        return []
    return [m for m in members if isinstance(m, KeyringBackend) and not _is_chainer(m)]


def _is_fallback(kr: KeyringBackend) -> bool:
    module = type(kr).__module__
    return module in ("keyring.backends.fail", "keyring.backends.null")


def _refused(kr: KeyringBackend) -> bool:
    module = type(kr).__module__
    return any(module == m or module.startswith(m + ".") for m in _REFUSED_MODULES)


def _label(kr: KeyringBackend) -> str:
    """ "SecretService" for keyring.backends.SecretService.Keyring, else the class name."""
    cls = type(kr)
    return cls.__module__.rpartition(".")[2] if cls.__name__ == "Keyring" else cls.__name__


def _qualname(kr: KeyringBackend) -> str:
    return f"{type(kr).__module__}.{type(kr).__qualname__}"


def _reason(exc: BaseException) -> str:
    """One line describing `exc`, for an error message."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
