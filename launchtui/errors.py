"""Errors that reach the user as one clear line (exit code 2), never a traceback."""

from __future__ import annotations


class LaunchtuiError(Exception):
    """Base for every error the user can act on; str() is the one-line message."""

    exit_code = 2


class UsageError(LaunchtuiError):
    """A command line that cannot be acted on."""


class SprintFileError(LaunchtuiError):
    """A sprint file that cannot be read, parsed or validated; the file is left untouched."""


class CredentialError(LaunchtuiError):
    """No usable keyring, or a credential that is not declared."""


class LabError(LaunchtuiError):
    """The embedded lab cannot start (a port in use, for example)."""
