"""Failures to reach something. The engine turns them into `error` results: could not check."""

from __future__ import annotations


class NetError(Exception):
    """str() is a readable reason, e.g. "connection refused by 127.0.0.1:443"."""
