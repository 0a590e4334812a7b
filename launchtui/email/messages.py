"""Validation messages of a record, bounded: a hostile record may yield thousands."""

from __future__ import annotations

MAX_MESSAGES = 20  # errors or warnings listed per record


def capped(messages: list[str]) -> list[str]:
    """The first MAX_MESSAGES messages, then one line saying how many more there were."""
    if len(messages) <= MAX_MESSAGES:
        return messages
    return [*messages[:MAX_MESSAGES], f"... and {len(messages) - MAX_MESSAGES} more"]
