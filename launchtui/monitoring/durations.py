"""Prometheus-style durations ("90s", "2m", "1h30m"), as the exports write them."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w)")


def seconds(duration: str) -> float:
    """The length of `duration` in seconds; ValueError for anything else."""
    parts = _PART.findall(duration)
    if not duration or "".join(n + unit for n, unit in parts) != duration:
        raise ValueError(f"not a duration like 90s, 2m or 1h: {duration!r}")
    return sum(int(n) * _UNITS[unit] for n, unit in parts)


def render(total: float) -> str:
    """Whole seconds as a Prometheus duration ("2m", "90s")."""
    whole = round(total)
    return f"{whole // 60}m" if whole and whole % 60 == 0 else f"{whole}s"
