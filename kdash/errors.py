"""User-facing errors: each carries one sentence that says what is wrong and what to try.

The CLI prints `str(error)` and exits with `exit_code`; nothing below the CLI prints tracebacks.
"""

from __future__ import annotations


class KdashError(Exception):
    """Base of every error kdash reports to a person rather than crashes on."""

    exit_code = 2


class ConfigError(KdashError):
    """A kubeconfig or kdash config file is missing, unreadable or inconsistent."""


class ConnectionFailed(KdashError):
    """The API server could not be reached or refused our credentials."""


class UsageError(KdashError):
    """The command line asks for something that cannot be done."""
